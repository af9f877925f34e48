package org.coalition.gateway.shared;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Answers a caller whose work another request's statement carried ({@link GroupCommit}, {@link BatchedLookups}) on the
 * caller's own Vert.x context: its request's duplicated context holds its CDI request scope, its trace and its log
 * fields, and its event loop is the one its HTTP connection belongs to.
 */
final class OnOwnContext {

    private OnOwnContext() {
    }

    /** Runs {@code action} at once when already on {@code context} (or there is none), else on {@code context}. */
    static void run(Context context, Runnable action) {
        if (context == null || context == Vertx.currentContext()) {
            action.run();
        } else {
            context.runOnContext(ignored -> action.run());
        }
    }
}
