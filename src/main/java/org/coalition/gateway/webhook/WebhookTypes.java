package org.coalition.gateway.webhook;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;

import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Enum;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import io.vertx.mutiny.sqlclient.Row;

import org.coalition.gateway.shared.UserError;

/** GraphQL shapes of a partner's webhook endpoints and their deliveries. */
public final class WebhookTypes {

    private WebhookTypes() {
    }

    @Type("WebhookEndpoint")
    @Description("Where a partner receives its events. The signing secret is never shown here: only when created or rotated.")
    public record WebhookEndpoint(@Id @NonNull String id, @NonNull String url, String description,
            @NonNull List<@NonNull PartnerEventType> eventTypes, boolean enabled, @NonNull Instant createdAt,
            @NonNull Instant updatedAt,
            @Description("Until when deliveries are also signed with the secret before the last rotation.") Instant previousSecretExpiresAt,
            @Description("Failed attempts since the last delivered event; the circuit opens at a threshold.") int consecutiveFailures,
            @Description("While set and in the future, no delivery is attempted (circuit open).") Instant circuitOpenUntil,
            int pendingDeliveries, int deadLetters) {

        static final String COLUMNS = """
                e.id, e.url, e.description, e.event_types, e.enabled, e.created_at, e.updated_at,
                e.previous_secret_expires_at, e.consecutive_failures, e.breaker_open_until,
                (select count(*) from webhook_deliveries d where d.endpoint_id = e.id and d.status = 'PENDING')
                    + webhook_stream_backlog(e.id) as pending,
                (select count(*) from webhook_deliveries d where d.endpoint_id = e.id and d.status = 'DEAD') as dead
                """;

        static WebhookEndpoint from(Row row) {
            return new WebhookEndpoint(row.getUUID("id").toString(), row.getString("url"), row.getString("description"),
                    Arrays.stream(row.getArrayOfStrings("event_types"))
                            .map(wire -> PartnerEventType.fromWireName(wire).orElseThrow()).toList(),
                    row.getBoolean("enabled"), instant(row, "created_at"), instant(row, "updated_at"),
                    instant(row, "previous_secret_expires_at"), row.getInteger("consecutive_failures"),
                    instant(row, "breaker_open_until"), row.getLong("pending").intValue(), row.getLong("dead").intValue());
        }
    }

    @Enum("WebhookDeliveryStatus")
    public enum WebhookDeliveryStatus {
        PENDING,
        DELIVERED,
        @Description("Gave up after the last retry; replayWebhookDeliveries sends it again.")
        DEAD
    }

    @Type("WebhookDelivery")
    @Description("One event on its way to one endpoint.")
    public record WebhookDelivery(@Id @NonNull String id, @NonNull @Description("The event's id, stable across retries: de-duplicate on it.") String eventId,
            @NonNull PartnerEventType eventType, @NonNull WebhookDeliveryStatus status, int attempts,
            Instant nextAttemptAt, Instant lastAttemptAt, Integer lastResponseStatus, String lastError, Instant deliveredAt,
            @NonNull Instant createdAt, @NonNull @Description("The JSON body the endpoint receives.") String body) {

        static final String COLUMNS = """
                d.id, d.event_id, d.status, d.attempts, d.next_attempt_at, d.last_attempt_at, d.last_response_status,
                d.last_error, d.delivered_at, d.created_at, ev.type, ev.payload::text as payload_text, ev.created_at as event_created_at, ev.partner_id
                """;

        static WebhookDelivery from(Row row) {
            return new WebhookDelivery(row.getLong("id").toString(), EventBody.eventId(row.getLong("event_id")),
                    PartnerEventType.fromWireName(row.getString("type")).orElseThrow(),
                    WebhookDeliveryStatus.valueOf(row.getString("status")), row.getInteger("attempts"),
                    "PENDING".equals(row.getString("status")) ? instant(row, "next_attempt_at") : null,
                    instant(row, "last_attempt_at"), row.getInteger("last_response_status"), row.getString("last_error"),
                    instant(row, "delivered_at"), instant(row, "created_at"), EventBody.of(row));
        }
    }

    @Input("CreateWebhookEndpointInput")
    public static class CreateWebhookEndpointInput {
        @NonNull
        public String idempotencyKey;
        @NonNull
        @Description("https URL on a public address (plain http and private addresses only outside production).")
        public String url;
        @NonNull
        public List<@NonNull PartnerEventType> eventTypes;
        public String description;
    }

    @Input("UpdateWebhookEndpointInput")
    @Description("Changes what is given; fields left out stay as they are.")
    public static class UpdateWebhookEndpointInput {
        @NonNull
        public String idempotencyKey;
        @Id
        @NonNull
        public String id;
        public String url;
        public List<@NonNull PartnerEventType> eventTypes;
        public String description;
        @Description("A disabled endpoint queues nothing for events raised while disabled.")
        public Boolean enabled;
    }

    @Input("RotateWebhookSigningSecretInput")
    public static class RotateWebhookSigningSecretInput {
        @NonNull
        public String idempotencyKey;
        @Id
        @NonNull
        public String id;
        @DefaultValue("86400")
        @Description("How long deliveries also carry a signature with the old secret (0 to 604800 seconds), so receivers can switch without losing events.")
        public Integer previousSecretValidForSeconds;
    }

    @Input("DeleteWebhookEndpointInput")
    public static class DeleteWebhookEndpointInput {
        @NonNull
        public String idempotencyKey;
        @Id
        @NonNull
        public String id;
    }

    @Input("ReplayWebhookDeliveriesInput")
    public static class ReplayWebhookDeliveriesInput {
        @NonNull
        public String idempotencyKey;
        @Id
        @NonNull
        public String endpointId;
        @Description("Dead deliveries to send again; all of the endpoint's dead deliveries when left out.")
        @Id
        public List<@NonNull String> deliveryIds;
    }

    @Type("WebhookEndpointPayload")
    public record WebhookEndpointPayload(WebhookEndpoint endpoint,
            @Description("Only when the endpoint is created or its secret rotated: keep it, it is not shown again.") String signingSecret,
            @NonNull List<@NonNull UserError> userErrors) {
        static WebhookEndpointPayload of(WebhookEndpoint endpoint) {
            return new WebhookEndpointPayload(endpoint, null, List.of());
        }

        static WebhookEndpointPayload withSecret(WebhookEndpoint endpoint, String secret) {
            return new WebhookEndpointPayload(endpoint, secret, List.of());
        }

        static WebhookEndpointPayload failed(List<UserError> errors) {
            return new WebhookEndpointPayload(null, null, errors);
        }
    }

    @Type("DeleteWebhookEndpointPayload")
    public record DeleteWebhookEndpointPayload(@Id String deletedEndpointId, @NonNull List<@NonNull UserError> userErrors) {
        static DeleteWebhookEndpointPayload failed(List<UserError> errors) {
            return new DeleteWebhookEndpointPayload(null, errors);
        }
    }

    @Type("ReplayWebhookDeliveriesPayload")
    public record ReplayWebhookDeliveriesPayload(@Description("Deliveries queued again.") int replayed,
            @NonNull List<@NonNull UserError> userErrors) {
        static ReplayWebhookDeliveriesPayload failed(List<UserError> errors) {
            return new ReplayWebhookDeliveriesPayload(0, errors);
        }
    }

    static Instant instant(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }
}
