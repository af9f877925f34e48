package org.coalition.gateway.webhook;

import static org.awaitility.Awaitility.await;
import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;

import org.coalition.gateway.operations.OperationsInFlight;
import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.support.EmbeddedPostgresResource;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Projection;
import org.coalition.gateway.support.Tokens;
import org.coalition.gateway.support.WebhookReceiver;
import org.coalition.gateway.support.WebhookReceiver.Received;
import org.coalition.gateway.tenancy.TenantSessions;

/** Events reach a real HTTP receiver: signed, in order, at least once, through outages and slow receivers. */
@GatewayTest
class WebhookDeliveryTest {

    // generous: when the machine is loaded, a delivery waits behind many others; a failing run still ends
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    TenantSessions sessions;
    @Inject
    Vertx vertx;
    @Inject
    WebhookTargets targets;
    @Inject
    WebhookMetrics metrics;
    @Inject
    CoalitionConfig config;
    @Inject
    OperationsInFlight requests;

    private final List<WebhookReceiver> receivers = new ArrayList<>();
    private final List<String[]> endpoints = new ArrayList<>();

    @AfterEach
    void removeEndpointsAndReceivers() {
        endpoints.forEach(endpoint -> Webhooks.delete(endpoint[0], endpoint[1]));
        receivers.forEach(WebhookReceiver::close);
    }

    @Test
    void anEarnArrivesSignedWithTheSecretShownAtCreation() {
        WebhookReceiver receiver = receiver(WebhookReceiver.started());
        Webhooks.Endpoint endpoint = endpoint(FRESHMART, receiver);
        EnrolledMember member = Fixtures.enroll(FRESHMART);

        io.restassured.path.json.JsonPath earned = Fixtures.earn(FRESHMART, Fixtures.earnInput(member, "10.00"));
        String transactionId = earned.getString("data.earnPoints.transaction.id");

        Received delivery = await().atMost(PATIENCE).until(() -> eventsAbout(receiver, Set.of(transactionId)), events -> !events.isEmpty()).get(0);
        assertTrue(WebhookSignature.verify(delivery.header("Coalition-Signature"), delivery.body(), endpoint.secret(), Instant.now(),
                Duration.ofMinutes(5)), "signature verifies with the secret shown at creation");
        assertTrue(!WebhookSignature.verify(delivery.header("Coalition-Signature"), delivery.body() + " ", endpoint.secret(),
                Instant.now(), Duration.ofMinutes(5)), "a changed body does not verify");
        JsonObject event = delivery.json();
        assertEquals("TransactionPosted", event.getString("type"));
        assertEquals("TransactionPosted", delivery.header("Coalition-Event-Type"));
        assertEquals(event.getString("id"), delivery.header("Coalition-Event-Id"));
        assertTrue(event.getString("id").startsWith("evt_"));
        assertEquals("freshmart", event.getString("partnerId"));
        JsonObject data = event.getJsonObject("data");
        assertEquals(member.id(), data.getString("memberId"));
        assertEquals("EARN", data.getString("kind"));
        assertEquals(earned.getInt("data.earnPoints.transaction.points"), data.getInteger("points"));
        assertEquals(Instant.parse(earned.getString("data.earnPoints.transaction.postedAt")), Instant.parse(data.getString("postedAt")));
        assertEquals("10.00", data.getString("purchaseAmount"));
        assertEquals("EUR", data.getString("currency"));
        await().atMost(PATIENCE).until(() -> Webhooks.deliveries(FRESHMART, endpoint.id(), "DELIVERED").stream()
                .anyMatch(d -> d.get("eventId").equals(event.getString("id")) && d.get("attempts").equals(1)));
    }

    @Test
    void aPartnerHearsOnlyOfItsOwnTransactions() {
        WebhookReceiver freshmartReceiver = receiver(WebhookReceiver.started());
        endpoint(FRESHMART, freshmartReceiver);
        EnrolledMember member = Fixtures.enroll(FRESHMART);

        String fuelcoEarn = Webhooks.earn(FUELCO, member);
        String freshmartEarn = Webhooks.earn(FRESHMART, member);

        await().atMost(PATIENCE).until(() -> eventsAbout(freshmartReceiver, Set.of(freshmartEarn)).size() == 1);
        assertEquals(List.of(), eventsAbout(freshmartReceiver, Set.of(fuelcoEarn)));
    }

    @Test
    void aRefusedRequestRaisesNoEventAndQueuesNoDelivery() {
        WebhookReceiver receiver = receiver(WebhookReceiver.started());
        Webhooks.Endpoint endpoint = endpoint(FRESHMART, receiver);
        EnrolledMember member = Fixtures.enroll(FRESHMART);

        String refusal = Fixtures.redeem(FRESHMART, Fixtures.redeemInput(member, 1_000_000))
                .getString("data.redeemPoints.userErrors[0].code");
        String transactionId = Webhooks.earn(FRESHMART, member);

        assertEquals("INSUFFICIENT_POINTS", refusal);
        await().atMost(PATIENCE).until(() -> eventsAbout(receiver, Set.of(transactionId)).size() == 1);
        List<Map<String, Object>> deliveries = Webhooks.deliveries(FRESHMART, endpoint.id(), null);
        assertEquals(1, deliveries.size(), "the refused redemption left no event behind: " + deliveries);
        assertEquals(transactionId, new JsonObject((String) deliveries.get(0).get("body")).getJsonObject("data").getString("transactionId"));
    }

    @Test
    void aReceiverThatWasDownGetsEveryEventInOrderOnceItIsBack() {
        WebhookReceiver receiver = receiver(WebhookReceiver.started().holding());
        Webhooks.Endpoint endpoint = endpoint(FRESHMART, receiver);
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        List<String> earned = IntStream.range(0, 5).mapToObj(i -> Webhooks.earn(FRESHMART, member)).toList();
        await().atMost(PATIENCE).until(() -> receiver.inProgress() == 1);

        receiver.stop(); // goes down in the middle of the first delivery
        receiver.open();
        await().atMost(PATIENCE).until(() -> Webhooks.deliveries(FRESHMART, endpoint.id(), "PENDING").stream()
                .anyMatch(d -> ((Integer) d.get("attempts")) >= 1 && d.get("lastError") != null));
        receiver.start();

        await().atMost(PATIENCE).until(() -> distinctTransactions(receiver, Set.copyOf(earned)).size() == earned.size());
        assertEquals(earned, distinctTransactions(receiver, Set.copyOf(earned)), "in the order they were posted, once each");
    }

    @Test
    void aSlowReceiverDoesNotHoldUpAnotherPartnersDeliveries() {
        WebhookReceiver slow = receiver(WebhookReceiver.started().holding());
        WebhookReceiver fast = receiver(WebhookReceiver.started());
        endpoint(FRESHMART, slow);
        endpoint(FUELCO, fast);
        EnrolledMember member = Fixtures.enroll(FRESHMART);

        String stuck = Webhooks.earn(FRESHMART, member);
        await().atMost(PATIENCE).until(() -> slow.inProgress() == 1);
        String flowing = Webhooks.earn(FUELCO, member);

        await().atMost(PATIENCE).until(() -> eventsAbout(fast, Set.of(flowing)).size() == 1);
        assertEquals(1, slow.inProgress(), "FreshMart's receiver was still holding its request when FuelCo's event arrived");
        slow.open();
        await().atMost(PATIENCE).until(() -> !eventsAbout(slow, Set.of(stuck)).isEmpty());
    }

    @Test
    void aDeliveryThatKeepsFailingIsDeadLetteredAndCanBeReplayed() {
        WebhookReceiver receiver = receiver(WebhookReceiver.started().answering(500));
        Webhooks.Endpoint endpoint = endpoint(FRESHMART, receiver);
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String transactionId = Webhooks.earn(FRESHMART, member);

        List<Map<String, Object>> dead = await().atMost(PATIENCE)
                .until(() -> Webhooks.deliveries(FRESHMART, endpoint.id(), "DEAD"), list -> !list.isEmpty());
        assertEquals(config.webhooks().maxAttempts(), dead.get(0).get("attempts"));
        assertEquals(500, dead.get(0).get("lastResponseStatus"));
        assertEquals(config.webhooks().maxAttempts(), eventsAbout(receiver, Set.of(transactionId)).size(),
                "one request per attempt, and no more after the last");
        metrics.refreshBacklog().await().atMost(PATIENCE);
        assertTrue(RestAssured.get("/q/metrics").asString().contains("coalition_webhook_dead_letters{partner=\"freshmart\"}"));

        receiver.answering(200);
        Map<String, Object> input = Map.of("idempotencyKey", Fixtures.key(), "endpointId", endpoint.id());
        assertEquals(1, GraphQl.call(Tokens.partner(FRESHMART), Webhooks.REPLAY, Map.of("input", input))
                .getInt("data.replayWebhookDeliveries.replayed"));
        assertEquals(1, GraphQl.call(Tokens.partner(FRESHMART), Webhooks.REPLAY, Map.of("input", input))
                .getInt("data.replayWebhookDeliveries.replayed"), "a retried replay answers as the first did");

        await().atMost(PATIENCE).until(() -> Webhooks.deliveries(FRESHMART, endpoint.id(), "DELIVERED").size() == 1);
        assertEquals(List.of(), Webhooks.deliveries(FRESHMART, endpoint.id(), "DEAD"));
        List<String> ids = eventsAbout(receiver, Set.of(transactionId)).stream().map(Received::eventId).distinct().toList();
        assertEquals(1, ids.size(), "every attempt and the replay carry the same event id");
        String metricsText = RestAssured.get("/q/metrics").asString();
        assertTrue(metricsText.contains("coalition_webhook_attempts_total{outcome=\"dead\",partner=\"freshmart\"}"), metricsText);
        assertTrue(metricsText.contains("coalition_webhook_delivery_latency_seconds_count{partner=\"freshmart\"}"));
    }

    @Test
    void twoWorkersOnOneDatabaseSendEachEventOnceAndNeverTwoAtATime() {
        WebhookDeliveryWorker second = new WebhookDeliveryWorker(sessions, vertx, targets, metrics, requests, config);
        second.start();
        try {
            WebhookReceiver receiver = receiver(WebhookReceiver.started().slow(Duration.ofMillis(20)));
            endpoint(FRESHMART, receiver);
            EnrolledMember member = Fixtures.enroll(FRESHMART);
            List<CompletableFuture<JsonObject>> earns = IntStream.range(0, 40)
                    .mapToObj(i -> GraphQl.send(Tokens.partner(FRESHMART), Fixtures.EARN,
                            Map.of("input", Fixtures.earnInput(member, "10.00"))))
                    .toList();
            Set<String> earned = Set.copyOf(earns.stream()
                    .map(earn -> earn.join().getJsonObject("data").getJsonObject("earnPoints").getJsonObject("transaction").getString("id"))
                    .toList());

            await().atMost(PATIENCE).until(() -> distinctTransactions(receiver, earned).size() == earned.size());
            assertEquals(earned.size(), eventsAbout(receiver, earned).size(), "no event was sent twice");
            assertEquals(1, receiver.mostAtOnce(), "one endpoint never gets two deliveries at the same time");
        } finally {
            second.stop();
        }
    }

    @Test
    void anEventWhoseTransactionCommitsLateIsNeitherSkippedNorSentOutOfOrder() throws Exception {
        WebhookReceiver receiver = receiver(WebhookReceiver.started());
        endpoint(FRESHMART, receiver);
        EnrolledMember member = Fixtures.enroll(FRESHMART);
        String lateTransaction = UUID.randomUUID().toString();

        try (Connection late = DriverManager.getConnection(EmbeddedPostgresResource.jdbcUrl())) {
            late.setAutoCommit(false);
            // takes the lower event id first, then stays open while a later earn commits
            try (PreparedStatement publish = late.prepareStatement(
                    "select partner_event_publish('freshmart', 'TransactionPosted', null, null, jsonb_build_object('transactionId', ?))")) {
                publish.setString(1, lateTransaction);
                publish.execute();
            }
            String earlyTransaction = Webhooks.earn(FRESHMART, member);
            // five polls: a position by event id alone would send the earn's event now and pass over the open one for good
            await().during(config.webhooks().pollInterval().multipliedBy(5)).atMost(PATIENCE)
                    .until(() -> receiver.received().isEmpty());
            late.commit();

            Set<String> both = Set.of(lateTransaction, earlyTransaction);
            await().atMost(PATIENCE).until(() -> distinctTransactions(receiver, both).size() == 2);
            assertEquals(List.of(lateTransaction, earlyTransaction), distinctTransactions(receiver, both),
                    "the event of the transaction that began first goes first, and none is passed over");
            assertEquals(2, eventsAbout(receiver, both).size());
        }
    }

    @Test
    void anEndpointHearsOnlyTheTypesItChoseAndNothingRaisedWhileItWasOff() {
        WebhookReceiver receiver = receiver(WebhookReceiver.started());
        JsonPath created = Webhooks.create(FRESHMART, receiver.url(), List.of("TRANSACTION_REVERSED"));
        String endpointId = created.getString("data.createWebhookEndpoint.endpoint.id");
        endpoints.add(new String[] { FRESHMART, endpointId });
        EnrolledMember member = Fixtures.enroll(FRESHMART);

        String firstEarn = Webhooks.earn(FRESHMART, member);
        reverse(firstEarn);
        await().atMost(PATIENCE).until(() -> reversalsOf(receiver, firstEarn) == 1);
        assertTrue(receiver.received().stream().allMatch(r -> r.json().getString("type").equals("TransactionReversed")),
                "the earn's TransactionPosted, before the reversal in the stream, was passed over");

        Webhooks.updateOk(FRESHMART, Map.of("id", endpointId, "enabled", false));
        String whileOff = Webhooks.earn(FRESHMART, member);
        reverse(whileOff);
        Projection.awaitLevel(); // the two events exist (V64 writes them just after their transactions commit)
        Webhooks.updateOk(FRESHMART, Map.of("id", endpointId, "enabled", true));
        String afterwards = Webhooks.earn(FRESHMART, member);
        reverse(afterwards);

        await().atMost(PATIENCE).until(() -> reversalsOf(receiver, afterwards) == 1);
        assertEquals(0, reversalsOf(receiver, whileOff), "raised while the endpoint was off, and it would have come first");
    }

    private static void reverse(String transactionId) {
        JsonPath reversed = GraphQl.call(Tokens.partner(FRESHMART), Webhooks.REVERSE,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "transactionId", transactionId)));
        assertEquals(List.of(), reversed.getList("data.reverseTransaction.userErrors"), reversed::prettify);
    }

    private static long reversalsOf(WebhookReceiver receiver, String transactionId) {
        return receiver.received().stream()
                .filter(r -> transactionId.equals(r.json().getJsonObject("data").getString("reversesTransactionId"))).count();
    }

    private WebhookReceiver receiver(WebhookReceiver receiver) {
        receivers.add(receiver);
        return receiver;
    }

    private Webhooks.Endpoint endpoint(String partnerClient, WebhookReceiver receiver) {
        Webhooks.Endpoint endpoint = Webhooks.createOk(partnerClient, receiver.url());
        endpoints.add(new String[] { partnerClient, endpoint.id() });
        return endpoint;
    }

    /** Requests about these transactions, in arrival order, duplicates included. */
    private static List<Received> eventsAbout(WebhookReceiver receiver, Set<String> transactionIds) {
        return receiver.received().stream()
                .filter(r -> transactionIds.contains(r.json().getJsonObject("data").getString("transactionId")))
                .toList();
    }

    /** The transactions a de-duplicating receiver saw, in order of first arrival. */
    private static List<String> distinctTransactions(WebhookReceiver receiver, Set<String> transactionIds) {
        return eventsAbout(receiver, transactionIds).stream()
                .map(r -> r.json().getJsonObject("data").getString("transactionId")).distinct().toList();
    }
}
