package org.coalition.gateway.shared;

import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * One circuit breaker for the whole database: once PostgreSQL is known to be gone, requests are refused at
 * once instead of each trying a connection of its own, and after {@link #OPEN_MILLIS} one probe
 * request is let through to find out whether it is back. The ledger event poll (five times a second) also
 * passes here, so an outage is noticed, and its end probed, even when no partner is calling. Use it only
 * through {@link Database}, which also classifies what the breaker itself throws.
 */
@ApplicationScoped
class DatabaseBreaker {

    static final String NAME = "database";
    /** Calls the breaker judges at a time; half of them unreachable opens it. */
    static final int WINDOW_CALLS = 8;
    static final long OPEN_MILLIS = 1_000;
    private final Vertx vertx;
    /**
     * The longest a request waits on the database, pool queue included ({@code coalition.database.call-timeout}): for
     * a database that stops answering without closing its connections, since PostgreSQL's own statement_timeout ends
     * a merely slow statement first. It answers SERVICE_UNAVAILABLE but does not open the breaker: slow is not gone.
     * Timed by {@link Deadline} inside the breaker, which counts only {@link ServiceUnavailable.Unreachable} as a failure.
     */
    private final long callTimeoutMillis;

    DatabaseBreaker(Vertx vertx, CoalitionConfig config) {
        this.vertx = vertx;
        this.callTimeoutMillis = config.database().callTimeout().toMillis();
    }

    @CircuitBreaker(requestVolumeThreshold = WINDOW_CALLS, failureRatio = 0.5, delay = OPEN_MILLIS, delayUnit = ChronoUnit.MILLIS,
            successThreshold = 1, failOn = ServiceUnavailable.Unreachable.class)
    @CircuitBreakerName(NAME)
    public <T> Uni<T> call(Supplier<Uni<T>> work) {
        return Deadline.within(vertx, callTimeoutMillis, Uni.createFrom().deferred(work::get))
                .onFailure().transform(DatabaseFailures::classify);
    }

    /** One line per change of state: the outage as operators see it, without a log line per refused request. */
    void logStateChanges(@Observes StartupEvent event, CircuitBreakerMaintenance breakers, MeterRegistry registry) {
        breakers.onStateChange(NAME, DatabaseBreaker::logStateChange);
        // SmallRye's per-call metrics are off (they cost every database call); the state is what operators need.
        Gauge.builder("coalition.database.breaker.open", breakers, b -> b.currentState(NAME) == CircuitBreakerState.CLOSED ? 0 : 1)
                .description("1 while the database circuit breaker is open or probing: requests are answered SERVICE_UNAVAILABLE")
                .register(registry);
    }

    private static void logStateChange(CircuitBreakerState state) {
        switch (state) {
            case OPEN -> Log.warn("PostgreSQL is unreachable: requests are answered SERVICE_UNAVAILABLE at once;"
                    + " a probe goes through every " + OPEN_MILLIS + " ms");
            case HALF_OPEN -> Log.debug("Probing whether PostgreSQL is back");
            case CLOSED -> Log.info("PostgreSQL answers again: requests go through");
        }
    }
}
