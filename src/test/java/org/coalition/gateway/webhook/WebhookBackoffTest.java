package org.coalition.gateway.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class WebhookBackoffTest {

    private final WebhookBackoff backoff = new WebhookBackoff(Duration.ofSeconds(10), Duration.ofHours(6));

    @Test
    void doublesFromTheBaseWithHalfOfEachDelayRandom() {
        assertEquals(Duration.ofSeconds(5), backoff.after(1, () -> 0.0));
        assertEquals(Duration.ofMillis(9_999), backoff.after(1, () -> 0.9999));
        assertEquals(Duration.ofSeconds(10), backoff.after(2, () -> 0.0));
        assertEquals(Duration.ofSeconds(40), backoff.after(4, () -> 0.0));
        assertEquals(Duration.ofSeconds(60), backoff.after(4, () -> 0.5));
    }

    @Test
    void neverExceedsTheCapHoweverManyAttempts() {
        assertEquals(Duration.ofHours(6), backoff.after(20, () -> 1.0));
        assertEquals(Duration.ofHours(3), backoff.after(500, () -> 0.0));
        assertEquals(Duration.ofHours(6), backoff.after(Integer.MAX_VALUE, () -> 1.0));
    }
}
