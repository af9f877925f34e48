package org.coalition.gateway.shared;

import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

/**
 * The one place that decides whether a failure means "the database is unavailable", turning it into a
 * {@link ServiceUnavailable}. Everything else passes through unchanged: a syntax error, a constraint
 * violation or a bug in our own code must stay what it is and never pass for an outage.
 */
final class DatabaseFailures {

    /** PostgreSQL's own words for "I am not serving you": shutting down, crashed, still starting. */
    private static final Set<String> SERVER_GONE = Set.of("57P01", "57P02", "57P03");
    /** The server is up but could not finish in bounded time or take another client. */
    private static final Set<String> SERVER_BUSY = Set.of(
            "57014", // query_canceled: statement_timeout (V3) or an operator's pg_cancel_backend
            "55P03", // lock_not_available: lock_timeout (V3)
            "53300"); // too_many_connections
    /** deadlock_detected: the server rolled this transaction back to free another one; sent again, it normally succeeds. */
    private static final String DEADLOCK = "40P01";
    /** How the Vert.x client words a refused or dropped connection when it has no type for it. */
    private static final Set<String> CONNECTION_LOST = Set.of("connection refused", "closed");
    /** Its words for a request that waited the whole acquisition timeout because every pooled connection was busy. */
    private static final String POOL_EXHAUSTED = "timeout waiting for connection";

    /** UNKNOWN: this link of the cause chain says nothing, ask its cause; NOT_AVAILABILITY: the database answered, stop. */
    private enum Verdict { UNREACHABLE, BUSY, DEADLOCKED, NOT_AVAILABILITY, UNKNOWN }

    private DatabaseFailures() {
    }

    static Throwable classify(Throwable failure) {
        if (failure instanceof ServiceUnavailable) {
            return failure;
        }
        if (failure instanceof CircuitBreakerOpenException) {
            // known down: the breaker logged that once when it opened; a stack trace per refused request adds nothing
            return new ServiceUnavailable(null);
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            Verdict verdict = verdict(cause);
            if (verdict == Verdict.UNREACHABLE) {
                return new ServiceUnavailable.Unreachable(failure);
            }
            if (verdict == Verdict.BUSY) {
                return new ServiceUnavailable(failure);
            }
            if (verdict == Verdict.DEADLOCKED) {
                return new ServiceUnavailable.Contended(failure);
            }
            if (verdict == Verdict.NOT_AVAILABILITY) {
                return failure;
            }
        }
        return failure;
    }

    private static Verdict verdict(Throwable failure) {
        if (failure instanceof PgException pg) {
            return serverVerdict(pg.getSqlState());
        }
        if (failure instanceof ConnectionPoolTooBusyException || failure instanceof TimeoutException
                || failure instanceof org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException) {
            // too slow is not gone: a database that is merely slow must not be shut out by the breaker
            return Verdict.BUSY;
        }
        if (failure instanceof ClosedConnectionException || failure instanceof SocketException
                || failure instanceof UnknownHostException) {
            // SocketException covers ConnectException (refused, and Netty's connect timeout) and "Connection reset"
            return Verdict.UNREACHABLE;
        }
        if (failure instanceof VertxException || failure instanceof NoStackTraceThrowable) {
            return clientVerdict(failure.getMessage());
        }
        return Verdict.UNKNOWN;
    }

    /** Class 08 is "connection exception"; any other SQLSTATE is the database answering, so not an outage. */
    private static Verdict serverVerdict(String sqlState) {
        if (sqlState == null) {
            return Verdict.UNKNOWN;
        }
        if (sqlState.startsWith("08") || SERVER_GONE.contains(sqlState)) {
            return Verdict.UNREACHABLE;
        }
        if (DEADLOCK.equals(sqlState)) {
            return Verdict.DEADLOCKED;
        }
        return SERVER_BUSY.contains(sqlState) ? Verdict.BUSY : Verdict.NOT_AVAILABILITY;
    }

    private static Verdict clientVerdict(String message) {
        String words = message == null ? "" : message.toLowerCase(Locale.ROOT);
        if (words.contains(POOL_EXHAUSTED)) {
            return Verdict.BUSY;
        }
        return CONNECTION_LOST.stream().anyMatch(words::contains) ? Verdict.UNREACHABLE : Verdict.UNKNOWN;
    }
}
