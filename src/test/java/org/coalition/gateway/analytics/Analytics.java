package org.coalition.gateway.analytics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.EmbeddedPostgresResource;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/** Test helpers for the analytics: folding the ledger now, raw SQL as the schema owner, SkyWays members. */
final class Analytics {

    static final String ANALYST = Tokens.withRoles("analyst-ana", "analyst");

    private Analytics() {
    }

    /** Folds everything posted until now into the aggregates; returns the watermark reached. */
    static Instant foldUntilNow(AnalyticsAggregator aggregator) throws SQLException {
        Instant now = Instant.now();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            aggregator.refresh(1000).await().indefinitely();
            return watermark().isAfter(now);
        });
        return watermark();
    }

    static Instant watermark() throws SQLException {
        try (Connection connection = owner(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("select watermark from analytics_state")) {
            row.next();
            return row.getTimestamp(1).toInstant();
        }
    }

    /** The schema owner: reads everything, row-level security or not. */
    static Connection owner() throws SQLException {
        return DriverManager.getConnection(EmbeddedPostgresResource.jdbcUrl());
    }

    /** The gateway's own role, which row-level security applies to. */
    static Connection app() throws SQLException {
        return DriverManager.getConnection(EmbeddedPostgresResource.jdbcUrl().replace("user=postgres", "user=coalition_app"));
    }

    static String skyways() {
        return Tokens.skyways(Tokens.ALL_PARTNER_SCOPES);
    }

    static EnrolledMember enrollAtSkyways() {
        JsonPath result = GraphQl.call(skyways(), Fixtures.ENROLL,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "cardNumber", Fixtures.newCardNumber())));
        assertEquals(List.of(), result.getList("data.enrollMember.userErrors"), result::prettify);
        return new EnrolledMember(result.getString("data.enrollMember.member.id"), result.getString("data.enrollMember.member.cardNumber"));
    }

    static void earnAtSkyways(EnrolledMember member, String amount) {
        JsonPath result = GraphQl.call(skyways(), Fixtures.EARN, Map.of("input", Fixtures.earnInput(member, amount)));
        assertEquals(List.of(), result.getList("data.earnPoints.userErrors"), result::prettify);
    }

    static void redeemOk(String partnerClient, EnrolledMember member, int points) {
        JsonPath result = Fixtures.redeem(partnerClient, Fixtures.redeemInput(member, points));
        assertEquals(List.of(), result.getList("data.redeemPoints.userErrors"), result::prettify);
    }
}
