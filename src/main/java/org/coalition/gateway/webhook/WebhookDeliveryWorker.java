package org.coalition.gateway.webhook;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * Delivers partner events to webhook endpoints, at least once and in event order per endpoint.
 *
 * <p>Every replica runs one. Each poll leases endpoints whose oldest pending delivery is due; the lease is
 * taken with {@code FOR NO KEY UPDATE SKIP LOCKED}, so two replicas never hold one endpoint, and a ledger
 * write (which only reads endpoint rows) never waits for it. Under its lease a worker sends that endpoint's
 * pending deliveries one after another and stops at the first failure, which is retried after a backoff:
 * later events wait behind it, which is what keeps them in order. After {@code max-attempts} the delivery is
 * dead-lettered and the next one goes. Consecutive failures open the endpoint's circuit for
 * {@code breaker-delay}: a receiver that is down gets one trial request per period, not a retry storm, and
 * its backlog does not burn through its attempts while it is down. Each endpoint is worked on independently,
 * so a slow receiver holds up only its own events.
 */
@ApplicationScoped
public class WebhookDeliveryWorker {

    static final int MAX_ERROR_LENGTH = 500;

    private static final String CLAIM = """
            update webhook_endpoints e set lease_owner = $1, lease_until = now() + make_interval(secs => $2)
            where e.id in (
                select c.id from webhook_endpoints c
                where c.enabled and (c.lease_until is null or c.lease_until < now())
                  and (c.breaker_open_until is null or c.breaker_open_until <= now())
                  and (select d.next_attempt_at from webhook_deliveries d
                       where d.endpoint_id = c.id and d.status = 'PENDING' order by d.id limit 1) <= now()
                order by c.lease_until nulls first
                limit $3
                for no key update skip locked)
            returning e.id, e.partner_id, e.url
            """;
    /** The endpoint's next pending deliveries, while this worker still holds its lease; secrets read fresh. */
    private static final String NEXT = """
            select d.id, d.event_id, d.attempts, d.next_attempt_at <= now() as due, ev.type, ev.payload::text as payload_text,
                   ev.created_at as event_created_at, ev.partner_id, e.url, e.signing_secret,
                   case when e.previous_secret_expires_at > now() then e.previous_signing_secret end as previous_secret
            from webhook_endpoints e
            join webhook_deliveries d on d.endpoint_id = e.id and d.status = 'PENDING'
            join partner_events ev on ev.id = d.event_id
            where e.id = $1 and e.lease_owner = $2 and e.enabled
            order by d.id limit $3
            """;
    private static final String DELIVERED = """
            with delivered as (
                update webhook_deliveries set status = 'DELIVERED', attempts = attempts + 1, delivered_at = now(),
                       last_attempt_at = now(), last_response_status = r.status, last_error = null
                from unnest($1::bigint[], $2::int[]) as r(id, status)
                where webhook_deliveries.id = r.id
                returning webhook_deliveries.id
            )
            update webhook_endpoints set consecutive_failures = 0, breaker_open_until = null,
                   lease_until = case when $6 then null else now() + make_interval(secs => $4) end,
                   lease_owner = case when $6 then null else lease_owner end
            where id = $3 and lease_owner = $5
            returning (select count(*) from delivered) as delivered
            """;
    private static final String FAILED = """
            with failed as (
                update webhook_deliveries set attempts = attempts + 1, last_attempt_at = now(), last_response_status = $2,
                       last_error = $3, status = case when attempts + 1 >= $4 then 'DEAD' else 'PENDING' end,
                       next_attempt_at = now() + make_interval(secs => $5)
                where id = $1
                returning status
            )
            update webhook_endpoints set consecutive_failures = consecutive_failures + 1,
                   breaker_open_until = case when consecutive_failures + 1 >= $6 then now() + make_interval(secs => $7)
                                             else breaker_open_until end
            where id = $8
            returning (select status from failed) as status
            """;
    private static final String RELEASE = """
            update webhook_endpoints set lease_owner = null, lease_until = null where id = $1 and lease_owner = $2
            """;

    /** A pending delivery as sent: the body and headers are the same on every attempt but the signature's time. */
    record Outgoing(long deliveryId, String eventId, String eventType, String partnerId, Instant eventCreatedAt, int attempt,
            String url, String body, List<String> secrets) {
    }

    private final TenantSessions sessions;
    private final Vertx vertx;
    private final WebhookTargets targets;
    private final WebhookMetrics metrics;
    private final CoalitionConfig.Webhooks config;
    private final WebhookBackoff backoff;
    private final HttpClient http;
    private final String owner;
    private final Set<UUID> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean claiming = new AtomicBoolean();
    private volatile boolean stopped = true;
    private long timer = -1;

    public WebhookDeliveryWorker(TenantSessions sessions, Vertx vertx, WebhookTargets targets, WebhookMetrics metrics,
            CoalitionConfig config) {
        this.sessions = sessions;
        this.vertx = vertx;
        this.targets = targets;
        this.metrics = metrics;
        this.config = config.webhooks();
        this.backoff = new WebhookBackoff(this.config.backoffBase(), this.config.backoffCap());
        // Vert.x's client, on the event loops: the JDK's cost a millisecond of CPU per delivery in bench/
        this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) this.config.connectTimeout().toMillis())
                .setKeepAlive(true).setMaxPoolSize(2));
        this.owner = "worker-" + UUID.randomUUID();
    }

    void onStart(@Observes StartupEvent event) {
        if (config.deliveryEnabled()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    /** Starts polling; also how a test runs a second worker beside the application's own. */
    public synchronized void start() {
        stopped = false;
        timer = vertx.setPeriodic(config.pollInterval().toMillis(), tick -> poll());
    }

    /**
     * Stops taking endpoints. Deliveries under way finish; a lease this worker still holds expires after
     * {@code lease-duration}, and then another replica carries on.
     */
    public synchronized void stop() {
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private void poll() {
        int room = config.maxEndpointsInFlight() - inFlight.size();
        if (stopped || room <= 0 || !claiming.compareAndSet(false, true)) {
            return;
        }
        sessions.asSystem(connection -> connection.preparedQuery(CLAIM)
                        .execute(Tuple.of(owner, (double) config.leaseDuration().toSeconds(), room)))
                .subscribe().with(rows -> {
                    claiming.set(false);
                    for (Row row : rows) {
                        UUID endpointId = row.getUUID("id");
                        if (inFlight.add(endpointId)) {
                            // A lease that took a full batch leaves a backlog: look again at once rather than at the next
                            // tick. One that took less waits for the tick, so that a steady stream goes out in batches of
                            // a tick's events, each lease's claim, read and bookkeeping shared by many (bench/README).
                            deliverUnderLease(endpointId).subscribe().with(
                                    full -> {
                                        inFlight.remove(endpointId);
                                        if (full) {
                                            poll();
                                        }
                                    },
                                    failure -> {
                                        inFlight.remove(endpointId);
                                        Log.debugf("webhook delivery to endpoint %s stopped: %s", endpointId, failure.getMessage());
                                    });
                        }
                    }
                }, failure -> {
                    claiming.set(false);
                    Log.debugf("webhook claim failed: %s", failure.getMessage());
                });
    }

    /** Sends what is due under this worker's lease of the endpoint; answers whether it took a full batch. */
    private Uni<Boolean> deliverUnderLease(UUID endpointId) {
        AtomicBoolean released = new AtomicBoolean();
        return sessions.asSystem(connection -> connection.preparedQuery(NEXT)
                        .execute(Tuple.of(endpointId, owner, config.deliveriesPerLease())))
                .map(rows -> {
                    List<Outgoing> due = new ArrayList<>();
                    for (Row row : rows) {
                        if (!row.getBoolean("due")) {
                            break; // a retry not yet due holds back every later event of this endpoint
                        }
                        due.add(outgoing(row));
                    }
                    return due;
                })
                .flatMap(due -> sendInOrder(endpointId, due, 0, new ArrayList<>(), new ArrayList<>(), System.nanoTime(), released)
                        .map(ignored -> due.size() == config.deliveriesPerLease()))
                .eventually(() -> released.get() ? Uni.createFrom().voidItem() : release(endpointId));
    }

    /**
     * Sends {@code due[index..]} one by one; successes are recorded together, on the way renewing the lease,
     * and the first failure ends this lease's work.
     */
    private Uni<Void> sendInOrder(UUID endpointId, List<Outgoing> due, int index, List<Long> delivered, List<Integer> statuses,
            long lastRecordedNanos, AtomicBoolean released) {
        if (index == due.size() || stopped) {
            // the last bookkeeping of the lease also ends it: one statement fewer per lease
            return delivered.isEmpty() ? Uni.createFrom().voidItem()
                    : recordDelivered(endpointId, delivered, statuses, true).invoke(ignored -> released.set(true)).replaceWithVoid();
        }
        Outgoing outgoing = due.get(index);
        return send(outgoing).flatMap(result -> {
            if (result.succeeded()) {
                delivered.add(outgoing.deliveryId());
                statuses.add(result.status());
                metrics.delivered(outgoing.partnerId(), Duration.between(outgoing.eventCreatedAt(), Instant.now()));
                boolean renewLease = System.nanoTime() - lastRecordedNanos > config.leaseDuration().toNanos() / 3;
                if (!renewLease) {
                    return sendInOrder(endpointId, due, index + 1, delivered, statuses, lastRecordedNanos, released);
                }
                return recordDelivered(endpointId, delivered, statuses, false).flatMap(stillOwned -> stillOwned
                        ? sendInOrder(endpointId, due, index + 1, new ArrayList<>(), new ArrayList<>(), System.nanoTime(), released)
                        : Uni.createFrom().voidItem());
            }
            return recordDelivered(endpointId, delivered, statuses, false)
                    .flatMap(ignored -> recordFailure(endpointId, outgoing, result));
        });
    }

    private Outgoing outgoing(Row row) {
        List<String> secrets = new ArrayList<>(2);
        secrets.add(row.getString("signing_secret"));
        Optional.ofNullable(row.getString("previous_secret")).ifPresent(secrets::add);
        return new Outgoing(row.getLong("id"), EventBody.eventId(row.getLong("event_id")), row.getString("type"),
                row.getString("partner_id"), row.getOffsetDateTime("event_created_at").toInstant(), row.getInteger("attempts") + 1,
                row.getString("url"), EventBody.of(row), secrets);
    }

    record Result(int status, String error) {
        boolean succeeded() {
            return status >= 200 && status < 300;
        }
    }

    Uni<Result> send(Outgoing outgoing) {
        RequestOptions request = new RequestOptions().setAbsoluteURI(outgoing.url()).setMethod(HttpMethod.POST)
                .setFollowRedirects(false)
                .setTimeout(config.requestTimeout().toMillis())
                .putHeader("Content-Type", "application/json")
                .putHeader("User-Agent", "CoalitionGateway-Webhooks/1")
                .putHeader("Coalition-Event-Id", outgoing.eventId())
                .putHeader("Coalition-Event-Type", outgoing.eventType())
                .putHeader("Coalition-Delivery-Id", Long.toString(outgoing.deliveryId()))
                .putHeader("Coalition-Delivery-Attempt", Integer.toString(outgoing.attempt()))
                .putHeader(WebhookSignature.HEADER, WebhookSignature.header(Instant.now(), outgoing.body(), outgoing.secrets()));
        Uni<Optional<String>> addressChecked = targets.checksAddresses()
                ? Uni.createFrom().item(() -> targets.addressProblem(URI.create(outgoing.url()).getHost()))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                : Uni.createFrom().item(Optional.empty());
        return addressChecked.flatMap(problem -> problem.isPresent()
                ? Uni.createFrom().item(new Result(0, problem.get()))
                : http.request(request)
                        .flatMap(sending -> sending.send(Buffer.buffer(outgoing.body())))
                        // the answer's body is not read, only waited for, so that the connection can be used again
                        .flatMap(response -> response.end().replaceWith(response.statusCode()))
                        .ifNoItem().after(config.requestTimeout().plusSeconds(1)).fail()
                        .map(status -> new Result(status, status / 100 == 2 ? null : "HTTP " + status))
                        .onFailure().recoverWithItem(failure -> new Result(0, describe(failure))));
    }

    /** Records deliveries and renews the lease, or ends it when {@code release}; answers whether the lease was still ours. */
    private Uni<Boolean> recordDelivered(UUID endpointId, List<Long> delivered, List<Integer> statuses, boolean release) {
        if (delivered.isEmpty()) {
            return Uni.createFrom().item(true);
        }
        return sessions.asSystem(connection -> connection.preparedQuery(DELIVERED)
                        .execute(Tuple.tuple().addArrayOfLong(delivered.toArray(Long[]::new))
                                .addArrayOfInteger(statuses.toArray(Integer[]::new)).addUUID(endpointId)
                                .addDouble((double) config.leaseDuration().toSeconds()).addString(owner).addBoolean(release)))
                .map(rows -> rows.rowCount() == 1);
    }

    private Uni<Void> recordFailure(UUID endpointId, Outgoing outgoing, Result result) {
        Duration retryIn = backoff.after(outgoing.attempt(), ThreadLocalRandom.current()::nextDouble);
        Tuple arguments = Tuple.tuple().addLong(outgoing.deliveryId()).addInteger(result.status() == 0 ? null : result.status())
                .addString(truncate(result.error())).addInteger(config.maxAttempts()).addDouble(retryIn.toMillis() / 1000.0)
                .addInteger(config.breakerFailureThreshold()).addDouble(config.breakerDelay().toMillis() / 1000.0)
                .addUUID(endpointId);
        return sessions.asSystem(connection -> connection.preparedQuery(FAILED).execute(arguments))
                .invoke(rows -> {
                    boolean dead = rows.rowCount() == 1 && "DEAD".equals(rows.iterator().next().getString("status"));
                    metrics.attempt(outgoing.partnerId(), dead ? "dead" : "failed");
                    if (dead) {
                        Log.warnf("Webhook delivery %d of event %s to endpoint %s dead-lettered after %d attempts: %s",
                                outgoing.deliveryId(), outgoing.eventId(), endpointId, outgoing.attempt(), result.error());
                    }
                })
                .replaceWithVoid();
    }

    private Uni<Void> release(UUID endpointId) {
        return sessions.asSystem(connection -> connection.preparedQuery(RELEASE).execute(Tuple.of(endpointId, owner)))
                .replaceWithVoid();
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        String name = cause.getClass().getSimpleName();
        return cause.getMessage() == null ? name : name + ": " + cause.getMessage();
    }

    private static String truncate(String error) {
        return error == null || error.length() <= MAX_ERROR_LENGTH ? error : error.substring(0, MAX_ERROR_LENGTH);
    }
}
