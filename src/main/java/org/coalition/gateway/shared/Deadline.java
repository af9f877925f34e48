package org.coalition.gateway.shared;

import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;

/**
 * A bound on how long a database call may take, timed by a Vert.x timer. Called on an event loop (every request's
 * database call is), the timer lives in that loop's own queue: setting and cancelling it is a queue operation on the
 * same thread. SmallRye Fault Tolerance's {@code @Timeout} hands every call to its timer thread and wakes it: 6.5 % of
 * the gateway's CPU in parking and unparking alone (async-profiler), and a {@code me} read cost 18 % less gateway CPU
 * without it (bench/README.md, "Session 10").
 */
final class Deadline {

    private Deadline() {
    }

    /** {@code work}, failed with a {@link TimeoutException} (and cancelled) if it has not answered within {@code millis}. */
    static <T> Uni<T> within(Vertx vertx, long millis, Uni<T> work) {
        return Uni.createFrom().emitter(emitter -> {
            AtomicReference<Cancellable> call = new AtomicReference<>();
            long timer = vertx.setTimer(millis, expired -> {
                cancel(call.get());
                emitter.fail(new TimeoutException("no answer from the database within " + millis + " ms"));
            });
            call.set(work.subscribe().with(
                    item -> {
                        vertx.cancelTimer(timer);
                        emitter.complete(item);
                    },
                    failure -> {
                        vertx.cancelTimer(timer);
                        emitter.fail(failure);
                    }));
            emitter.onTermination(() -> {
                vertx.cancelTimer(timer);
                cancel(call.get());
            });
        });
    }

    private static void cancel(Cancellable call) {
        if (call != null) {
            call.cancel();
        }
    }
}
