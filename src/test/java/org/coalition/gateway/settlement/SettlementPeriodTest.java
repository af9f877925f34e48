package org.coalition.gateway.settlement;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static io.restassured.RestAssured.given;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * The settlement team closes a period while partners keep posting: every record lands in exactly one
 * period, nets over all parties sum to zero, and a closed period never changes.
 */
@GatewayTest
class SettlementPeriodTest {

    private static final String PERIODS = "{ settlementPeriods(first: 5) { edges { node { id status startsAt endsAt } } } }";
    private static final String CLOSE = """
            mutation($input: CloseSettlementPeriodInput!) {
              closeSettlementPeriod(input: $input) {
                period { id status closedAt }
                statements { partner { id } currency pointsIssued pointsRedeemedHere pointsRedeemedElsewhere pointsExpired
                             amountOwed amountDue net }
                userErrors { code field message }
              }
            }""";
    private static final String STATEMENT = """
            query($period: ID!, $partner: ID) {
              settlementStatement(periodId: $period, partnerId: $partner) {
                partner { id } net amountDue amountOwed
                records(first: 2) { edges { node { kind points amount debtor { id } creditor { id } period { id } } }
                                    pageInfo { hasNextPage endCursor } }
              }
            }""";

    @Inject
    TenantSessions sessions;

    /** The one close of this test run: the current period, closed while a partner keeps posting. */
    private record ClosedScenario(String periodId, JsonPath closed, List<String> postedDuring) {
    }

    private static ClosedScenario scenario;

    private synchronized ClosedScenario closedWhilePosting() {
        if (scenario != null) {
            return scenario;
        }
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FRESHMART, member, "200.00");
        Fixtures.earnOk(FUELCO, member, "100.00");
        Fixtures.redeem(FUELCO, Fixtures.redeemInput(member, 350));
        String periodId = currentPeriod();

        List<CompletableFuture<JsonObject>> duringClose = new ArrayList<>();
        String token = Tokens.partner(FRESHMART);
        for (int i = 0; i < 20; i++) {
            duringClose.add(GraphQl.send(token, Fixtures.EARN, Map.of("input", Fixtures.earnInput(member, "10.00"))));
        }
        JsonPath closed = close(periodId);
        List<String> postedDuring = duringClose.stream().map(CompletableFuture::join)
                .map(response -> response.getJsonObject("data").getJsonObject("earnPoints").getJsonObject("transaction").getString("id"))
                .toList();
        scenario = new ClosedScenario(periodId, closed, postedDuring);
        return scenario;
    }

    @Test
    void closingWhilePartnersPostPutsEveryRecordInExactlyOnePeriodAndNetsSumToZero() {
        ClosedScenario closing = closedWhilePosting();
        JsonPath closed = closing.closed();

        assertEquals(List.of(), closed.getList("data.closeSettlementPeriod.userErrors"));
        assertEquals("CLOSED", closed.getString("data.closeSettlementPeriod.period.status"));
        List<Map<String, Object>> statements = closed.getList("data.closeSettlementPeriod.statements");
        assertTrue(statements.size() >= 4, "one statement per party, the operator included");
        assertEquals(0, statements.stream().map(s -> new BigDecimal(s.get("net").toString()))
                .reduce(BigDecimal.ZERO, BigDecimal::add).signum(), "nets sum to zero");
        for (String earn : closing.postedDuring()) {
            assertEquals(1, periodsHolding(earn) + unassigned(earn), "earn " + earn + " is in exactly one place");
        }

        Fixtures.earnOk(FRESHMART, Fixtures.enroll(FRESHMART), "10.00");
        JsonPath again = close(closing.periodId());
        assertEquals(statements, again.getList("data.closeSettlementPeriod.statements"), "closing twice changes nothing");
    }

    @Test
    void aPartnerReadsItsOwnStatementAndRecordsButNotAnothers() {
        String periodId = closedPeriod();

        JsonPath own = GraphQl.call(Tokens.partner(FRESHMART), STATEMENT, Map.of("period", periodId));
        assertEquals("freshmart", own.getString("data.settlementStatement.partner.id"));
        List<Map<String, Object>> records = own.getList("data.settlementStatement.records.edges.node");
        assertFalse(records.isEmpty());
        records.forEach(record -> assertTrue(record.toString().contains("freshmart"), record.toString()));

        JsonPath foreign = GraphQl.call(Tokens.partner(FRESHMART), STATEMENT, Map.of("period", periodId, "partner", "fuelco"));
        assertNull(foreign.get("data.settlementStatement"));
        assertEquals("FORBIDDEN", foreign.getString("errors[0].extensions.reason"));

        JsonPath matrix = GraphQl.call(Tokens.partner(FRESHMART), "query($p: ID!) { settlementMatrix(periodId: $p) { amount } }",
                Map.of("p", periodId));
        assertEquals("FORBIDDEN", matrix.getString("errors[0].extensions.reason"));
    }

    @Test
    void theSettlementTeamSeesTheBilateralMatrix() {
        String periodId = closedPeriod();

        JsonPath matrix = GraphQl.call(Tokens.settlement(),
                "query($p: ID!) { settlementMatrix(periodId: $p) { debtor { id } creditor { id } points amount currency } }",
                Map.of("p", periodId));

        List<Map<String, Object>> positions = matrix.getList("data.settlementMatrix");
        assertFalse(positions.isEmpty(), matrix.prettify());
        positions.forEach(position -> assertTrue(new BigDecimal(position.get("amount").toString()).signum() >= 0));
    }

    @Test
    void theSettlementTeamExportsAClosedPeriodAsCsv() {
        String periodId = closedPeriod();

        String csv = given().header("Authorization", "Bearer " + Tokens.settlement())
                .when().get("/settlement/periods/" + periodId + "/statements.csv")
                .then().statusCode(200).contentType("text/csv").extract().asString();

        List<String> lines = csv.lines().toList();
        assertEquals("period_start,period_end,partner_id,partner_name,currency,points_issued,points_redeemed_here,"
                + "points_redeemed_elsewhere,points_expired,amount_owed,amount_due,net", lines.get(0));
        assertTrue(lines.stream().anyMatch(line -> line.contains(",freshmart,FreshMart Supermarkets,EUR,")), csv);
        BigDecimal nets = lines.stream().skip(1).map(line -> new BigDecimal(line.substring(line.lastIndexOf(',') + 1)))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertEquals(0, nets.signum(), csv);
        String records = given().header("Authorization", "Bearer " + Tokens.settlement())
                .when().get("/settlement/periods/" + periodId + "/records.csv")
                .then().statusCode(200).extract().asString();
        assertTrue(records.lines().count() > 1, records);
    }

    @Test
    void onlyTheSettlementTeamMayExport() {
        String periodId = closedPeriod();
        String path = "/settlement/periods/" + periodId + "/statements.csv";

        given().when().get(path).then().statusCode(401);
        given().header("Authorization", "Bearer " + Tokens.partner(FRESHMART)).when().get(path).then().statusCode(403);
        given().header("Authorization", "Bearer " + Tokens.settlement())
                .when().get("/settlement/periods/" + UUID.randomUUID() + "/statements.csv").then().statusCode(404);
    }

    @Test
    void partnersCannotClosePeriods() {
        JsonPath refused = GraphQl.call(Tokens.partner(FRESHMART), CLOSE,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "periodId", UUID.randomUUID().toString())));

        assertEquals("FORBIDDEN", refused.getString("errors[0].extensions.reason"));
    }

    @Test
    void closingAnUnknownPeriodIsATypedError() {
        assertEquals("PERIOD_NOT_FOUND", close(UUID.randomUUID().toString())
                .getString("data.closeSettlementPeriod.userErrors[0].code"));
    }

    private String closedPeriod() {
        return closedWhilePosting().periodId();
    }

    private static String currentPeriod() {
        List<Map<String, Object>> periods = GraphQl.call(Tokens.settlement(), PERIODS).getList("data.settlementPeriods.edges.node");
        return periods.stream().filter(p -> "OPEN".equals(p.get("status"))).reduce((newer, older) -> older)
                .map(p -> (String) p.get("id")).orElseThrow();
    }

    private static JsonPath close(String periodId) {
        return GraphQl.call(Tokens.settlement(), CLOSE, Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "periodId", periodId)));
    }

    private long periodsHolding(String entryId) {
        return count("select count(*) as n from period_records p join settlement_records r on r.id = p.record_id where r.entry_id = $1",
                entryId);
    }

    private long unassigned(String entryId) {
        return count("select count(*) as n from settlement_records r where r.entry_id = $1"
                + " and not exists (select 1 from period_records p where p.record_id = r.id)", entryId);
    }

    private long count(String sql, String entryId) {
        return sessions.asSystem(connection -> connection.preparedQuery(sql).execute(Tuple.of(UUID.fromString(entryId))))
                .await().indefinitely().iterator().next().getLong("n");
    }
}
