package org.coalition.gateway.operations;

import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * How many GraphQL operations this replica is working on right now (counted by {@link OperationMetricsInterceptor}
 * from an operation's start to its answer): the cheapest sign that it is busy, for background work that should give
 * way to the tills, such as webhook deliveries.
 */
@ApplicationScoped
public class OperationsInFlight {

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();

    void started() {
        int now = inFlight.incrementAndGet();
        peak.accumulateAndGet(now, Math::max);
    }

    void ended() {
        inFlight.decrementAndGet();
    }

    /**
     * The most operations at once since the last look: a sample of the count once a second can fall into a moment
     * between requests even in a burst, the peak cannot.
     */
    public int peakSinceLastLook() {
        return peak.getAndSet(inFlight.get());
    }
}
