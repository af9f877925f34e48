package org.coalition.gateway.reversal;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
class ReverseTransactionTest {

    static final String REVERSE = """
            mutation($input: ReverseTransactionInput!) {
              reverseTransaction(input: $input) {
                transaction { id kind points reverses { id } }
                original { id reversiblePoints }
                shortfall
                userErrors { code field message }
              }
            }""";
    private static final String VIEW = """
            query($ref: MemberRefInput!) {
              member(ref: $ref) { balance nextExpiryAt pointsByIssuer { partner { id } points } }
            }""";

    @Inject
    LedgerAudit audit;

    @Test
    void returnedGoodsTakeBackPartOfAnEarnThenTheRest() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String earnId = earnId(FRESHMART, member, "100.00");

        JsonPath partial = reverse(FRESHMART, earnId, 60);

        assertEquals(List.of(), partial.getList("data.reverseTransaction.userErrors"));
        assertEquals("REVERSAL", partial.getString("data.reverseTransaction.transaction.kind"));
        assertEquals(-60, partial.getInt("data.reverseTransaction.transaction.points"));
        assertEquals(earnId, partial.getString("data.reverseTransaction.transaction.reverses.id"));
        assertEquals(90, partial.getInt("data.reverseTransaction.original.reversiblePoints"));
        assertEquals(0, partial.getInt("data.reverseTransaction.shortfall"));

        JsonPath rest = reverse(FRESHMART, earnId, null);

        assertEquals(-90, rest.getInt("data.reverseTransaction.transaction.points"));
        assertEquals(0, rest.getInt("data.reverseTransaction.original.reversiblePoints"));
        assertEquals(0, view(member).getInt("data.member.balance"));
        assertEquals("NOT_REVERSIBLE", reverse(FRESHMART, earnId, 1).getString("data.reverseTransaction.userErrors[0].code"));
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void reversingAnEarnWhosePointsWereSpentRecordsTheShortfall() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String earnId = earnId(FRESHMART, member, "100.00");
        Fixtures.redeem(FRESHMART, Fixtures.redeemInput(member, 120));

        JsonPath reversed = reverse(FRESHMART, earnId, null);

        assertEquals(-30, reversed.getInt("data.reverseTransaction.transaction.points"));
        assertEquals(120, reversed.getInt("data.reverseTransaction.shortfall"));
        assertEquals(0, reversed.getInt("data.reverseTransaction.original.reversiblePoints"));
        assertEquals(0, view(member).getInt("data.member.balance"));
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void aCancelledOrderGivesPointsBackToTheSameLotsWithTheirExpiry() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FUELCO, member, "50.00");
        Fixtures.earnOk(FRESHMART, member, "100.00");
        Instant expiryBefore = Instant.parse(view(member).getString("data.member.nextExpiryAt"));
        String redemptionId = Fixtures.redeem(FRESHMART, Fixtures.redeemInput(member, 200))
                .getString("data.redeemPoints.transaction.id");
        assertEquals(Map.of("freshmart", 50), byIssuer(view(member)));

        JsonPath partial = reverse(FRESHMART, redemptionId, 80);

        assertEquals(80, partial.getInt("data.reverseTransaction.transaction.points"));
        assertEquals(120, partial.getInt("data.reverseTransaction.original.reversiblePoints"));
        assertEquals(Map.of("freshmart", 130), byIssuer(view(member)), "the newest lot drawn gets its points back first");

        reverse(FRESHMART, redemptionId, null);

        JsonPath after = view(member);
        assertEquals(250, after.getInt("data.member.balance"));
        assertEquals(Map.of("freshmart", 150, "fuelco", 100), byIssuer(after));
        assertEquals(expiryBefore, Instant.parse(after.getString("data.member.nextExpiryAt")));
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void aPartnerCannotReverseAnotherPartnersTransaction() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String earnId = earnId(FRESHMART, member, "100.00");

        JsonPath attempt = reverse(FUELCO, earnId, null);

        assertEquals("TRANSACTION_NOT_FOUND", attempt.getString("data.reverseTransaction.userErrors[0].code"));
        assertNull(attempt.get("data.reverseTransaction.transaction"));
        assertEquals(150, view(member).getInt("data.member.balance"));
    }

    @Test
    void aReversalCannotBeReversed() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String reversalId = reverse(FRESHMART, earnId(FRESHMART, member, "10.00"), 5)
                .getString("data.reverseTransaction.transaction.id");

        assertEquals("NOT_REVERSIBLE", reverse(FRESHMART, reversalId, null).getString("data.reverseTransaction.userErrors[0].code"));
    }

    @Test
    void theContractsReversalWindowRunsFromThePurchase() {
        EnrolledMember member = Fixtures.enroll(FUELCO);
        String inside = earnAt(member, Instant.now().minusSeconds(29L * 86_400));
        String outside = earnAt(member, Instant.now().minusSeconds(31L * 86_400));

        assertEquals(List.of(), reverse(FUELCO, inside, null).getList("data.reverseTransaction.userErrors"));
        JsonPath late = reverse(FUELCO, outside, null);
        assertEquals("NOT_REVERSIBLE", late.getString("data.reverseTransaction.userErrors[0].code"));
        assertEquals(true, late.getString("data.reverseTransaction.userErrors[0].message").contains("30 days"));
    }

    private static String earnAt(EnrolledMember member, Instant occurredAt) {
        Map<String, Object> input = Fixtures.earnInput(member, "10.00");
        input.put("occurredAt", occurredAt.toString());
        return Fixtures.earn(FUELCO, input).getString("data.earnPoints.transaction.id");
    }

    @Test
    void concurrentReversalsNeverReverseMoreThanTheTransactionHad() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String earnId = earnId(FRESHMART, member, "100.00");
        String token = Tokens.partner(FRESHMART);

        List<CompletableFuture<JsonObject>> attempts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            attempts.add(GraphQl.send(token, REVERSE, Map.of("input",
                    Map.of("idempotencyKey", Fixtures.key(), "transactionId", earnId, "points", 10))));
        }
        long succeeded = attempts.stream().map(CompletableFuture::join)
                .map(response -> response.getJsonObject("data").getJsonObject("reverseTransaction"))
                .filter(payload -> payload.getJsonArray("userErrors").isEmpty())
                .count();

        assertEquals(15, succeeded, "150 points, 10 per reversal");
        assertEquals(0, view(member).getInt("data.member.balance"));
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    static JsonPath reverse(String partner, String transactionId, Integer points) {
        Map<String, Object> input = new HashMap<>(Map.of("idempotencyKey", Fixtures.key(), "transactionId", transactionId));
        input.put("points", points);
        return GraphQl.call(Tokens.partner(partner), REVERSE, Map.of("input", input));
    }

    private static String earnId(String partner, EnrolledMember member, String amount) {
        JsonPath earned = Fixtures.earn(partner, Fixtures.earnInput(member, amount));
        assertEquals(List.of(), earned.getList("data.earnPoints.userErrors"));
        return earned.getString("data.earnPoints.transaction.id");
    }

    private static JsonPath view(EnrolledMember member) {
        return GraphQl.call(Tokens.settlement(), VIEW, Map.of("ref", member.ref()));
    }

    private static Map<String, Integer> byIssuer(JsonPath view) {
        Map<String, Integer> byIssuer = new HashMap<>();
        List<Map<String, Object>> rows = view.getList("data.member.pointsByIssuer");
        rows.forEach(row -> byIssuer.put((String) ((Map<?, ?>) row.get("partner")).get("id"), (Integer) row.get("points")));
        return byIssuer;
    }
}
