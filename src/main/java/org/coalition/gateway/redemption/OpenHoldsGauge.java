package org.coalition.gateway.redemption;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.tenancy.TenantSessions;

/**
 * How many redemption holds are open, coalition-wide. Counted on a schedule rather than on every scrape,
 * so that a busy Prometheus never adds load to the database; every replica reports the same number.
 */
@ApplicationScoped
public class OpenHoldsGauge {

    private final TenantSessions sessions;
    private final AtomicLong open = new AtomicLong();

    public OpenHoldsGauge(TenantSessions sessions, MeterRegistry registry) {
        this.sessions = sessions;
        Gauge.builder("coalition.holds.open", open, AtomicLong::get)
                .description("Redemption holds authorized and not yet captured, voided or expired")
                .register(registry);
    }

    @Scheduled(every = "${coalition.holds.gauge-interval:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> count() {
        return sessions.asSystem(connection -> connection.query("select count(*) as open from redemption_holds where status = 'ACTIVE'")
                        .execute())
                .invoke(rows -> open.set(rows.iterator().next().getLong("open")))
                .replaceWithVoid();
    }
}
