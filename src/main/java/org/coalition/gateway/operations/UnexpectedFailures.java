package org.coalition.gateway.operations;

import org.jboss.logging.Logger;

import io.vertx.pgclient.PgException;

/**
 * The log of a failure that reaches a caller only as {@code INTERNAL}: its classes and stack frames, and
 * PostgreSQL's SQLSTATE, but no exception message.
 *
 * <p>SmallRye GraphQL's own log of failed fields is off ({@code print-data-fetcher-exception}): it writes
 * every refused call at ERROR with a stack trace, and it writes messages, which can quote what a caller sent
 * (PostgreSQL quotes a value it could not convert, and so can a constraint's detail).
 */
public final class UnexpectedFailures {

    private static final Logger LOG = Logger.getLogger(UnexpectedFailures.class);
    /** Deep enough for any cause chain we have seen; a guard against cycles. */
    private static final int MAX_CAUSES = 16;

    private UnexpectedFailures() {
    }

    public static void log(Throwable failure) {
        LOG.error("A GraphQL field failed unexpectedly; its caller was told INTERNAL", scrubbed(failure, MAX_CAUSES));
    }

    static Throwable scrubbed(Throwable failure, int causesLeft) {
        Throwable cause = failure.getCause();
        Scrubbed copy = new Scrubbed(describe(failure),
                cause == null || cause == failure || causesLeft == 0 ? null : scrubbed(cause, causesLeft - 1));
        copy.setStackTrace(failure.getStackTrace());
        return copy;
    }

    private static String describe(Throwable failure) {
        if (failure instanceof PgException pg) {
            return failure.getClass().getName() + " (SQLSTATE " + pg.getSqlState() + ")";
        }
        return failure.getClass().getName();
    }

    /** Prints as the original class would, without its message. */
    static final class Scrubbed extends RuntimeException {

        Scrubbed(String description, Throwable cause) {
            super(description, cause, false, true);
        }

        @Override
        public String toString() {
            return getMessage();
        }
    }
}
