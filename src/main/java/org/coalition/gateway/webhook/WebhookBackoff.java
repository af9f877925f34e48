package org.coalition.gateway.webhook;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * When a failed delivery is tried again: exponential from {@code base}, capped, with "equal jitter" (half the
 * delay fixed, half random) so that endpoints failing together do not retry together.
 */
record WebhookBackoff(Duration base, Duration cap) {

    /** @param failedAttempts attempts made so far, at least 1; {@code random} yields values in [0, 1) */
    Duration after(int failedAttempts, DoubleSupplier random) {
        int doublings = Math.min(Math.max(failedAttempts - 1, 0), 40);
        long delay = (long) Math.min(cap.toMillis(), base.toMillis() * Math.pow(2, doublings));
        long half = delay / 2;
        return Duration.ofMillis(half + (long) (random.getAsDouble() * (delay - half)));
    }
}
