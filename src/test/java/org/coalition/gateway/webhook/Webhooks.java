package org.coalition.gateway.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.restassured.path.json.JsonPath;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;

/** A partner's integrator managing webhook endpoints through the GraphQL API. */
final class Webhooks {

    static final String ENDPOINT_FIELDS = "id url description eventTypes enabled consecutiveFailures pendingDeliveries deadLetters previousSecretExpiresAt";
    static final String CREATE = """
            mutation($input: CreateWebhookEndpointInput!) {
              createWebhookEndpoint(input: $input) { endpoint { %s } signingSecret userErrors { code field message } }
            }""".formatted(ENDPOINT_FIELDS);
    static final String UPDATE = """
            mutation($input: UpdateWebhookEndpointInput!) {
              updateWebhookEndpoint(input: $input) { endpoint { %s } signingSecret userErrors { code field message } }
            }""".formatted(ENDPOINT_FIELDS);
    static final String ROTATE = """
            mutation($input: RotateWebhookSigningSecretInput!) {
              rotateWebhookSigningSecret(input: $input) { endpoint { %s } signingSecret userErrors { code field message } }
            }""".formatted(ENDPOINT_FIELDS);
    static final String DELETE = """
            mutation($input: DeleteWebhookEndpointInput!) {
              deleteWebhookEndpoint(input: $input) { deletedEndpointId userErrors { code field message } }
            }""";
    static final String REPLAY = """
            mutation($input: ReplayWebhookDeliveriesInput!) {
              replayWebhookDeliveries(input: $input) { replayed userErrors { code field message } }
            }""";
    static final String REVERSE = """
            mutation($input: ReverseTransactionInput!) {
              reverseTransaction(input: $input) { transaction { id } userErrors { code field message } }
            }""";
    static final String LIST = "query { webhookEndpoints { %s } }".formatted(ENDPOINT_FIELDS);
    static final String DELIVERIES = """
            query($endpoint: ID!, $status: WebhookDeliveryStatus) {
              webhookDeliveries(endpointId: $endpoint, status: $status, first: 200) {
                id eventId eventType status attempts lastResponseStatus lastError deliveredAt body
              }
            }""";

    record Endpoint(String id, String secret) {
    }

    private Webhooks() {
    }

    static JsonPath create(String partnerClient, String url, List<String> eventTypes) {
        Map<String, Object> input = new HashMap<>();
        input.put("idempotencyKey", Fixtures.key());
        input.put("url", url);
        input.put("eventTypes", eventTypes);
        return GraphQl.call(Tokens.partner(partnerClient), CREATE, Map.of("input", input));
    }

    /** Creates an endpoint for TransactionPosted and insists that it worked. */
    static Endpoint createOk(String partnerClient, String url) {
        JsonPath created = create(partnerClient, url, List.of("TRANSACTION_POSTED"));
        assertEquals(List.of(), created.getList("data.createWebhookEndpoint.userErrors"), created::prettify);
        return new Endpoint(created.getString("data.createWebhookEndpoint.endpoint.id"),
                created.getString("data.createWebhookEndpoint.signingSecret"));
    }

    static JsonPath update(String partnerClient, Map<String, Object> changes) {
        Map<String, Object> input = new HashMap<>(changes);
        input.put("idempotencyKey", Fixtures.key());
        return GraphQl.call(Tokens.partner(partnerClient), UPDATE, Map.of("input", input));
    }

    /** Changes an endpoint and insists that it worked. */
    static JsonPath updateOk(String partnerClient, Map<String, Object> changes) {
        JsonPath updated = update(partnerClient, changes);
        assertEquals(List.of(), updated.getList("data.updateWebhookEndpoint.userErrors"), updated::prettify);
        return updated;
    }

    static JsonPath delete(String partnerClient, String endpointId) {
        return GraphQl.call(Tokens.partner(partnerClient), DELETE,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "id", endpointId)));
    }

    static List<Map<String, Object>> deliveries(String partnerClient, String endpointId, String status) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("endpoint", endpointId);
        variables.put("status", status);
        return GraphQl.call(Tokens.partner(partnerClient), DELIVERIES, variables).getList("data.webhookDeliveries");
    }

    /** Earns for {@code member} at the partner and returns the transaction's id. */
    static String earn(String partnerClient, EnrolledMember member) {
        JsonPath earned = Fixtures.earn(partnerClient, Fixtures.earnInput(member, "10.00"));
        assertEquals(List.of(), earned.getList("data.earnPoints.userErrors"), earned::prettify);
        return earned.getString("data.earnPoints.transaction.id");
    }
}
