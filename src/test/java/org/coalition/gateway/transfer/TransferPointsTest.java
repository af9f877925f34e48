package org.coalition.gateway.transfer;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.coalition.gateway.transfer.HouseholdTest.householdOf;
import static org.coalition.gateway.transfer.Transfers.ACCEPT;
import static org.coalition.gateway.transfer.Transfers.DECLINE;
import static org.coalition.gateway.transfer.Transfers.answer;
import static org.coalition.gateway.transfer.Transfers.available;
import static org.coalition.gateway.transfer.Transfers.balance;
import static org.coalition.gateway.transfer.Transfers.byIssuer;
import static org.coalition.gateway.transfer.Transfers.person;
import static org.coalition.gateway.transfer.Transfers.reverse;
import static org.coalition.gateway.transfer.Transfers.transfer;
import static org.coalition.gateway.transfer.Transfers.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;

import org.coalition.gateway.ledger.LedgerAudit;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;
import org.coalition.gateway.transfer.Transfers.Person;

@GatewayTest
class TransferPointsTest {

    private static final String MY_TRANSFERS = """
            { myTransfers { sent { id status points } received { id status points } awaitingMyAnswer { id } } }""";

    @Inject
    LedgerAudit audit;
    @Inject
    TransferService transfers;

    @AfterEach
    void theLedgerStaysSound() {
        assertEquals(List.of(), audit.violations().await().indefinitely());
    }

    @Test
    void withinAHouseholdPointsMoveAtOnceKeepingTheirIssuerAndExpiry() {
        Person ann = person(FRESHMART, "100.00");
        Fixtures.earnOk(FUELCO, ann.member(), "100.00");
        Person bob = person(FRESHMART);
        householdOf(ann, bob);
        int annBefore = balance(ann);
        Map<String, Integer> annIssuers = byIssuer(ann);
        String annExpiry = view(ann).getString("data.member.nextExpiryAt");
        int fromFreshmart = annIssuers.get("freshmart");

        JsonPath sent = transfer(ann, bob, fromFreshmart + 10);

        assertEquals(List.of(), sent.getList("data.transferPoints.userErrors"));
        assertEquals("POSTED", sent.getString("data.transferPoints.transfer.status"));
        assertTrue(sent.getBoolean("data.transferPoints.transfer.withinHousehold"));
        assertNotNull(sent.getString("data.transferPoints.transfer.transactionId"));
        assertEquals(annBefore - fromFreshmart - 10, balance(ann));
        assertEquals(fromFreshmart + 10, balance(bob));
        assertEquals(Map.of("freshmart", fromFreshmart, "fuelco", 10), byIssuer(bob), "oldest first: FreshMart's lot, then FuelCo's");
        assertEquals(Map.of("fuelco", annIssuers.get("fuelco") - 10), byIssuer(ann));
        assertEquals(annExpiry, view(bob).getString("data.member.nextExpiryAt"), "the lots keep their expiry");
        assertEquals("TRANSFER", GraphQl.call(ann.token(), "{ me { transactions(first: 1) { edges { node { kind points } } } } }")
                .getString("data.me.transactions.edges[0].node.kind"));
    }

    @Test
    void outsideAHouseholdATransferIsAnOfferThatHoldsPointsUntilAccepted() {
        Person ann = person(FRESHMART, "100.00");
        Person bob = person(FUELCO);
        int before = balance(ann);

        JsonPath offered = transfer(ann, bob, 40);

        assertEquals("PENDING", offered.getString("data.transferPoints.transfer.status"));
        assertNotNull(offered.getString("data.transferPoints.transfer.expiresAt"));
        String id = offered.getString("data.transferPoints.transfer.id");
        assertEquals(before, balance(ann));
        assertEquals(before - 40, available(ann));
        assertEquals(List.of(id), GraphQl.call(bob.token(), MY_TRANSFERS).getList("data.myTransfers.awaitingMyAnswer.id"));
        assertEquals("TRANSFER_NOT_FOUND", answer(ACCEPT, ann, id).getString("data.acceptPointsTransfer.userErrors[0].code"),
                "the sender cannot accept for the recipient");

        JsonPath accepted = answer(ACCEPT, bob, id);

        assertEquals("POSTED", accepted.getString("data.acceptPointsTransfer.transfer.status"));
        assertEquals(before - 40, balance(ann));
        assertEquals(before - 40, available(ann));
        assertEquals(40, balance(bob));
        assertEquals(Map.of("freshmart", 40), byIssuer(bob));
        assertEquals("TRANSFER_ALREADY_RESOLVED", answer(DECLINE, bob, id).getString("data.declinePointsTransfer.userErrors[0].code"));
    }

    @Test
    void aDeclinedOrExpiredOfferGivesThePointsBack() {
        Person ann = person(FRESHMART, "100.00");
        Person bob = person(FRESHMART);
        int before = balance(ann);
        String declined = transfer(ann, bob, 30).getString("data.transferPoints.transfer.id");
        String expiring = transfer(ann, bob, 20).getString("data.transferPoints.transfer.id");
        assertEquals(before - 50, available(ann));

        assertEquals("DECLINED", answer(DECLINE, bob, declined).getString("data.declinePointsTransfer.transfer.status"));
        assertEquals(before - 20, available(ann));
        assertTrue(transfers.releaseExpired(Instant.now().plus(Duration.ofDays(8))).await().indefinitely() >= 1);

        assertEquals(before, available(ann));
        assertEquals(before, balance(ann));
        assertEquals(0, balance(bob));
        JsonPath mine = GraphQl.call(ann.token(), MY_TRANSFERS);
        assertEquals(List.of("EXPIRED", "DECLINED"), mine.getList("data.myTransfers.sent.status"));
        assertEquals("TRANSFER_ALREADY_RESOLVED", answer(ACCEPT, bob, expiring).getString("data.acceptPointsTransfer.userErrors[0].code"));
    }

    @Test
    void limitsSelfAndInsufficientPointsAreTypedErrorsThatWriteNothing() {
        Person ann = person(FRESHMART, "100.00");
        Person bob = person(FRESHMART);
        int before = balance(ann);

        assertEquals("LIMIT_EXCEEDED", transfer(ann, bob, 10_001).getString("data.transferPoints.userErrors[0].code"));
        assertEquals("INVALID_INPUT", transfer(ann, bob, 0).getString("data.transferPoints.userErrors[0].code"));
        assertEquals("INVALID_INPUT", transfer(ann, bob, -3).getString("data.transferPoints.userErrors[0].code"));
        assertEquals("INVALID_INPUT", transfer(ann, ann, 5).getString("data.transferPoints.userErrors[0].code"));
        assertEquals("MEMBER_NOT_FOUND", transfer(ann, Fixtures.newCardNumber(), 5, Fixtures.key())
                .getString("data.transferPoints.userErrors[0].code"));
        JsonPath tooMuch = transfer(ann, bob, before + 1);
        assertEquals("INSUFFICIENT_POINTS", tooMuch.getString("data.transferPoints.userErrors[0].code"));
        assertNull(tooMuch.get("data.transferPoints.transfer"));

        assertEquals(before, available(ann));
        assertEquals(List.of(), GraphQl.call(ann.token(), MY_TRANSFERS).getList("data.myTransfers.sent"));
    }

    @Test
    void theSameKeyReplaysAndADifferentPayloadConflicts() {
        Person ann = person(FRESHMART, "100.00");
        Person bob = person(FRESHMART);
        householdOf(ann, bob);
        String key = Fixtures.key();

        String first = transfer(ann, bob.card(), 10, key).getString("data.transferPoints.transfer.id");
        String again = transfer(ann, bob.card(), 10, key).getString("data.transferPoints.transfer.id");
        JsonPath conflict = transfer(ann, bob.card(), 11, key);

        assertEquals(first, again);
        assertEquals("IDEMPOTENCY_CONFLICT", conflict.getString("data.transferPoints.userErrors[0].code"));
        assertEquals(10, balance(bob));
    }

    @Test
    void concurrentTransfersNeverOverdraw() {
        Person ann = person(FRESHMART, "100.00");
        Person bob = person(FRESHMART);
        Person cid = person(FUELCO);
        householdOf(ann, bob, cid);
        int before = balance(ann);
        int each = before / 4 + 1;

        List<CompletableFuture<JsonObject>> sends = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Person to = i % 2 == 0 ? bob : cid;
            sends.add(GraphQl.send(ann.token(), Transfers.TRANSFER, Map.of("input",
                    Map.of("idempotencyKey", Fixtures.key(), "toCardNumber", to.card(), "points", each))));
        }
        long posted = sends.stream().map(CompletableFuture::join)
                .filter(result -> result.getJsonObject("data").getJsonObject("transferPoints").getJsonArray("userErrors").isEmpty())
                .count();

        assertEquals(3, posted);
        assertEquals(before - 3 * each, balance(ann));
        assertEquals(3 * each, balance(bob) + balance(cid));
    }

    @Test
    void theOperatorReversesATransferAndTheRecipientsSpentPointsAreTheShortfall() {
        Person ann = person(FRESHMART, "100.00");
        Person bob = person(FRESHMART);
        householdOf(ann, bob);
        Map<String, Integer> annBefore = byIssuer(ann);
        int before = balance(ann);
        String id = transfer(ann, bob, 50).getString("data.transferPoints.transfer.id");
        assertEquals(List.of(), Fixtures.redeem(FRESHMART, Fixtures.redeemInput(bob.member(), 20)).getList("data.redeemPoints.userErrors"));

        assertEquals("FORBIDDEN", reverse(Tokens.settlement(), id).getString("data.reverseTransfer.userErrors[0].code"));
        assertEquals("FORBIDDEN", reverse(ann.token(), id).getString("errors[0].extensions.reason"));
        JsonPath reversed = reverse(Tokens.withRoles("ops-admin", "operator"), id);

        assertEquals(List.of(), reversed.getList("data.reverseTransfer.userErrors"));
        assertEquals("REVERSED", reversed.getString("data.reverseTransfer.transfer.status"));
        assertEquals(20, reversed.getInt("data.reverseTransfer.transfer.reversalShortfall"));
        assertNotNull(reversed.getString("data.reverseTransfer.transfer.reversalTransactionId"));
        assertEquals(before - 20, balance(ann));
        assertEquals(Map.of("freshmart", annBefore.get("freshmart") - 20), byIssuer(ann));
        assertEquals(0, balance(bob));
        assertEquals("NOT_REVERSIBLE", reverse(Tokens.withRoles("ops-admin", "operator"), id)
                .getString("data.reverseTransfer.userErrors[0].code"));
    }
}
