package org.coalition.gateway.shared;

import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * The way to PostgreSQL for everything that serves requests or runs on a schedule: behind the database
 * circuit breaker and timeout ({@link DatabaseBreaker}), and with every "database unavailable" failure,
 * the breaker's own included, turned into {@link ServiceUnavailable}. Only start-up code, which must fail
 * loudly rather than answer anyone, uses the pool directly.
 *
 * <p>Work always runs on a borrowed connection, never through {@code Pool.query}: that path of Vert.x
 * 4.5 leaves its acquisition timer running when a connection attempt fails and later reports "Result is
 * already complete" as an uncaught error (vertx-sql-client#1706), once per refused request in an outage.
 */
@ApplicationScoped
public class Database {

    private final Pool pool;
    private final DatabaseBreaker breaker;

    @Inject
    Database(Pool pool, DatabaseBreaker breaker) {
        this.pool = pool;
        this.breaker = breaker;
    }

    /** Statements on one connection, each in its own implicit transaction. */
    public <T> Uni<T> withConnection(Function<SqlConnection, Uni<T>> work) {
        return guarded(() -> pool.withConnection(work));
    }

    /** Statements in one transaction, committed when {@code work} succeeds, rolled back when it fails. */
    public <T> Uni<T> withTransaction(Function<SqlConnection, Uni<T>> work) {
        return guarded(() -> pool.withTransaction(work));
    }

    /** The same database and breaker through another pool, e.g. a deliberately small one. */
    public Database over(Pool other) {
        return new Database(other, breaker);
    }

    private <T> Uni<T> guarded(Supplier<Uni<T>> access) {
        // deferred: an open breaker or a failure building the statement fails the Uni instead of throwing at assembly
        return Uni.createFrom().deferred(() -> breaker.call(access)).onFailure().transform(DatabaseFailures::classify);
    }
}
