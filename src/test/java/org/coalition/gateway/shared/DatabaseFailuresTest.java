package org.coalition.gateway.shared;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.ConnectException;
import java.net.SocketException;
import java.util.concurrent.CompletionException;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

/** Which failures the gateway reports as "the database is unavailable", and which it must leave alone. */
class DatabaseFailuresTest {

    @ParameterizedTest
    @ValueSource(strings = { "08000", "08006", "08001", "57P01", "57P02", "57P03" })
    void aServerThatIsGoneOrNotReadyIsUnreachable(String sqlState) {
        assertInstanceOf(ServiceUnavailable.Unreachable.class, DatabaseFailures.classify(pg(sqlState)));
    }

    @Test
    void aTransactionTheServerRolledBackToBreakADeadlockIsContendedAndRetryable() {
        Throwable classified = DatabaseFailures.classify(pg("40P01"));

        assertInstanceOf(ServiceUnavailable.Contended.class, classified);
        assertFalse(classified instanceof ServiceUnavailable.Unreachable, "a deadlock must not count toward opening the breaker");
    }

    @ParameterizedTest
    @ValueSource(strings = { "57014", "55P03", "53300" })
    void aServerThatAnswersTooSlowOrIsFullIsUnavailableButNotUnreachable(String sqlState) {
        Throwable classified = DatabaseFailures.classify(pg(sqlState));

        assertInstanceOf(ServiceUnavailable.class, classified);
        assertNotUnreachable(classified);
    }

    @ParameterizedTest
    @ValueSource(strings = { "42601", "23505", "23514", "40001", "CG402", "22P02" })
    void aSqlErrorOrABusinessRuleOfTheDatabaseStaysWhatItIs(String sqlState) {
        PgException failure = pg(sqlState);

        assertSame(failure, DatabaseFailures.classify(failure));
    }

    @Test
    void aConnectionThatIsRefusedResetOrClosedIsUnreachable() {
        assertInstanceOf(ServiceUnavailable.Unreachable.class, DatabaseFailures.classify(new ConnectException("Connection refused")));
        assertInstanceOf(ServiceUnavailable.Unreachable.class, DatabaseFailures.classify(new SocketException("Connection reset")));
        assertInstanceOf(ServiceUnavailable.Unreachable.class, DatabaseFailures.classify(ClosedConnectionException.INSTANCE));
        assertInstanceOf(ServiceUnavailable.Unreachable.class, DatabaseFailures.classify(
                new NoStackTraceThrowable("Pending requests failed to be sent due to connection has been closed.")));
    }

    @Test
    void aCallThatTimedOutAPoolThatIsFullOrABreakerThatIsOpenIsUnavailableButNotUnreachable() {
        assertNotUnreachable(DatabaseFailures.classify(new TimeoutException("database call timed out")));
        assertNotUnreachable(DatabaseFailures.classify(new VertxException("Timeout waiting for connection", true)));
        assertNotUnreachable(DatabaseFailures.classify(new ConnectionPoolTooBusyException("Connection pool reached max wait queue size of 500")));
        Throwable open = DatabaseFailures.classify(new CircuitBreakerOpenException("circuit breaker is open"));
        assertNotUnreachable(open);
        assertNull(open.getCause(), "the breaker logged the outage once; no stack trace per refused request");
    }

    @Test
    void theCauseChainIsReadUntilTheDatabaseHasSpoken() {
        assertInstanceOf(ServiceUnavailable.Unreachable.class,
                DatabaseFailures.classify(new CompletionException(new ConnectException("Connection refused"))));
        CompletionException syntaxError = new CompletionException(pg("42601"));
        assertSame(syntaxError, DatabaseFailures.classify(syntaxError));
    }

    @Test
    void ourOwnBugsAndBusinessRulesStayWhatTheyAre() {
        IllegalStateException bug = new IllegalStateException("hold of missing member");
        VertxException otherClientError = new VertxException("Transaction already completed");

        BusinessFailure rule = BusinessFailure.of(ErrorCode.INSUFFICIENT_POINTS, "not an outage");

        assertSame(bug, DatabaseFailures.classify(bug));
        assertSame(otherClientError, DatabaseFailures.classify(otherClientError));
        assertSame(rule, DatabaseFailures.classify(rule));
    }

    private static void assertNotUnreachable(Throwable classified) {
        assertInstanceOf(ServiceUnavailable.class, classified);
        assertSame(ServiceUnavailable.class, classified.getClass(), "must not count toward opening the breaker");
    }

    private static PgException pg(String sqlState) {
        return new PgException("message from the server", "ERROR", sqlState, null);
    }
}
