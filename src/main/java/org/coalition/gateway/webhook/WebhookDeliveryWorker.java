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

import org.coalition.gateway.operations.OperationsInFlight;
import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * Delivers partner events to webhook endpoints, at least once and in event order per endpoint.
 *
 * <p>An endpoint reads its partner's events as a stream (V45): a ledger write only appends its event, and each
 * endpoint keeps a position in that stream. Every replica runs one worker. Each poll leases endpoints that have
 * something due, a retry or replay, or else events past their position; the lease is taken with
 * {@code FOR NO KEY UPDATE SKIP LOCKED}, so two replicas never hold one endpoint, and a ledger write never waits
 * for it. Under its lease a worker sends the endpoint's events one after another, then records them as delivered
 * and moves the position in one statement per batch. The first failure stops the batch: that event becomes a
 * pending delivery, retried after a backoff, and the stream waits behind it, which is what keeps events in order.
 * After {@code max-attempts} the delivery is dead-lettered and the stream goes on. Consecutive failures open the
 * endpoint's circuit for {@code breaker-delay}: a receiver that is down gets one trial request per period, not a
 * retry storm. Each endpoint is worked on independently, so a slow receiver holds up only its own events.
 *
 * <p>Delivery is background work on the cores that serve the tills. While the replica works on
 * {@code yield-at-operations-in-flight} GraphQL operations at once, it sends only events older than
 * {@code max-deferral}: a burst of earns keeps its throughput and the webhooks catch up once it has passed; under
 * load that lasts longer, events arrive {@code max-deferral} late and cost what they cost (bench/README, "Webhooks
 * beside earns").
 */
@ApplicationScoped
public class WebhookDeliveryWorker {

    static final int MAX_ERROR_LENGTH = 500;

    /**
     * Endpoints with a retry due, or with no retry waiting and events past their position, of ended transactions; while
     * the replica is busy ($4), only those whose next such event is older than the longest deferral ($5). Only the next
     * event is looked at: the stream goes out in its order anyway, and while deliveries give way to a burst the events
     * held back pile up, which a search for an old one among them would read every second.
     */
    private static final String CLAIM = """
            update webhook_endpoints e set lease_owner = $1, lease_until = now() + make_interval(secs => $2)
            where e.id in (
                select c.id from webhook_endpoints c
                where c.enabled and (c.lease_until is null or c.lease_until < now())
                  and (c.breaker_open_until is null or c.breaker_open_until <= now())
                  and coalesce((select d.next_attempt_at <= now() from webhook_deliveries d
                                where d.endpoint_id = c.id and d.status = 'PENDING' order by d.id limit 1),
                               (select not $4 or ev.created_at < now() - make_interval(secs => $5) from partner_events ev
                                where ev.partner_id = c.partner_id and (ev.xact_id, ev.id) > (c.stream_xact, c.stream_event)
                                  and ev.xact_id < pg_snapshot_xmin(pg_current_snapshot())
                                order by ev.xact_id, ev.id limit 1),
                               false)
                order by c.lease_until nulls first
                limit $3
                for no key update skip locked)
            returning e.id, e.partner_id, e.url
            """;
    /**
     * While this worker still holds the lease: the endpoint's pending deliveries (retries, replays) if it has any, else
     * the next events of its stream, each subscribed one with the id its delivery will be recorded under. Secrets are
     * read fresh.
     */
    private static final String NEXT = """
            select p.delivery_id, p.event_id, p.attempts, p.due, p.subscribed, p.stream, p.xact_id::text as xact_id, p.type,
                   p.payload_text, p.event_created_at, p.partner_id, e.url, e.signing_secret,
                   case when e.previous_secret_expires_at > now() then e.previous_signing_secret end as previous_secret
            from webhook_endpoints e
            cross join lateral (
                (select d.id as delivery_id, ev.id as event_id, d.attempts, d.next_attempt_at <= now() as due,
                        true as subscribed, false as stream, ev.xact_id, ev.type, ev.payload::text as payload_text,
                        ev.created_at as event_created_at, ev.partner_id
                 from webhook_deliveries d join partner_events ev on ev.id = d.event_id
                 where d.endpoint_id = e.id and d.status = 'PENDING'
                 order by d.id limit $3)
                union all
                (select case when ev.type = any (e.event_types) then nextval(pg_get_serial_sequence('webhook_deliveries', 'id')) end,
                        ev.id, 0, true, ev.type = any (e.event_types), true, ev.xact_id, ev.type, ev.payload::text,
                        ev.created_at, ev.partner_id
                 from partner_events ev
                 where ev.partner_id = e.partner_id and (ev.xact_id, ev.id) > (e.stream_xact, e.stream_event)
                   and ev.xact_id < pg_snapshot_xmin(pg_current_snapshot())
                   and not exists (select 1 from webhook_deliveries d where d.endpoint_id = e.id and d.status = 'PENDING')
                 order by ev.xact_id, ev.id limit $3)
            ) p
            where e.id = $1 and e.lease_owner = $2 and e.enabled
            order by p.stream, case when p.stream then null else p.delivery_id end, p.xact_id, p.event_id
            """;
    /** Retries and replays delivered: recorded, and the lease renewed or ended. */
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

    /**
     * A batch of the stream sent: its deliveries recorded, the failure that stopped it (if any) queued as a pending
     * delivery, the position moved past what was sent or skipped, and the lease renewed or ended; all of it only while
     * the lease is still this worker's.
     */
    private static final String STREAM_PROGRESS = """
            with lease as (
                select id, partner_id from webhook_endpoints where id = $1 and lease_owner = $2
            ), delivered as (
                insert into webhook_deliveries (id, endpoint_id, partner_id, event_id, status, attempts, next_attempt_at,
                                                last_attempt_at, last_response_status, delivered_at)
                overriding system value
                select r.id, lease.id, lease.partner_id, r.event_id, 'DELIVERED', 1, now(), now(), r.status, now()
                from lease, unnest($3::bigint[], $4::bigint[], $5::int[]) as r(id, event_id, status)
            ), failed as (
                insert into webhook_deliveries (id, endpoint_id, partner_id, event_id, status, attempts, next_attempt_at,
                                                last_attempt_at, last_response_status, last_error)
                overriding system value
                select $6, lease.id, lease.partner_id, $7, case when $10 <= 1 then 'DEAD' else 'PENDING' end, 1,
                       now() + make_interval(secs => $11), now(), $8, $9
                from lease where $6::bigint is not null
                returning status
            )
            update webhook_endpoints e set stream_xact = $12::text::xid8, stream_event = $13,
                   consecutive_failures = case when $6::bigint is null then 0 else e.consecutive_failures + 1 end,
                   breaker_open_until = case when $6::bigint is null then null
                                             when e.consecutive_failures + 1 >= $14 then now() + make_interval(secs => $15)
                                             else e.breaker_open_until end,
                   lease_until = case when $16 then null else now() + make_interval(secs => $17) end,
                   lease_owner = case when $16 then null else e.lease_owner end
            from lease where e.id = lease.id
            returning (select status from failed) as failed_status
            """;

    /**
     * An event on its way to the endpoint: the body and headers are the same on every attempt but the signature's time.
     * A stream event the endpoint does not subscribe to is only passed over ({@code deliveryId} null).
     */
    record Outgoing(Long deliveryId, long eventNumber, String xactId, boolean stream, boolean subscribed, boolean due,
            String eventId, String eventType, String partnerId, Instant eventCreatedAt, int attempt, String url, String body,
            List<String> secrets) {
    }

    /** What a stream batch has done so far: deliveries to record, and how far along the stream it got. */
    private static final class StreamProgress {
        final List<Long> deliveries = new ArrayList<>();
        final List<Long> events = new ArrayList<>();
        final List<Integer> statuses = new ArrayList<>();
        Outgoing reached;
        long lastRecordedNanos = System.nanoTime();

        void delivered(Outgoing outgoing, int status) {
            deliveries.add(outgoing.deliveryId());
            events.add(outgoing.eventNumber());
            statuses.add(status);
            reached = outgoing;
        }

        void recorded() {
            deliveries.clear();
            events.clear();
            statuses.clear();
            lastRecordedNanos = System.nanoTime();
        }
    }

    private final TenantSessions sessions;
    private final Vertx vertx;
    private final WebhookTargets targets;
    private final WebhookMetrics metrics;
    private final OperationsInFlight operations;
    private final CoalitionConfig.Webhooks config;
    private final WebhookBackoff backoff;
    private final HttpClient http;
    private final String owner;
    private final Set<UUID> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean claiming = new AtomicBoolean();
    private volatile boolean stopped = true;
    private long timer = -1;

    public WebhookDeliveryWorker(TenantSessions sessions, Vertx vertx, WebhookTargets targets, WebhookMetrics metrics,
            OperationsInFlight operations, CoalitionConfig config) {
        this.sessions = sessions;
        this.operations = operations;
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
        // a burst at the tills gets the CPU first: new events wait, up to max-deferral, until it has passed (bench/README)
        boolean yielding = operations.peakSinceLastLook() >= config.yieldAtOperationsInFlight();
        sessions.asSystem(connection -> connection.preparedQuery(CLAIM)
                        .execute(Tuple.of(owner, (double) config.leaseDuration().toSeconds(), room, yielding,
                                config.maxDeferral().toMillis() / 1000.0)))
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
                    List<Outgoing> batch = new ArrayList<>();
                    rows.forEach(row -> batch.add(outgoing(row)));
                    return batch;
                })
                .flatMap(batch -> {
                    Uni<Void> sent = !batch.isEmpty() && batch.get(0).stream()
                            ? sendStream(endpointId, batch, 0, new StreamProgress(), released)
                            : sendInOrder(endpointId, dueRetries(batch), 0, new ArrayList<>(), new ArrayList<>(), System.nanoTime(), released);
                    return sent.map(ignored -> batch.size() == config.deliveriesPerLease());
                })
                .eventually(() -> released.get() ? Uni.createFrom().voidItem() : release(endpointId));
    }

    /** A retry not yet due holds back every later event of this endpoint. */
    private static List<Outgoing> dueRetries(List<Outgoing> pending) {
        List<Outgoing> due = new ArrayList<>();
        for (Outgoing outgoing : pending) {
            if (!outgoing.due()) {
                break;
            }
            due.add(outgoing);
        }
        return due;
    }

    /**
     * Sends the stream's events from {@code batch[index]} on, passing over those the endpoint does not subscribe to;
     * the deliveries are recorded together with the new position, on the way renewing the lease, and the first failure
     * ends this lease's work.
     */
    private Uni<Void> sendStream(UUID endpointId, List<Outgoing> batch, int index, StreamProgress progress, AtomicBoolean released) {
        if (index == batch.size() || stopped) {
            return progress.reached == null ? Uni.createFrom().voidItem()
                    : recordStream(endpointId, progress, null, null, true).invoke(ignored -> released.set(true)).replaceWithVoid();
        }
        Outgoing outgoing = batch.get(index);
        if (!outgoing.subscribed()) {
            progress.reached = outgoing;
            return sendStream(endpointId, batch, index + 1, progress, released);
        }
        return send(outgoing).flatMap(result -> {
            if (!result.succeeded()) {
                progress.reached = outgoing;
                return recordStream(endpointId, progress, outgoing, result, true)
                        .invoke(ignored -> released.set(true))
                        .invoke(failedStatus -> failedStatus.ifPresent(status -> attempted(endpointId, outgoing, result, status)))
                        .replaceWithVoid();
            }
            progress.delivered(outgoing, result.status());
            metrics.delivered(outgoing.partnerId(), Duration.between(outgoing.eventCreatedAt(), Instant.now()));
            if (System.nanoTime() - progress.lastRecordedNanos <= config.leaseDuration().toNanos() / 3) {
                return sendStream(endpointId, batch, index + 1, progress, released);
            }
            return recordStream(endpointId, progress, null, null, false).flatMap(stillOwned -> stillOwned.isPresent()
                    ? sendStream(endpointId, batch, index + 1, progress, released)
                    : Uni.createFrom().voidItem());
        });
    }

    /**
     * Records a stream batch's progress (see {@link #STREAM_PROGRESS}); answers nothing when the lease was no longer
     * ours, else the status the failed delivery got ({@code ""} when there was none).
     */
    private Uni<Optional<String>> recordStream(UUID endpointId, StreamProgress progress, Outgoing failed, Result failure,
            boolean release) {
        Duration retryIn = failed == null ? Duration.ZERO : backoff.after(1, ThreadLocalRandom.current()::nextDouble);
        Tuple arguments = Tuple.tuple().addUUID(endpointId).addString(owner)
                .addArrayOfLong(progress.deliveries.toArray(Long[]::new)).addArrayOfLong(progress.events.toArray(Long[]::new))
                .addArrayOfInteger(progress.statuses.toArray(Integer[]::new))
                .addLong(failed == null ? null : failed.deliveryId()).addLong(failed == null ? null : failed.eventNumber())
                .addInteger(failure == null || failure.status() == 0 ? null : failure.status())
                .addString(failure == null ? null : truncate(failure.error()))
                .addInteger(config.maxAttempts()).addDouble(retryIn.toMillis() / 1000.0)
                .addString(progress.reached.xactId()).addLong(progress.reached.eventNumber())
                .addInteger(config.breakerFailureThreshold()).addDouble(config.breakerDelay().toMillis() / 1000.0)
                .addBoolean(release).addDouble((double) config.leaseDuration().toSeconds());
        return sessions.asSystem(connection -> connection.preparedQuery(STREAM_PROGRESS).execute(arguments))
                .map(rows -> {
                    progress.recorded();
                    if (rows.rowCount() == 0) {
                        return Optional.<String>empty();
                    }
                    return Optional.of(Optional.ofNullable(rows.iterator().next().getString("failed_status")).orElse(""));
                });
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
        long eventNumber = row.getLong("event_id");
        return new Outgoing(row.getLong("delivery_id"), eventNumber, row.getString("xact_id"), row.getBoolean("stream"),
                row.getBoolean("subscribed"), row.getBoolean("due"), EventBody.eventId(eventNumber), row.getString("type"),
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
                .invoke(rows -> attempted(endpointId, outgoing, result,
                        rows.rowCount() == 1 ? rows.iterator().next().getString("status") : ""))
                .replaceWithVoid();
    }

    /** A failed attempt counted, and a dead letter logged. */
    private void attempted(UUID endpointId, Outgoing outgoing, Result result, String deliveryStatus) {
        boolean dead = "DEAD".equals(deliveryStatus);
        metrics.attempt(outgoing.partnerId(), dead ? "dead" : "failed");
        if (dead) {
            Log.warnf("Webhook delivery %d of event %s to endpoint %s dead-lettered after %d attempts: %s",
                    outgoing.deliveryId(), outgoing.eventId(), endpointId, outgoing.attempt(), result.error());
        }
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
