package org.coalition.gateway.operations;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

@GatewayTest
class HealthAndMetricsTest {

    private static final Path DASHBOARD = Path.of("k8s/monitoring/coalition-gateway-dashboard.json");

    @Test
    void readinessChecksTheDatabaseTheIssuerAndTheContracts() {
        JsonPath ready = given().get("/q/health/ready").then().extract().jsonPath();

        assertEquals("UP", ready.getString("status"), ready::prettify);
        List<String> checks = ready.getList("checks.name");
        assertTrue(checks.contains("PostgreSQL"), checks::toString);
        assertTrue(checks.contains("OIDC issuer keys"), checks::toString);
        assertTrue(checks.contains("Partner contracts"), checks::toString);
        assertTrue(ready.getInt("checks.find { it.name == 'Partner contracts' }.data.contracts") >= 3, ready::prettify);
    }

    @Test
    void livenessDependsOnNothingOutsideTheProcess() {
        JsonPath live = given().get("/q/health/live").then().statusCode(200).extract().jsonPath();

        assertEquals("UP", live.getString("status"));
        List<String> checks = live.getList("checks.name");
        assertTrue(checks.stream().noneMatch(name -> name.contains("PostgreSQL") || name.contains("OIDC")), checks::toString);
        given().get("/q/health/started").then().statusCode(200);
    }

    @Test
    void operationsAndPointsArePrometheusMetricsLabelledByPartnerNeverByMember() {
        Fixtures.EnrolledMember member = Fixtures.enroll(Fixtures.FRESHMART);
        Fixtures.earnOk(Fixtures.FRESHMART, member, "40.00");
        JsonPath refused = GraphQl.call(Tokens.partner(Fixtures.FRESHMART), Fixtures.REDEEM,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "member", member.ref(), "points", 1_000_000)));
        assertEquals("INSUFFICIENT_POINTS", refused.getString("data.redeemPoints.userErrors[0].code"), refused::prettify);

        String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();

        assertTrue(hasSample(scrape, "coalition_graphql_requests_seconds_count", "operation=\"earnPoints\"", "outcome=\"ok\"",
                "partner=\"freshmart\""), "earnPoints timed per partner");
        assertTrue(hasSample(scrape, "coalition_graphql_requests_seconds_bucket", "operation=\"redeemPoints\"",
                "outcome=\"user_error\""), "a refused redemption counts as a user error");
        assertTrue(hasSample(scrape, "coalition_graphql_user_errors_total", "code=\"INSUFFICIENT_POINTS\"",
                "partner=\"freshmart\""), "user errors counted by code");
        assertTrue(hasSample(scrape, "coalition_points_total", "kind=\"earn\"", "partner=\"freshmart\""), "points earned per partner");
        assertTrue(scrape.contains("coalition_holds_open"), "open holds gauge");
        assertTrue(scrape.contains("\ncoalition_journal_projection_lag_seconds "), "how far behind the transaction events are");
        assertTrue(scrape.contains("\ncoalition_database_breaker_open 0.0"), "the database breaker is closed and says so");
        assertFalse(scrape.contains(member.cardNumber()), "no card number in any label");
        assertFalse(scrape.contains(member.id()), "no member id in any label");
    }

    @Test
    void everyMetricTheDashboardChartsIsOneTheGatewayExports() throws IOException {
        Fixtures.EnrolledMember member = Fixtures.enroll(Fixtures.FRESHMART);
        Fixtures.earnOk(Fixtures.FRESHMART, member, "10.00");
        GraphQl.call(Tokens.partner(Fixtures.FRESHMART), Fixtures.REDEEM,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "member", member.ref(), "points", 1_000_000)));
        String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Set<String> exported = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                exported.add(line.split("[{ ]", 2)[0]);
            }
        }

        Set<String> charted = chartedMetrics(Files.readString(DASHBOARD));

        assertFalse(charted.isEmpty(), "the dashboard charts no metric");
        Set<String> missing = new TreeSet<>(charted);
        missing.removeAll(exported);
        assertEquals(Set.of(), missing, () -> "charted but not exported; exported: " + exported);
    }

    /** Metric names in the dashboard's PromQL expressions (names are followed by a selector or a range). */
    private static Set<String> chartedMetrics(String dashboard) {
        Set<String> names = new TreeSet<>();
        Matcher expressions = Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(dashboard);
        while (expressions.find()) {
            Matcher metric = Pattern.compile("\\b([a-z_][a-z0-9_]*)\\s*\\{").matcher(expressions.group(1).replace("\\\"", "\""));
            while (metric.find()) {
                names.add(metric.group(1));
            }
        }
        return names;
    }

    private static boolean hasSample(String scrape, String metric, String... labels) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(metric + "{") && List.of(labels).stream().allMatch(line::contains)) {
                return true;
            }
        }
        return false;
    }
}
