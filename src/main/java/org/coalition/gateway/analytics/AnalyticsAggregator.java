package org.coalition.gateway.analytics;

import java.math.BigDecimal;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.ServiceUnavailable;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * Keeps the analytics aggregates up to date with the ledger: folds journal entries and enrolments posted before a
 * safe watermark, a bounded batch per short transaction (SQL {@code analytics_refresh}, V30, V48). One replica at a time:
 * each batch first takes a transaction-scoped advisory lock and does nothing if another replica holds it.
 */
@ApplicationScoped
public class AnalyticsAggregator {

    /** The advisory lock key of the job ("analytics" in ASCII, a number no other lock here uses). */
    static final long LOCK_KEY = 0x616e616c79746963L;

    private static final String LOCK = "select pg_try_advisory_xact_lock($1) as locked";
    private static final String REFRESH = "select folded, watermark from analytics_refresh($1, $2::text::numeric[], $3, "
            + "$4::text::interval, $5::text::interval, $6)";

    private final TenantSessions sessions;
    private final AnalyticsConfig config;
    private final String currency;

    public AnalyticsAggregator(TenantSessions sessions, AnalyticsConfig config, CoalitionConfig coalition) {
        this.sessions = sessions;
        this.config = config;
        this.currency = coalition.settlement().currency();
    }

    /** What one batch did: entries folded, the watermark after it; {@code locked} false when another replica runs. */
    public record Batch(boolean locked, int folded, Instant watermark) {
    }

    @Scheduled(every = "${coalition.analytics.refresh-interval}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Disabled.class)
    Uni<Void> refreshOnSchedule() {
        return refresh(config.refreshMaxBatchesPerRun())
                .invoke(folded -> Log.debugf("Analytics: %d journal entries folded", folded))
                .replaceWithVoid()
                .onFailure(ServiceUnavailable.class).recoverWithNull();
    }

    /** Folds batches until one folds nothing (or {@code maxBatches}); returns the entries folded. */
    public Uni<Long> refresh(int maxBatches) {
        return batch().flatMap(batch -> !batch.locked() || batch.folded() == 0 || maxBatches <= 1
                ? Uni.createFrom().item((long) batch.folded())
                : refresh(maxBatches - 1).map(more -> batch.folded() + more));
    }

    /** One batch in its own transaction. */
    public Uni<Batch> batch() {
        return sessions.asSystem(connection -> connection.preparedQuery(LOCK).execute(Tuple.of(LOCK_KEY))
                .flatMap(rows -> rows.iterator().next().getBoolean("locked")
                        ? fold(connection)
                        : Uni.createFrom().item(new Batch(false, 0, null))));
    }

    private Uni<Batch> fold(SqlConnection connection) {
        Tuple arguments = Tuple.of(currency, thresholds(), config.refreshBatchSize(),
                config.watermarkLag().toMillis() + " milliseconds",
                config.maxTransactionAge().toMillis() + " milliseconds", config.controlGroupSize());
        return connection.query("set local statement_timeout = " + config.refreshStatementTimeout().toMillis()).execute()
                .flatMap(ignored -> connection.preparedQuery(REFRESH).execute(arguments))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Batch(true, row.getInteger("folded"), row.getOffsetDateTime("watermark").toInstant());
                });
    }

    private String thresholds() {
        return config.valueSegments().stream().map(BigDecimal::toPlainString)
                .collect(java.util.stream.Collectors.joining(",", "{", "}"));
    }

    /** Replicas with {@code coalition.analytics.refresh-enabled=false} leave the job to the others. */
    @ApplicationScoped
    public static class Disabled implements Scheduled.SkipPredicate {
        private final AnalyticsConfig config;

        public Disabled(AnalyticsConfig config) {
            this.config = config;
        }

        @Override
        public boolean test(io.quarkus.scheduler.ScheduledExecution execution) {
            return !config.refreshEnabled();
        }
    }
}
