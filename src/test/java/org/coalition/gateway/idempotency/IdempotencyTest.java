package org.coalition.gateway.idempotency;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;

import org.coalition.gateway.ledger.LedgerAudit;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

@GatewayTest
class IdempotencyTest {

    private static final String MEMBER_TRANSACTIONS = """
            query($ref: MemberRefInput!) { member(ref: $ref) { balance transactions { edges { node { id } } } } }""";

    @Inject
    IdempotencyKeyRetention retention;
    @Inject
    org.coalition.gateway.tenancy.TenantSessions sessions;
    @Inject
    LedgerAudit audit;

    @Test
    void aKeyIsRememberedForItsRetentionAndThenForgotten() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Map<String, Object> old = Fixtures.earnInput(member, "10.00");
        Map<String, Object> recent = Fixtures.earnInput(member, "10.00");
        recent.put("partnerReference", "retention-" + Fixtures.key());
        String first = Fixtures.earn(FRESHMART, old).getString("data.earnPoints.transaction.id");
        Fixtures.earn(FRESHMART, recent);
        age(old.get("idempotencyKey").toString());

        assertEquals(true, retention.forgetOldKeys().await().indefinitely() >= 1);

        String afterRetention = Fixtures.earn(FRESHMART, old).getString("data.earnPoints.transaction.id");
        assertNotEquals(first, afterRetention, "past retention the same key is a new request");
        JsonPath replayed = Fixtures.earn(FRESHMART, recent);
        assertEquals(List.of(), replayed.getList("data.earnPoints.userErrors"));
        assertEquals(1, sessions.asSystem(connection -> connection.preparedQuery(
                        "select count(*) as n from journal_entries where partner_reference = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(recent.get("partnerReference")))).await().indefinitely()
                .iterator().next().getLong("n").intValue(), "a recent key still replays");
    }

    @Test
    void retryingAnEarnReturnsTheFirstTransactionAndEarnsOnce() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Map<String, Object> input = Fixtures.earnInput(member, "10.00");

        JsonPath first = Fixtures.earn(FRESHMART, input);
        JsonPath retry = Fixtures.earn(FRESHMART, input);

        assertEquals(first.getMap("data.earnPoints.transaction"), retry.getMap("data.earnPoints.transaction"),
                "the retry returns the first transaction, field for field");
        assertEquals(List.of(), retry.getList("data.earnPoints.userErrors"));
        JsonPath after = memberView(member);
        assertEquals(15, after.getInt("data.member.balance"));
        assertEquals(1, after.getList("data.member.transactions.edges").size());
    }

    @Test
    void reusingAKeyWithAnotherPayloadIsAConflictAndWritesNothing() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Map<String, Object> input = Fixtures.earnInput(member, "10.00");
        Fixtures.earn(FRESHMART, input);

        input.put("purchaseAmount", new BigDecimal("99.00"));
        JsonPath conflict = Fixtures.earn(FRESHMART, input);

        assertEquals("IDEMPOTENCY_CONFLICT", conflict.getString("data.earnPoints.userErrors[0].code"));
        assertEquals(List.of("input", "idempotencyKey"), conflict.getList("data.earnPoints.userErrors[0].field"));
        assertNull(conflict.get("data.earnPoints.transaction"));
        assertEquals(15, memberView(member).getInt("data.member.balance"));
    }

    @Test
    void reusingAnEarnKeyForARedemptionIsAConflict() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Map<String, Object> earn = Fixtures.earnInput(member, "10.00");
        Fixtures.earn(FRESHMART, earn);
        Map<String, Object> redeem = Fixtures.redeemInput(member, 5);
        redeem.put("idempotencyKey", earn.get("idempotencyKey"));

        JsonPath conflict = Fixtures.redeem(FRESHMART, redeem);

        assertEquals("IDEMPOTENCY_CONFLICT", conflict.getString("data.redeemPoints.userErrors[0].code"));
        assertEquals(15, memberView(member).getInt("data.member.balance"));
    }

    @Test
    void keysBelongToOnePartnerSoAnotherPartnersSameKeyIsANewTransaction() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Map<String, Object> input = Fixtures.earnInput(member, "10.00");

        JsonPath atFreshmart = Fixtures.earn(FRESHMART, input);
        JsonPath atFuelco = Fixtures.earn(FUELCO, input);

        assertEquals(List.of(), atFuelco.getList("data.earnPoints.userErrors"));
        assertNotEquals(atFreshmart.getString("data.earnPoints.transaction.id"), atFuelco.getString("data.earnPoints.transaction.id"));
        assertEquals("fuelco", atFuelco.getString("data.earnPoints.transaction.partner.id"));
        assertEquals(15 + 20, memberView(member).getInt("data.member.balance"));
    }

    @Test
    void aFailedRequestStoresNothingSoItsRetryCanSucceedLater() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Map<String, Object> redeem = Fixtures.redeemInput(member, 10);

        assertEquals("INSUFFICIENT_POINTS", Fixtures.redeem(FRESHMART, redeem).getString("data.redeemPoints.userErrors[0].code"));
        Fixtures.earnOk(FRESHMART, member, "10.00");
        JsonPath retried = Fixtures.redeem(FRESHMART, redeem);

        assertEquals(List.of(), retried.getList("data.redeemPoints.userErrors"));
        assertEquals(5, retried.getInt("data.redeemPoints.member.balance"));
    }

    @Test
    void twentyConcurrentRequestsWithOneKeyPostExactlyOneTransaction() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FRESHMART, member, "100.00");
        Map<String, Object> redeem = Fixtures.redeemInput(member, 7);
        String token = Tokens.partner(FRESHMART);

        List<CompletableFuture<JsonObject>> responses = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            responses.add(GraphQl.send(token, Fixtures.REDEEM, Map.of("input", redeem)));
        }
        Set<String> transactionIds = new HashSet<>();
        for (CompletableFuture<JsonObject> response : responses) {
            JsonObject payload = response.join().getJsonObject("data").getJsonObject("redeemPoints");
            assertEquals(0, payload.getJsonArray("userErrors").size(), payload::encode);
            transactionIds.add(payload.getJsonObject("transaction").getString("id"));
        }

        assertEquals(1, transactionIds.size());
        JsonPath after = memberView(member);
        assertEquals(150 - 7, after.getInt("data.member.balance"));
        assertEquals(2, after.getList("data.member.transactions.edges").size());
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void enrollingTwiceWithOneKeyReturnsTheSameMember() {
        Map<String, Object> input = Map.of("idempotencyKey", Fixtures.key());
        String token = Tokens.partner(FRESHMART);

        JsonPath first = GraphQl.call(token, Fixtures.ENROLL, Map.of("input", input));
        JsonPath retry = GraphQl.call(token, Fixtures.ENROLL, Map.of("input", input));

        assertEquals(first.getString("data.enrollMember.member.id"), retry.getString("data.enrollMember.member.id"));
        assertEquals(first.getString("data.enrollMember.member.cardNumber"), retry.getString("data.enrollMember.member.cardNumber"));
    }

    private static JsonPath memberView(EnrolledMember member) {
        return GraphQl.call(Tokens.settlement(), MEMBER_TRANSACTIONS, Map.of("ref", member.ref()));
    }

    /** Back-dates a key as the owner does; the application may not change a key. */
    private static void age(String key) {
        try (java.sql.Connection superuser = java.sql.DriverManager.getConnection(
                org.coalition.gateway.support.EmbeddedPostgresResource.jdbcUrl());
                java.sql.PreparedStatement update = superuser.prepareStatement(
                        "update idempotency_keys set created_at = now() - interval '31 days' where key = ?")) {
            update.setString(1, key);
            assertEquals(1, update.executeUpdate());
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
