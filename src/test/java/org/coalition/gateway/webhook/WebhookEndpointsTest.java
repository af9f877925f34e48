package org.coalition.gateway.webhook;

import static org.awaitility.Awaitility.await;
import static org.coalition.gateway.support.Fixtures.FRESHMART;
import static org.coalition.gateway.support.Fixtures.FUELCO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;
import org.coalition.gateway.support.WebhookReceiver;
import org.coalition.gateway.support.WebhookReceiver.Received;

/** A partner's integrator sets up, changes and removes its endpoints; nobody else can touch them. */
@GatewayTest
class WebhookEndpointsTest {

    @Test
    void theSecretIsShownOnCreationOnlyAndListingsNeverShowIt() {
        JsonPath created = Webhooks.create(FRESHMART, "https://hooks.example.com/coalition",
                List.of("TRANSACTION_POSTED", "DISPUTE_OPENED", "TRANSACTION_POSTED"));

        assertEquals(List.of(), created.getList("data.createWebhookEndpoint.userErrors"));
        String secret = created.getString("data.createWebhookEndpoint.signingSecret");
        assertTrue(secret.startsWith("whsec_") && secret.length() > 40, secret);
        String id = created.getString("data.createWebhookEndpoint.endpoint.id");
        assertEquals(List.of("TRANSACTION_POSTED", "DISPUTE_OPENED"), created.getList("data.createWebhookEndpoint.endpoint.eventTypes"));
        JsonPath listed = GraphQl.call(Tokens.partner(FRESHMART), Webhooks.LIST);
        assertTrue(listed.getList("data.webhookEndpoints.id").contains(id));
        assertFalse(listed.prettify().contains(secret));
        assertNotNull(GraphQl.call(Tokens.partner(FRESHMART), "query { webhookEndpoints { id signingSecret } }").getList("errors"),
                "an endpoint has no signingSecret field to query");
        Webhooks.delete(FRESHMART, id);
    }

    @Test
    void anotherPartnerCannotSeeChangeOrDeleteAnEndpoint() {
        Webhooks.Endpoint endpoint = Webhooks.createOk(FRESHMART, "https://hooks.example.com/freshmart");

        assertFalse(GraphQl.call(Tokens.partner(FUELCO), Webhooks.LIST).getList("data.webhookEndpoints.id").contains(endpoint.id()));
        assertEquals("WEBHOOK_ENDPOINT_NOT_FOUND", Webhooks.update(FUELCO, Map.of("id", endpoint.id(), "enabled", false))
                .getString("data.updateWebhookEndpoint.userErrors[0].code"));
        assertEquals("WEBHOOK_ENDPOINT_NOT_FOUND", Webhooks.delete(FUELCO, endpoint.id())
                .getString("data.deleteWebhookEndpoint.userErrors[0].code"));
        assertEquals(List.of(), Webhooks.deliveries(FUELCO, endpoint.id(), null));

        assertEquals(endpoint.id(), Webhooks.delete(FRESHMART, endpoint.id()).getString("data.deleteWebhookEndpoint.deletedEndpointId"));
        assertFalse(GraphQl.call(Tokens.partner(FRESHMART), Webhooks.LIST).getList("data.webhookEndpoints.id").contains(endpoint.id()));
    }

    @Test
    void managingEndpointsNeedsTheWebhooksScope() {
        String withoutScope = Tokens.partner(FRESHMART, "points:earn members:read");

        JsonPath refused = GraphQl.call(withoutScope, Webhooks.LIST);

        assertEquals("FORBIDDEN", refused.getString("errors[0].extensions.reason"), refused::prettify);
        assertNull(refused.get("data.webhookEndpoints"));
    }

    @Test
    void badInputIsATypedErrorAndCreatesNothing() {
        int before = GraphQl.call(Tokens.partner(FUELCO), Webhooks.LIST).getList("data.webhookEndpoints").size();

        assertInvalid(Webhooks.create(FUELCO, "ftp://hooks.example.com/x", List.of("TRANSACTION_POSTED")), "url");
        assertInvalid(Webhooks.create(FUELCO, "not a url", List.of("TRANSACTION_POSTED")), "url");
        assertInvalid(Webhooks.create(FUELCO, "https://user:pass@hooks.example.com/x", List.of("TRANSACTION_POSTED")), "url");
        assertInvalid(Webhooks.create(FUELCO, "https://hooks.example.com/x", List.of()), "eventTypes");

        assertEquals(before, GraphQl.call(Tokens.partner(FUELCO), Webhooks.LIST).getList("data.webhookEndpoints").size());
    }

    @Test
    void aKeyReusedForAnotherEndpointIsAConflictAndARetryCreatesOneEndpoint() {
        Map<String, Object> input = new HashMap<>(Map.of("idempotencyKey", Fixtures.key(), "url", "https://hooks.example.com/a",
                "eventTypes", List.of("TRANSACTION_POSTED")));
        JsonPath first = GraphQl.call(Tokens.partner(FUELCO), Webhooks.CREATE, Map.of("input", input));
        JsonPath retry = GraphQl.call(Tokens.partner(FUELCO), Webhooks.CREATE, Map.of("input", input));
        input.put("url", "https://hooks.example.com/b");
        JsonPath conflict = GraphQl.call(Tokens.partner(FUELCO), Webhooks.CREATE, Map.of("input", input));

        String id = first.getString("data.createWebhookEndpoint.endpoint.id");
        assertEquals(id, retry.getString("data.createWebhookEndpoint.endpoint.id"));
        assertEquals(first.getString("data.createWebhookEndpoint.signingSecret"), retry.getString("data.createWebhookEndpoint.signingSecret"));
        assertEquals("IDEMPOTENCY_CONFLICT", conflict.getString("data.createWebhookEndpoint.userErrors[0].code"));
        assertEquals(1, GraphQl.call(Tokens.partner(FUELCO), Webhooks.LIST).getList("data.webhookEndpoints.url")
                .stream().filter("https://hooks.example.com/a"::equals).count());
        Webhooks.delete(FUELCO, id);
    }

    @Test
    void afterARotationDeliveriesCarryBothSignaturesUntilTheOldSecretExpires() {
        try (WebhookReceiver receiver = WebhookReceiver.started()) {
            Webhooks.Endpoint endpoint = Webhooks.createOk(FRESHMART, receiver.url());
            JsonPath rotated = GraphQl.call(Tokens.partner(FRESHMART), Webhooks.ROTATE,
                    Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "id", endpoint.id(), "previousSecretValidForSeconds", 3600)));
            String newSecret = rotated.getString("data.rotateWebhookSigningSecret.signingSecret");
            assertNotEquals(endpoint.secret(), newSecret);
            assertNotNull(rotated.getString("data.rotateWebhookSigningSecret.endpoint.previousSecretExpiresAt"));

            String transactionId = Webhooks.earn(FRESHMART, Fixtures.enroll(FRESHMART));

            Received delivery = await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received().stream()
                    .filter(r -> transactionId.equals(r.json().getJsonObject("data").getString("transactionId"))).findFirst(),
                    java.util.Optional::isPresent).get();
            for (String secret : List.of(endpoint.secret(), newSecret)) {
                assertTrue(WebhookSignature.verify(delivery.header("Coalition-Signature"), delivery.body(), secret, Instant.now(),
                        Duration.ofMinutes(5)));
            }
            Webhooks.delete(FRESHMART, endpoint.id());
        }
    }

    @Test
    void aDisabledEndpointQueuesNothingAndEventTypesFilterWhatIsQueued() {
        Webhooks.Endpoint endpoint = Webhooks.createOk(FRESHMART, "https://hooks.example.com/disabled");
        JsonPath disabled = Webhooks.update(FRESHMART, Map.of("id", endpoint.id(), "enabled", false));
        assertFalse(disabled.getBoolean("data.updateWebhookEndpoint.endpoint.enabled"));

        Webhooks.earn(FRESHMART, Fixtures.enroll(FRESHMART));
        assertEquals(List.of(), Webhooks.deliveries(FRESHMART, endpoint.id(), null));

        JsonPath retyped = Webhooks.update(FRESHMART, Map.of("id", endpoint.id(), "enabled", true, "eventTypes", List.of("DISPUTE_OPENED")));
        assertEquals(List.of("DISPUTE_OPENED"), retyped.getList("data.updateWebhookEndpoint.endpoint.eventTypes"));
        assertNull(retyped.getString("data.updateWebhookEndpoint.signingSecret"));
        Webhooks.earn(FRESHMART, Fixtures.enroll(FRESHMART));
        assertEquals(List.of(), Webhooks.deliveries(FRESHMART, endpoint.id(), null));
        Webhooks.delete(FRESHMART, endpoint.id());
    }

    private static void assertInvalid(JsonPath result, String field) {
        assertEquals("INVALID_INPUT", result.getString("data.createWebhookEndpoint.userErrors[0].code"), result::prettify);
        assertEquals(List.of("input", field), result.getList("data.createWebhookEndpoint.userErrors[0].field"));
        assertNull(result.get("data.createWebhookEndpoint.endpoint"));
    }
}
