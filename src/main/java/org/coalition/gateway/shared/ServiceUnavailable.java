package org.coalition.gateway.shared;

/**
 * The database cannot serve the request now. Nothing the caller sent was wrong: a mutation answers this
 * with the user error {@code SERVICE_UNAVAILABLE}, a query with a GraphQL error of that reason. The
 * request may or may not have taken effect (a commit can succeed just before its connection dies), which
 * is why partners are told to send it again with the same idempotency key: it then takes effect once.
 *
 * <p>Made only by {@link DatabaseFailures}. The database's own failure stays the cause, for the log; the
 * caller sees neither it nor a stack trace.
 */
public class ServiceUnavailable extends RuntimeException {

    public static final String MUTATION_MESSAGE = "The points service is briefly unavailable; retry with the same idempotencyKey";
    /** Queries take no idempotency key; the message must still say nothing about what failed underneath. */
    public static final String QUERY_MESSAGE = "The points service is briefly unavailable; retry shortly";

    ServiceUnavailable(Throwable cause) {
        super(QUERY_MESSAGE, cause, false, false);
    }

    public UserError userError() {
        return UserError.of(ErrorCode.SERVICE_UNAVAILABLE, MUTATION_MESSAGE);
    }

    /**
     * Proof that the database is gone: it refused, reset or dropped the connection, could not be connected to
     * in time, or said it is shutting down or still starting. Only this counts toward opening the database
     * circuit breaker. A database that is merely slow (a statement, lock or call timeout, a full pool) is still
     * there, and shutting every request out because of it would turn one slow query or one burst into an outage.
     */
    public static final class Unreachable extends ServiceUnavailable {
        Unreachable(Throwable cause) {
            super(cause);
        }
    }

    /**
     * PostgreSQL rolled the transaction back to break a deadlock: nothing took effect, and the same request sent again
     * normally goes through. {@link GroupCommit} runs a batch that ended so again in
     * halves; a call that was alone gets SERVICE_UNAVAILABLE, retryable with the same idempotency key, rather than an
     * unexpected failure.
     */
    public static final class Contended extends ServiceUnavailable {
        Contended(Throwable cause) {
            super(cause);
        }
    }
}
