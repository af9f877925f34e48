package org.coalition.gateway.redemption;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.shared.ServiceUnavailable;

/** Releases the points of holds nobody captured or voided in time. */
@ApplicationScoped
public class HoldExpiryJob {

    private final HoldService holds;

    public HoldExpiryJob(HoldService holds) {
        this.holds = holds;
    }

    @Scheduled(every = "${coalition.holds.expiry-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> releaseExpiredHolds() {
        return holds.releaseExpired()
                .invoke(released -> {
                    if (released > 0) {
                        Log.infof("Released %d expired redemption holds", released);
                    }
                })
                .replaceWithVoid()
                // the circuit breaker logs the outage once; the next run releases the holds still due
                .onFailure(ServiceUnavailable.class).recoverWithNull();
    }
}
