package org.coalition.gateway.redemption;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import org.coalition.gateway.ledger.LedgerAudit;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

@GatewayTest
class ConcurrentRedemptionTest {

    @Inject
    LedgerAudit audit;

    @Test
    void twoHundredConcurrentRedemptionsOfOnePointNeverOverdrawAHundredPointBalance() {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        Fixtures.earnOk(FRESHMART, member, "40.00");
        Fixtures.earnOk(FRESHMART, member, "26.67");
        assertEquals(100, balanceOf(member), "60 + 40 points earned in two lots");

        String token = Tokens.partner(FRESHMART);
        List<CompletableFuture<JsonObject>> responses = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            responses.add(GraphQl.send(token, Fixtures.REDEEM, Map.of("input", Fixtures.redeemInput(member, 1))));
        }
        CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).join();

        int succeeded = 0;
        int insufficient = 0;
        for (CompletableFuture<JsonObject> response : responses) {
            JsonObject payload = response.join().getJsonObject("data").getJsonObject("redeemPoints");
            JsonArray errors = payload.getJsonArray("userErrors");
            if (errors.isEmpty()) {
                succeeded++;
            } else {
                assertEquals("INSUFFICIENT_POINTS", errors.getJsonObject(0).getString("code"));
                insufficient++;
            }
        }
        assertEquals(100, succeeded);
        assertEquals(100, insufficient);
        assertEquals(0, balanceOf(member));
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    static int balanceOf(EnrolledMember member) {
        return GraphQl.call(Tokens.partner(FRESHMART), "query($ref: MemberRefInput!) { member(ref: $ref) { balance } }",
                Map.of("ref", member.ref())).getInt("data.member.balance");
    }
}
