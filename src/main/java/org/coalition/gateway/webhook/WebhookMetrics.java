package org.coalition.gateway.webhook;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;

import org.coalition.gateway.shared.ServiceUnavailable;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * Webhook delivery per partner: how long events take to arrive, how attempts end, and how many deliveries
 * are waiting or dead. The counts come from the database, so every replica reports the coalition's.
 */
@ApplicationScoped
public class WebhookMetrics {

    private static final String BACKLOG = """
            select partner_id, status, sum(deliveries)::bigint as deliveries from (
                select partner_id, status, count(*) as deliveries from webhook_deliveries
                where status in ('PENDING', 'DEAD') group by partner_id, status
                union all
                select partner_id, 'PENDING', webhook_stream_backlog(id) from webhook_endpoints where enabled
            ) backlog group by partner_id, status
            """;

    private final MeterRegistry registry;
    private final TenantSessions sessions;
    private final MultiGauge deadLetters;
    private final MultiGauge pending;
    private final java.util.Map<String, Timer> latency = new java.util.concurrent.ConcurrentHashMap<>();

    public WebhookMetrics(MeterRegistry registry, TenantSessions sessions) {
        this.registry = registry;
        this.sessions = sessions;
        this.deadLetters = MultiGauge.builder("coalition.webhook.dead.letters")
                .description("Deliveries that gave up and wait for the partner to replay them").register(registry);
        this.pending = MultiGauge.builder("coalition.webhook.pending.deliveries")
                .description("Deliveries not yet made").register(registry);
    }

    /** From the event's creation to the receiver's 2xx, retries included. */
    void delivered(String partnerId, Duration sinceEvent) {
        latency.computeIfAbsent(partnerId, partner -> Timer.builder("coalition.webhook.delivery.latency")
                .description("From an event to its delivery").tag("partner", partner).publishPercentileHistogram()
                .register(registry)).record(sinceEvent);
        attempt(partnerId, "delivered");
    }

    /** outcome: {@code failed} (will retry) or {@code dead} (gave up). */
    void attempt(String partnerId, String outcome) {
        Counter.builder("coalition.webhook.attempts").description("Delivery attempts by outcome")
                .tags("partner", partnerId, "outcome", outcome).register(registry).increment();
    }

    @Scheduled(every = "15s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refreshBacklog() {
        return sessions.asSystem(connection -> connection.query(BACKLOG).execute())
                .invoke(rows -> {
                    deadLetters.register(rowsOf(rows, "DEAD"), true);
                    pending.register(rowsOf(rows, "PENDING"), true);
                })
                .replaceWithVoid()
                .onFailure(ServiceUnavailable.class).recoverWithNull();
    }

    private static List<MultiGauge.Row<?>> rowsOf(Iterable<Row> rows, String status) {
        List<MultiGauge.Row<?>> gauges = new java.util.ArrayList<>();
        for (Row row : rows) {
            if (row.getString("status").equals(status)) {
                gauges.add(MultiGauge.Row.of(Tags.of("partner", row.getString("partner_id")), row.getLong("deliveries")));
            }
        }
        return gauges;
    }
}
