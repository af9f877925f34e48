package org.coalition.gateway.transfer;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.shared.ServiceUnavailable;

/** Gives senders back the points of offers nobody accepted or declined in time. */
@ApplicationScoped
public class TransferExpiryJob {

    private final TransferService transfers;

    public TransferExpiryJob(TransferService transfers) {
        this.transfers = transfers;
    }

    @Scheduled(every = "${coalition.transfers.expiry-interval:1m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> releaseExpiredOffers() {
        return transfers.releaseExpired(Instant.now())
                .invoke(released -> {
                    if (released > 0) {
                        Log.infof("Released %d expired points transfer offers", released);
                    }
                })
                .replaceWithVoid()
                // the circuit breaker logs the outage once; the next run releases the offers still due
                .onFailure(ServiceUnavailable.class).recoverWithNull();
    }
}
