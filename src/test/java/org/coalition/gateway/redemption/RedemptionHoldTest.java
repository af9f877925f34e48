package org.coalition.gateway.redemption;

import static org.awaitility.Awaitility.await;
import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
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
class RedemptionHoldTest {

    static final String AUTHORIZE = """
            mutation($input: AuthorizeRedemptionInput!) {
              authorizeRedemption(input: $input) {
                hold { id points status expiresAt partner { id } member { id } }
                member { balance held available }
                userErrors { code field message }
              }
            }""";
    static final String CAPTURE = """
            mutation($input: CaptureRedemptionInput!) {
              captureRedemption(input: $input) {
                transaction { id kind points partner { id } }
                member { balance held available }
                userErrors { code field message }
              }
            }""";
    static final String VOID = """
            mutation($input: VoidRedemptionInput!) {
              voidRedemption(input: $input) {
                hold { id status }
                member { balance held available }
                userErrors { code field message }
              }
            }""";
    static final String HOLD = "query($id: ID!) { hold(id: $id) { status points transaction { id points } } }";

    @Inject
    HoldService holds;
    @Inject
    LedgerAudit audit;

    @Test
    void aHoldLowersAvailableButNotBalanceAndCaptureTakesThePoints() {
        EnrolledMember member = memberWith(150);

        JsonPath authorized = authorize(FRESHMART, member, 100, null);
        assertEquals(List.of(), authorized.getList("data.authorizeRedemption.userErrors"));
        assertEquals(Map.of("balance", 150, "held", 100, "available", 50), authorized.getMap("data.authorizeRedemption.member"));
        assertEquals("ACTIVE", authorized.getString("data.authorizeRedemption.hold.status"));
        String holdId = authorized.getString("data.authorizeRedemption.hold.id");

        JsonPath captured = capture(FRESHMART, holdId, null);

        assertEquals(List.of(), captured.getList("data.captureRedemption.userErrors"));
        assertEquals("REDEMPTION", captured.getString("data.captureRedemption.transaction.kind"));
        assertEquals(-100, captured.getInt("data.captureRedemption.transaction.points"));
        assertEquals(Map.of("balance", 50, "held", 0, "available", 50), captured.getMap("data.captureRedemption.member"));
        JsonPath hold = GraphQl.call(Tokens.partner(FRESHMART), HOLD, Map.of("id", holdId));
        assertEquals("CAPTURED", hold.getString("data.hold.status"));
        assertEquals(captured.getString("data.captureRedemption.transaction.id"), hold.getString("data.hold.transaction.id"));
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void aPartialCaptureTakesPartAndReleasesTheRest() {
        EnrolledMember member = memberWith(150);
        String holdId = authorize(FRESHMART, member, 80, null).getString("data.authorizeRedemption.hold.id");

        JsonPath captured = capture(FRESHMART, holdId, 30);

        assertEquals(-30, captured.getInt("data.captureRedemption.transaction.points"));
        assertEquals(Map.of("balance", 120, "held", 0, "available", 120), captured.getMap("data.captureRedemption.member"));
        assertEquals("HOLD_ALREADY_RESOLVED", capture(FRESHMART, holdId, 10).getString("data.captureRedemption.userErrors[0].code"));
    }

    @Test
    void capturingMoreThanHeldIsRejectedAndLeavesTheHoldActive() {
        EnrolledMember member = memberWith(150);
        String holdId = authorize(FRESHMART, member, 40, null).getString("data.authorizeRedemption.hold.id");

        assertEquals("INVALID_INPUT", capture(FRESHMART, holdId, 41).getString("data.captureRedemption.userErrors[0].code"));
        assertEquals("ACTIVE", GraphQl.call(Tokens.partner(FRESHMART), HOLD, Map.of("id", holdId)).getString("data.hold.status"));
    }

    @Test
    void voidingReleasesEverything() {
        EnrolledMember member = memberWith(150);
        String holdId = authorize(FRESHMART, member, 100, null).getString("data.authorizeRedemption.hold.id");

        JsonPath voided = voidHold(FRESHMART, holdId);

        assertEquals("VOIDED", voided.getString("data.voidRedemption.hold.status"));
        assertEquals(Map.of("balance", 150, "held", 0, "available", 150), voided.getMap("data.voidRedemption.member"));
        assertEquals("HOLD_ALREADY_RESOLVED", capture(FRESHMART, holdId, null).getString("data.captureRedemption.userErrors[0].code"));
    }

    @Test
    void holdingMoreThanIsAvailableIsRefused() {
        EnrolledMember member = memberWith(150);
        authorize(FRESHMART, member, 100, null);

        JsonPath second = authorize(FRESHMART, member, 60, null);

        assertEquals("INSUFFICIENT_POINTS", second.getString("data.authorizeRedemption.userErrors[0].code"));
        assertNull(second.get("data.authorizeRedemption.hold"));
    }

    @Test
    void anotherPartnerCannotCaptureOrVoidOrReadTheHold() {
        EnrolledMember member = memberWith(300);
        String holdId = authorize(FRESHMART, member, 100, null).getString("data.authorizeRedemption.hold.id");

        assertEquals("HOLD_NOT_FOUND", capture(FUELCO, holdId, null).getString("data.captureRedemption.userErrors[0].code"));
        assertEquals("HOLD_NOT_FOUND", voidHold(FUELCO, holdId).getString("data.voidRedemption.userErrors[0].code"));
        assertNull(GraphQl.call(Tokens.partner(FUELCO), HOLD, Map.of("id", holdId)).get("data.hold"));
        assertEquals("ACTIVE", GraphQl.call(Tokens.partner(FRESHMART), HOLD, Map.of("id", holdId)).getString("data.hold.status"));
    }

    @Test
    void aHoldPastItsExpiryAnswersHoldExpiredAndTheJobReleasesIt() {
        EnrolledMember member = memberWith(150);
        JsonPath authorized = authorize(FRESHMART, member, 100, 1);
        String holdId = authorized.getString("data.authorizeRedemption.hold.id");
        Instant expiresAt = Instant.parse(authorized.getString("data.authorizeRedemption.hold.expiresAt"));
        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(expiresAt));

        assertEquals("HOLD_EXPIRED", capture(FRESHMART, holdId, null).getString("data.captureRedemption.userErrors[0].code"));
        holds.releaseExpired().await().indefinitely();

        assertEquals("EXPIRED", GraphQl.call(Tokens.partner(FRESHMART), HOLD, Map.of("id", holdId)).getString("data.hold.status"));
        assertEquals("HOLD_EXPIRED", voidHold(FRESHMART, holdId).getString("data.voidRedemption.userErrors[0].code"));
        assertEquals(150, availableOf(member));
    }

    @Test
    void aHoldResolvesExactlyOnceUnderRacingCapturesVoidsAndExpiry() {
        EnrolledMember member = memberWith(150);
        String holdId = authorize(FRESHMART, member, 100, null).getString("data.authorizeRedemption.hold.id");
        String token = Tokens.partner(FRESHMART);

        List<CompletableFuture<JsonObject>> racers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Map<String, Object> input = new HashMap<>(Map.of("idempotencyKey", Fixtures.key(), "holdId", holdId));
            racers.add(i % 2 == 0
                    ? GraphQl.send(token, CAPTURE, Map.of("input", input)).thenApply(r -> payload(r, "captureRedemption"))
                    : GraphQl.send(token, VOID, Map.of("input", input)).thenApply(r -> payload(r, "voidRedemption")));
        }
        holds.releaseExpired().await().indefinitely();

        int winners = 0;
        for (CompletableFuture<JsonObject> racer : racers) {
            JsonObject payload = racer.join();
            if (payload.getJsonArray("userErrors").isEmpty()) {
                winners++;
            } else {
                assertEquals("HOLD_ALREADY_RESOLVED", payload.getJsonArray("userErrors").getJsonObject(0).getString("code"));
            }
        }
        assertEquals(1, winners);
        int available = availableOf(member);
        assertEquals(true, available == 50 || available == 150, "captured once (50 left) or voided once (150 left): " + available);
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void retryingACaptureReturnsTheSameRedemption() {
        EnrolledMember member = memberWith(150);
        String holdId = authorize(FRESHMART, member, 100, null).getString("data.authorizeRedemption.hold.id");
        Map<String, Object> input = Map.of("idempotencyKey", Fixtures.key(), "holdId", holdId);

        JsonPath first = GraphQl.call(Tokens.partner(FRESHMART), CAPTURE, Map.of("input", input));
        JsonPath retry = GraphQl.call(Tokens.partner(FRESHMART), CAPTURE, Map.of("input", input));

        assertEquals(first.getMap("data.captureRedemption.transaction"), retry.getMap("data.captureRedemption.transaction"));
        assertEquals(50, availableOf(member));
    }

    static EnrolledMember memberWith(int points) {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        int euros = points * 2 / 3;
        assertEquals(points, Fixtures.earnOk(FRESHMART, member, euros + ".00"), "1.5 points per euro");
        return member;
    }

    static JsonPath authorize(String partner, EnrolledMember member, int points, Integer expiresInSeconds) {
        Map<String, Object> input = new HashMap<>(Map.of("idempotencyKey", Fixtures.key(), "member", member.ref(), "points", points));
        input.put("expiresInSeconds", expiresInSeconds);
        return GraphQl.call(Tokens.partner(partner), AUTHORIZE, Map.of("input", input));
    }

    static JsonPath capture(String partner, String holdId, Integer points) {
        Map<String, Object> input = new HashMap<>(Map.of("idempotencyKey", Fixtures.key(), "holdId", holdId));
        input.put("points", points);
        return GraphQl.call(Tokens.partner(partner), CAPTURE, Map.of("input", input));
    }

    static JsonPath voidHold(String partner, String holdId) {
        return GraphQl.call(Tokens.partner(partner), VOID,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "holdId", holdId)));
    }

    static int availableOf(EnrolledMember member) {
        return GraphQl.call(Tokens.settlement(), "query($ref: MemberRefInput!) { member(ref: $ref) { available } }",
                Map.of("ref", member.ref())).getInt("data.member.available");
    }

    private static JsonObject payload(JsonObject response, String field) {
        return response.getJsonObject("data").getJsonObject(field);
    }
}
