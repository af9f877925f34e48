package org.coalition.gateway.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/** The bound on a database call: what answers in time passes through, what does not is failed and cancelled. */
class DeadlineTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static Vertx vertx;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void anAnswerWithinTheDeadlinePassesThrough() {
        assertEquals("answer", Deadline.within(vertx, 5_000, Uni.createFrom().item("answer")).await().atMost(PATIENCE));
    }

    @Test
    void aFailureWithinTheDeadlinePassesThroughUnchanged() {
        IllegalStateException failure = new IllegalStateException("refused");

        Throwable thrown = assertThrows(Throwable.class,
                () -> Deadline.within(vertx, 5_000, Uni.createFrom().failure(failure)).await().atMost(PATIENCE));

        assertSame(failure, thrown);
    }

    @Test
    void noAnswerWithinTheDeadlineFailsWithATimeoutAndCancelsTheCall() {
        AtomicBoolean cancelled = new AtomicBoolean();
        Uni<String> silent = Uni.createFrom().<String> nothing().onCancellation().invoke(() -> cancelled.set(true));

        Throwable thrown = assertThrows(Throwable.class, () -> Deadline.within(vertx, 50, silent).await().atMost(PATIENCE));

        Throwable cause = thrown instanceof CompletionException ? thrown.getCause() : thrown;
        assertTrue(cause instanceof TimeoutException, () -> "expected a TimeoutException, got " + cause);
        assertTrue(cancelled.get(), "the call that did not answer is cancelled");
    }
}
