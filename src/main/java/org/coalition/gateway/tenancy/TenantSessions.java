package org.coalition.gateway.tenancy;

import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.shared.Database;
import org.coalition.gateway.shared.Invariant;

/**
 * The only way to the partner-scoped tables: a transaction that first tells PostgreSQL who is calling.
 * Row-level security keys on these transaction-local settings, so they cannot leak to the next
 * request that borrows the pooled connection. Goes through {@link Database}, so an unreachable database
 * fails as {@code ServiceUnavailable}, fast once the circuit breaker knows.
 */
@ApplicationScoped
public class TenantSessions {

    // The same function the one-statement hot-path functions start with (V9).
    private static final String SET_CALLER = "select coalition_set_caller($1, $2, $3, $4)";

    private final Database database;

    public TenantSessions(Database database) {
        this.database = database;
    }

    public <T> Uni<T> inTransaction(Caller caller, Function<SqlConnection, Uni<T>> work) {
        Tuple callerArguments = callerArguments(caller);
        return database.withTransaction(connection -> connection.preparedQuery(SET_CALLER).execute(callerArguments)
                .flatMap(ignored -> work.apply(connection)));
    }

    /**
     * Who is calling, as the four leading arguments of a hot-path function that sets them itself
     * ({@code coalition_set_caller} in V9) and does all its work in one statement, one round trip.
     */
    public Tuple callerArguments(Caller caller) {
        Invariant.check(caller.kind() != Caller.Kind.UNKNOWN, "a database session for an unknown caller");
        return Tuple.of(caller.kind().name(), orEmpty(caller.partnerId()), caller.isMember() ? caller.subject() : "",
                caller.idempotencyScope());
    }

    /**
     * Continues a caller's transaction (its idempotency key already claimed in the caller's scope) as the gateway,
     * for work across members and partners that the service has authorised, e.g. an erasure.
     */
    public Uni<Void> continueAsSystem(SqlConnection connection, Caller caller) {
        return connection.preparedQuery(SET_CALLER).execute(Tuple.of(Caller.Kind.SYSTEM.name(), "", "", caller.idempotencyScope()))
                .replaceWithVoid();
    }

    public <T> Uni<T> asSystem(Function<SqlConnection, Uni<T>> work) {
        return inTransaction(Caller.SYSTEM, work);
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
