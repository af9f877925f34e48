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

    void started() {
        inFlight.incrementAndGet();
    }

    void ended() {
        inFlight.decrementAndGet();
    }

    public int now() {
        return inFlight.get();
    }
}
