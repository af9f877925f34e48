package org.coalition.gateway.ledger;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.shared.Database;
import org.coalition.gateway.shared.ServiceUnavailable;

/**
 * Writes each posted entry's ledger event (for subscriptions) and partner event (for webhooks and the event feed)
 * after the entry commits, from the journal in commit order (V64, {@code journal_project}). The posting transaction
 * no longer writes them: they were a quarter of an earn's rows and the readers of both were asynchronous anyway
 * (docs/derived-rows.md). Every replica runs it; the database lets one at a time move the position, and the events
 * and the position commit together, so each entry gets its events exactly once.
 */
@ApplicationScoped
public class JournalProjection {

    static final long INTERVAL_MILLIS = 200;
    /** Entries per transaction: a backlog after an outage is caught up in bounded steps, one after another. */
    static final int MAX_ENTRIES_PER_RUN = 5000;
    private static final String PROJECT = "select journal_project($1) as projected";
    private static final String LAG = "select extract(epoch from journal_projection_lag()) as seconds";

    private final Database database;
    private final Vertx vertx;
    /** One run at a time per replica; a run that finds a full batch starts the next at once. */
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong lagMillis = new AtomicLong();
    private long timer = -1;

    public JournalProjection(Database database, Vertx vertx, MeterRegistry registry) {
        this.database = database;
        this.vertx = vertx;
        Gauge.builder("coalition.journal.projection.lag", lagMillis, millis -> millis.get() / 1000.0)
                .description("Seconds since the oldest entry whose ledger and partner events are not written yet was posted")
                .baseUnit("seconds")
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        resume();
    }

    void stop(@Observes ShutdownEvent event) {
        pause();
    }

    /** Stops taking turns (another replica, or the next {@link #resume()}, projects what commits meanwhile). */
    synchronized void pause() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    synchronized void resume() {
        if (timer < 0) {
            timer = vertx.setPeriodic(INTERVAL_MILLIS, tick -> runIfIdle());
        }
    }

    /** Whether no turn of this replica is in progress. */
    boolean idle() {
        return !running.get();
    }

    /** Up to one batch of what has committed; none when another replica holds the turn. */
    private Uni<Integer> projectOnce() {
        return database.withConnection(connection -> connection.preparedQuery(PROJECT).execute(Tuple.of(MAX_ENTRIES_PER_RUN)))
                .map(rows -> rows.iterator().next().getInteger("projected"));
    }

    private void runIfIdle() {
        if (running.compareAndSet(false, true)) {
            runUntilLevel();
        }
    }

    private void runUntilLevel() {
        projectOnce().subscribe().with(projected -> {
            if (projected == MAX_ENTRIES_PER_RUN) {
                runUntilLevel();
            } else {
                running.set(false);
            }
        }, failure -> {
            running.set(false);
            if (failure instanceof ServiceUnavailable) {
                Log.debugf("journal projection waits for the database: %s", failure.getMessage());
            } else {
                // every webhook and subscription waits behind the entry it could not project: loud, and the lag grows
                Log.warnf("journal projection failed, retried in %d ms: %s", INTERVAL_MILLIS, failure.getMessage());
            }
        });
    }

    /** The lag, for the gauge: measured on a schedule, so that scrapes add no load to the database. */
    @Scheduled(every = "${coalition.journal.projection-lag-interval:15s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> measureLag() {
        return database.withConnection(connection -> connection.query(LAG).execute())
                .invoke(rows -> lagMillis.set(Math.round(rows.iterator().next().getDouble("seconds") * 1000)))
                .replaceWithVoid()
                .onFailure(ServiceUnavailable.class).recoverWithNull();
    }
}
