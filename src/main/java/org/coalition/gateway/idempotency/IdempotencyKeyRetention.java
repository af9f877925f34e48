package org.coalition.gateway.idempotency;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.ServiceUnavailable;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * Forgets idempotency keys older than {@code coalition.idempotency.retention} (30 days), a batch per run so that no
 * run is a long transaction; every mutation adds a key, and a table that only grows makes every claim dearer.
 * What a key protected stays in the ledger; only the replay of its answer ends.
 */
@ApplicationScoped
public class IdempotencyKeyRetention {

    static final int BATCH = 10_000;
    private static final String FORGET = "select idempotency_keys_forget($1, $2) as forgotten";

    private final TenantSessions sessions;
    private final double retentionSeconds;

    public IdempotencyKeyRetention(TenantSessions sessions, CoalitionConfig config) {
        this.sessions = sessions;
        this.retentionSeconds = config.idempotency().retention().toSeconds();
    }

    @Scheduled(every = "10m", delayed = "2m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return forgetOldKeys().replaceWithVoid().onFailure(ServiceUnavailable.class).recoverWithNull();
    }

    /** Forgets one batch of keys past retention; answers how many. */
    public Uni<Integer> forgetOldKeys() {
        return sessions.asSystem(connection -> connection.preparedQuery(FORGET).execute(Tuple.of(retentionSeconds, BATCH)))
                .map(rows -> rows.iterator().next().getInteger("forgotten"))
                .invoke(forgotten -> {
                    if (forgotten > 0) {
                        Log.infof("Forgot %d idempotency keys past retention", forgotten);
                    }
                });
    }
}
