package org.coalition.gateway.webhook;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.partner.PartnerDirectory;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.UserError;
import org.coalition.gateway.shared.UserErrors;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;
import org.coalition.gateway.webhook.WebhookTypes.CreateWebhookEndpointInput;
import org.coalition.gateway.webhook.WebhookTypes.DeleteWebhookEndpointInput;
import org.coalition.gateway.webhook.WebhookTypes.DeleteWebhookEndpointPayload;
import org.coalition.gateway.webhook.WebhookTypes.ReplayWebhookDeliveriesInput;
import org.coalition.gateway.webhook.WebhookTypes.ReplayWebhookDeliveriesPayload;
import org.coalition.gateway.webhook.WebhookTypes.RotateWebhookSigningSecretInput;
import org.coalition.gateway.webhook.WebhookTypes.UpdateWebhookEndpointInput;
import org.coalition.gateway.webhook.WebhookTypes.WebhookDelivery;
import org.coalition.gateway.webhook.WebhookTypes.WebhookDeliveryStatus;
import org.coalition.gateway.webhook.WebhookTypes.WebhookEndpoint;
import org.coalition.gateway.webhook.WebhookTypes.WebhookEndpointPayload;

/**
 * A partner's own webhook endpoints: create, change, rotate the secret, delete, and send dead deliveries
 * again. Row-level security keeps every statement to the caller's endpoints; the explicit partner
 * conditions are for the indexes.
 */
@ApplicationScoped
public class WebhookEndpointService {

    static final int MAX_DESCRIPTION_LENGTH = 500;
    static final int MAX_PREVIOUS_SECRET_SECONDS = 7 * 24 * 3600;
    static final int MAX_DELIVERIES_PAGE = 200;

    private static final String ENDPOINTS = "select " + WebhookEndpoint.COLUMNS
            + " from webhook_endpoints e where e.partner_id = $1 order by e.created_at, e.id";
    private static final String ENDPOINT = "select " + WebhookEndpoint.COLUMNS + ", e.signing_secret"
            + " from webhook_endpoints e where e.id = $1 and e.partner_id = $2";
    private static final String COUNT = "select count(*) from webhook_endpoints where partner_id = $1";
    private static final String INSERT = """
            insert into webhook_endpoints (id, partner_id, url, description, event_types, signing_secret)
            values ($1, $2, $3, $4, $5, $6)
            """;
    private static final String UPDATE = """
            update webhook_endpoints set url = coalesce($3, url), description = coalesce($4, description),
                   event_types = coalesce($5, event_types), enabled = coalesce($6, enabled), updated_at = now(),
                   -- events raised while it was off are not sent once it is back on, as they were never queued for it
                   stream_xact = case when $6 and not enabled then pg_current_xact_id() else stream_xact end,
                   stream_event = case when $6 and not enabled then 0 else stream_event end,
                   consecutive_failures = case when $6 then 0 else consecutive_failures end,
                   breaker_open_until = case when $6 then null else breaker_open_until end
            where id = $1 and partner_id = $2
            """;
    private static final String ROTATE = """
            update webhook_endpoints set previous_signing_secret = signing_secret,
                   previous_secret_expires_at = now() + make_interval(secs => $3), signing_secret = $4, updated_at = now()
            where id = $1 and partner_id = $2
            """;
    private static final String DELETE = """
            with gone as (delete from webhook_endpoints where id = $1 and partner_id = $2 returning id)
            delete from webhook_deliveries where endpoint_id in (select id from gone)
            """;
    private static final String EXISTS = "select 1 from webhook_endpoints where id = $1 and partner_id = $2";
    private static final String REPLAY = """
            with replayed as (
                update webhook_deliveries set status = 'PENDING', attempts = 0, next_attempt_at = now(), last_error = null
                where endpoint_id = $1 and partner_id = $2 and status = 'DEAD' and ($3::bigint[] is null or id = any ($3))
                returning id
            ), closed_circuit as (
                update webhook_endpoints set consecutive_failures = 0, breaker_open_until = null where id = $1
            )
            insert into webhook_replays (id, partner_id, endpoint_id, replayed)
            select $4, $2, $1, count(*) from replayed
            returning replayed
            """;
    private static final String REPLAY_RESULT = "select replayed from webhook_replays where id = $1";
    private static final String DELIVERIES = "select " + WebhookDelivery.COLUMNS + """
             from webhook_deliveries d join partner_events ev on ev.id = d.event_id
            where d.endpoint_id = $1 and d.partner_id = $2 and ($3::text is null or d.status = $3) and d.id > $4
            order by d.id limit $5
            """;

    private final TenantSessions sessions;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;
    private final PartnerDirectory partners;
    private final WebhookTargets targets;
    private final int maxEndpoints;

    public WebhookEndpointService(TenantSessions sessions, IdempotentTransactions idempotent, RequestFingerprints fingerprints,
            PartnerDirectory partners, WebhookTargets targets, CoalitionConfig config) {
        this.sessions = sessions;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
        this.partners = partners;
        this.targets = targets;
        this.maxEndpoints = config.webhooks().maxEndpointsPerPartner();
    }

    // ------------------------------------------------------------------ reads

    public Uni<List<WebhookEndpoint>> endpoints(Caller caller) {
        return sessions.inTransaction(caller, connection -> connection.preparedQuery(ENDPOINTS)
                .execute(Tuple.of(caller.partnerId()))
                .map(rows -> rows.stream().map(WebhookEndpoint::from).toList()));
    }

    public Uni<List<WebhookDelivery>> deliveries(Caller caller, String endpointId, WebhookDeliveryStatus status, Integer first,
            String after) {
        Optional<UUID> id = uuid(endpointId);
        long afterId = after == null ? 0 : parseLong(after).orElse(Long.MAX_VALUE);
        int limit = Math.max(1, Math.min(first == null ? 50 : first, MAX_DELIVERIES_PAGE));
        if (id.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return sessions.inTransaction(caller, connection -> connection.preparedQuery(DELIVERIES)
                .execute(Tuple.tuple().addUUID(id.get()).addString(caller.partnerId())
                        .addString(status == null ? null : status.name()).addLong(afterId).addInteger(limit))
                .map(rows -> rows.stream().map(WebhookDelivery::from).toList()));
    }

    // ------------------------------------------------------------------ create

    public Uni<WebhookEndpointPayload> create(Caller caller, CreateWebhookEndpointInput input) {
        return UserErrors.answered(() -> {
            requirePartner(caller);
            IdempotencyKeyRule.require(input.idempotencyKey);
            checkEventTypes(input.eventTypes);
            checkDescription(input.description);
            return checkUrl(input.url).flatMap(ignored -> idempotent.execute(caller,
                    fingerprints.of(caller, "createWebhookEndpoint", input.idempotencyKey, input),
                    (connection, id) -> insert(connection, caller, input, id),
                    (connection, id) -> withSecret(connection, caller, id)));
        }, WebhookEndpointPayload::failed);
    }

    private Uni<WebhookEndpointPayload> insert(SqlConnection connection, Caller caller, CreateWebhookEndpointInput input, UUID id) {
        return connection.preparedQuery(COUNT).execute(Tuple.of(caller.partnerId())).flatMap(count -> {
            if (count.iterator().next().getLong(0) >= maxEndpoints) {
                throw BusinessFailure.of(ErrorCode.LIMIT_EXCEEDED, "A partner has at most " + maxEndpoints + " webhook endpoints",
                        "input");
            }
            return connection.preparedQuery(INSERT).execute(Tuple.tuple().addUUID(id).addString(caller.partnerId())
                            .addString(input.url).addString(input.description).addArrayOfString(wireNames(input.eventTypes))
                            .addString(WebhookSignature.newSecret()))
                    .flatMap(ignored -> withSecret(connection, caller, id));
        });
    }

    // ------------------------------------------------------------------ update, rotate, delete

    public Uni<WebhookEndpointPayload> update(Caller caller, UpdateWebhookEndpointInput input) {
        return UserErrors.answered(() -> {
            requirePartner(caller);
            IdempotencyKeyRule.require(input.idempotencyKey);
            UUID id = requireEndpointId(input.id, "id");
            if (input.eventTypes != null) {
                checkEventTypes(input.eventTypes);
            }
            checkDescription(input.description);
            Uni<Optional<String>> urlChecked = input.url == null ? Uni.createFrom().item(Optional.empty()) : checkUrl(input.url);
            return urlChecked.flatMap(ignored -> idempotent.execute(caller,
                    fingerprints.of(caller, "updateWebhookEndpoint", input.idempotencyKey, input),
                    (connection, ignoredId) -> connection.preparedQuery(UPDATE).execute(Tuple.tuple().addUUID(id)
                                    .addString(caller.partnerId()).addString(input.url).addString(input.description)
                                    .addArrayOfString(input.eventTypes == null ? null : wireNames(input.eventTypes))
                                    .addBoolean(input.enabled))
                            .flatMap(updated -> found(updated, input.id).flatMap(ignoredRows -> endpoint(connection, caller, id)))
                            .map(WebhookEndpointPayload::of),
                    (connection, ignoredId) -> endpoint(connection, caller, id).map(WebhookEndpointPayload::of)));
        }, WebhookEndpointPayload::failed);
    }

    public Uni<WebhookEndpointPayload> rotateSecret(Caller caller, RotateWebhookSigningSecretInput input) {
        return UserErrors.answered(() -> {
            requirePartner(caller);
            IdempotencyKeyRule.require(input.idempotencyKey);
            UUID id = requireEndpointId(input.id, "id");
            int overlap = input.previousSecretValidForSeconds == null ? 86400 : input.previousSecretValidForSeconds;
            if (overlap < 0 || overlap > MAX_PREVIOUS_SECRET_SECONDS) {
                throw BusinessFailure.of(ErrorCode.INVALID_INPUT,
                        "previousSecretValidForSeconds must be between 0 and " + MAX_PREVIOUS_SECRET_SECONDS,
                        "input", "previousSecretValidForSeconds");
            }
            return idempotent.execute(caller, fingerprints.of(caller, "rotateWebhookSigningSecret", input.idempotencyKey, input),
                    (connection, ignored) -> connection.preparedQuery(ROTATE)
                            .execute(Tuple.of(id, caller.partnerId(), overlap, WebhookSignature.newSecret()))
                            .flatMap(updated -> found(updated, input.id))
                            .flatMap(ignoredRows -> withSecret(connection, caller, id)),
                    (connection, ignored) -> withSecret(connection, caller, id));
        }, WebhookEndpointPayload::failed);
    }

    public Uni<DeleteWebhookEndpointPayload> delete(Caller caller, DeleteWebhookEndpointInput input) {
        return UserErrors.answered(() -> {
            requirePartner(caller);
            IdempotencyKeyRule.require(input.idempotencyKey);
            UUID id = requireEndpointId(input.id, "id");
            return idempotent.execute(caller, fingerprints.of(caller, "deleteWebhookEndpoint", input.idempotencyKey, input),
                    (connection, ignored) -> connection.preparedQuery(EXISTS).execute(Tuple.of(id, caller.partnerId()))
                            .flatMap(rows -> found(rows, input.id))
                            .flatMap(rows -> connection.preparedQuery(DELETE).execute(Tuple.of(id, caller.partnerId())))
                            .map(ignoredRows -> new DeleteWebhookEndpointPayload(id.toString(), List.of())),
                    (connection, ignored) -> Uni.createFrom().item(new DeleteWebhookEndpointPayload(id.toString(), List.of())));
        }, DeleteWebhookEndpointPayload::failed);
    }

    // ------------------------------------------------------------------ dead letters

    public Uni<ReplayWebhookDeliveriesPayload> replay(Caller caller, ReplayWebhookDeliveriesInput input) {
        return UserErrors.answered(() -> {
            requirePartner(caller);
            IdempotencyKeyRule.require(input.idempotencyKey);
            UUID endpointId = requireEndpointId(input.endpointId, "endpointId");
            Long[] deliveryIds = input.deliveryIds == null ? null
                    : input.deliveryIds.stream().map(id -> parseLong(id).orElse(-1L)).toArray(Long[]::new);
            return idempotent.execute(caller, fingerprints.of(caller, "replayWebhookDeliveries", input.idempotencyKey, input),
                    (connection, replayId) -> connection.preparedQuery(EXISTS).execute(Tuple.of(endpointId, caller.partnerId()))
                            .flatMap(rows -> found(rows, input.endpointId))
                            .flatMap(rows -> connection.preparedQuery(REPLAY)
                                    .execute(Tuple.tuple().addUUID(endpointId).addString(caller.partnerId())
                                            .addArrayOfLong(deliveryIds).addUUID(replayId)))
                            .map(rows -> new ReplayWebhookDeliveriesPayload(rows.iterator().next().getInteger("replayed"), List.of())),
                    (connection, replayId) -> connection.preparedQuery(REPLAY_RESULT).execute(Tuple.of(replayId))
                            .map(rows -> new ReplayWebhookDeliveriesPayload(rows.iterator().next().getInteger("replayed"), List.of())));
        }, ReplayWebhookDeliveriesPayload::failed);
    }

    // ------------------------------------------------------------------ rules

    private void requirePartner(Caller caller) {
        if (!caller.isPartner() || partners.byId(caller.partnerId()).isEmpty()) {
            throw BusinessFailure.of(ErrorCode.PARTNER_NOT_FOUND, "Webhook endpoints belong to a partner with a contract");
        }
    }

    private Uni<Optional<String>> checkUrl(String url) {
        return targets.problemWith(url).invoke(problem -> problem.ifPresent(message -> {
            throw BusinessFailure.of(ErrorCode.INVALID_INPUT, message, "input", "url");
        }));
    }

    private static void checkEventTypes(List<PartnerEventType> eventTypes) {
        if (eventTypes == null || eventTypes.isEmpty()) {
            throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "eventTypes must name at least one event type", "input", "eventTypes");
        }
    }

    private static void checkDescription(String description) {
        if (description != null && description.length() > MAX_DESCRIPTION_LENGTH) {
            throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "description is at most " + MAX_DESCRIPTION_LENGTH + " characters",
                    "input", "description");
        }
    }

    private static UUID requireEndpointId(String id, String field) {
        return uuid(id).orElseThrow(() -> notFound(field));
    }

    private static Uni<RowSet<Row>> found(RowSet<Row> rows, String id) {
        if (rows.rowCount() == 0) {
            throw notFound("id");
        }
        return Uni.createFrom().item(rows);
    }

    private static BusinessFailure notFound(String field) {
        return BusinessFailure.of(ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND, "No such webhook endpoint of the calling partner",
                "input", field);
    }

    private Uni<WebhookEndpoint> endpoint(SqlConnection connection, Caller caller, UUID id) {
        return connection.preparedQuery(ENDPOINT).execute(Tuple.of(id, caller.partnerId())).map(rows -> {
            if (rows.rowCount() == 0) {
                throw notFound("id");
            }
            return WebhookEndpoint.from(rows.iterator().next());
        });
    }

    private Uni<WebhookEndpointPayload> withSecret(SqlConnection connection, Caller caller, UUID id) {
        return connection.preparedQuery(ENDPOINT).execute(Tuple.of(id, caller.partnerId())).map(rows -> {
            if (rows.rowCount() == 0) {
                throw notFound("id");
            }
            Row row = rows.iterator().next();
            return WebhookEndpointPayload.withSecret(WebhookEndpoint.from(row), row.getString("signing_secret"));
        });
    }

    private static String[] wireNames(List<PartnerEventType> types) {
        return new LinkedHashSet<>(types).stream().map(PartnerEventType::wireName).toArray(String[]::new);
    }

    private static Optional<UUID> uuid(String value) {
        try {
            return Optional.of(UUID.fromString(value));
        } catch (IllegalArgumentException | NullPointerException e) {
            return Optional.empty();
        }
    }

    private static Optional<Long> parseLong(String value) {
        try {
            return Optional.of(Long.parseLong(value));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
