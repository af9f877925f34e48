package org.coalition.gateway.ledger;

import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import org.coalition.gateway.support.EmbeddedPostgresResource;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.GraphQlSubscription;
import org.coalition.gateway.support.Tokens;

/** Live updates over WebSocket: each subscriber hears only about its own points and transactions. */
@GatewayTest
class SubscriptionsTest {

    private static final Duration PATIENCE = Duration.ofMillis(300);
    private static final int MAX_ROUNDS = 30;

    @Inject
    Vertx vertx;

    @Test
    void aMemberHearsOnlyTheirOwnBalanceChanges() throws Exception {
        EnrolledMember mine = Fixtures.enroll(FRESHMART);
        EnrolledMember someoneElse = Fixtures.enroll(FRESHMART);
        String token = Tokens.member("live-" + Fixtures.key());
        GraphQl.call(token, "mutation($input: ClaimMembershipInput!) { claimMembership(input: $input) { member { id } } }",
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "cardNumber", mine.cardNumber())));
        Fixtures.earnOk(FRESHMART, someoneElse, "1000.00");

        List<JsonObject> received = new ArrayList<>();
        Set<Integer> myBalances = new HashSet<>();
        try (GraphQlSubscription subscription = GraphQlSubscription.open(vertx, token,
                "subscription { balanceChanged { id balance } }")) {
            for (int round = 0; round < MAX_ROUNDS && received.isEmpty(); round++) {
                Fixtures.earnOk(FRESHMART, someoneElse, "10.00");
                myBalances.add(Fixtures.earn(FRESHMART, Fixtures.earnInput(mine, "10.00")).getInt("data.earnPoints.member.balance"));
                JsonObject message = subscription.next(PATIENCE);
                if (message != null) {
                    received.add(message);
                }
            }
            received.addAll(subscription.drain());
        }

        assertFalse(received.isEmpty(), "no balance update arrived");
        for (JsonObject message : received) {
            assertEquals("next", message.getString("type"), message.encode());
            JsonObject member = message.getJsonObject("payload").getJsonObject("data").getJsonObject("balanceChanged");
            assertEquals(mine.id(), member.getString("id"), "heard about another member: " + message.encode());
            assertTrue(myBalances.contains(member.getInteger("balance")), message.encode());
        }
    }

    @Test
    void aPartnerHearsOnlyAboutItsOwnTransactions() throws Exception {
        EnrolledMember member = Fixtures.enroll(FRESHMART);

        List<JsonObject> received = new ArrayList<>();
        Set<String> fuelCoTransactions = new HashSet<>();
        try (GraphQlSubscription subscription = GraphQlSubscription.open(vertx, Tokens.partner(FRESHMART),
                "subscription { transactionPosted { id kind points partner { id } } }")) {
            for (int round = 0; round < MAX_ROUNDS && received.isEmpty(); round++) {
                fuelCoTransactions.add(Fixtures.earn(FUELCO, Fixtures.earnInput(member, "10.00"))
                        .getString("data.earnPoints.transaction.id"));
                Fixtures.earnOk(FRESHMART, member, "10.00");
                JsonObject message = subscription.next(PATIENCE);
                if (message != null) {
                    received.add(message);
                }
            }
            received.addAll(subscription.drain());
        }

        assertFalse(received.isEmpty(), "no transaction arrived");
        for (JsonObject message : received) {
            JsonObject posted = message.getJsonObject("payload").getJsonObject("data").getJsonObject("transactionPosted");
            assertEquals("freshmart", posted.getJsonObject("partner").getString("id"), message.encode());
            // (a FreshMart earn of an earlier test may arrive too: its event is written just after it commits)
            assertFalse(fuelCoTransactions.contains(posted.getString("id")), message.encode());
        }
    }

    @Test
    void anEventThatCommitsAfterALaterOneStillArrives() throws Exception {
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        try (GraphQlSubscription subscription = GraphQlSubscription.open(vertx, Tokens.partner(FRESHMART),
                "subscription { transactionPosted { id } }")) {
            JsonObject first = null;
            for (int round = 0; round < MAX_ROUNDS && first == null; round++) {
                Fixtures.earnOk(FRESHMART, member, "10.00");
                first = subscription.next(PATIENCE);
            }
            assertTrue(first != null, "the subscription never started");
            // Two earns whose own events this subscriber has had, to have something to show for the two below.
            String earlier = Fixtures.earn(FRESHMART, Fixtures.earnInput(member, "10.00")).getString("data.earnPoints.transaction.id");
            String later = Fixtures.earn(FRESHMART, Fixtures.earnInput(member, "10.00")).getString("data.earnPoints.transaction.id");
            awaitTransaction(subscription, earlier);
            awaitTransaction(subscription, later);

            try (Connection open = DriverManager.getConnection(EmbeddedPostgresResource.jdbcUrl());
                    Connection committed = DriverManager.getConnection(EmbeddedPostgresResource.jdbcUrl())) {
                open.setAutoCommit(false);
                // The event of a transaction that is still open...
                raiseEvent(open, earlier, member);
                // ...and one that takes a higher event id and commits first: the poll reads past the open one.
                raiseEvent(committed, later, member);
                awaitTransaction(subscription, later);
                open.commit();
            }
            awaitTransaction(subscription, earlier);
        }
    }

    private static void raiseEvent(Connection sql, String transactionId, EnrolledMember member) throws Exception {
        try (PreparedStatement event = sql.prepareStatement(
                "insert into ledger_events (entry_id, member_id, partner_id) values (?::uuid, ?::uuid, ?)")) {
            event.setString(1, transactionId);
            event.setString(2, member.id());
            event.setString(3, "freshmart");
            event.executeUpdate();
        }
    }

    /** Reads the stream up to the transaction: what earlier rounds left in flight comes before it. */
    private static void awaitTransaction(GraphQlSubscription subscription, String transactionId) throws InterruptedException {
        for (int round = 0; round < MAX_ROUNDS; round++) {
            JsonObject message = subscription.next(PATIENCE);
            if (message != null && transactionId.equals(message.getJsonObject("payload").getJsonObject("data")
                    .getJsonObject("transactionPosted").getString("id"))) {
                return;
            }
        }
        throw new AssertionError("transaction " + transactionId + " never arrived");
    }
}
