package org.coalition.gateway.idempotency;

import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.ledger.EntryIds;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.GroupCommit;
import org.coalition.gateway.shared.Invariant;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * Runs a mutation in one database transaction that first claims its idempotency key.
 *
 * <p>The claim is an INSERT of the key with the id the result will have. A concurrent duplicate blocks
 * on that row until the first transaction ends: if it committed, the duplicate replays its result; if
 * it rolled back (a business failure writes nothing, not even the key), the duplicate runs afresh. So
 * any number of concurrent duplicates produce exactly one effect, with no lock held outside PostgreSQL.
 */
@ApplicationScoped
public class IdempotentTransactions {

    private static final String CLAIM = """
            insert into idempotency_keys (scope, key, operation, request_hash, result_id)
            values ($1, $2, $3, $4, $5)
            on conflict (scope, key) do nothing
            """;
    private static final String EARLIER_CLAIM = """
            select operation, request_hash, result_id from idempotency_keys where scope = $1 and key = $2
            """;

    private final TenantSessions sessions;
    private final GroupCommit groupCommit;

    public IdempotentTransactions(TenantSessions sessions, GroupCommit groupCommit) {
        this.sessions = sessions;
        this.groupCommit = groupCommit;
    }

    /**
     * @param firstTime the mutation's work, given the id its result must have
     * @param replay    loads the result a previous identical request produced, given its id
     */
    public <R> Uni<R> execute(Caller caller, IdempotentRequest request,
            BiFunction<SqlConnection, UUID, Uni<R>> firstTime,
            BiFunction<SqlConnection, UUID, Uni<R>> replay) {
        UUID resultId = EntryIds.next();
        return sessions.inTransaction(caller, connection -> connection.preparedQuery(CLAIM)
                .execute(Tuple.of(request.scope(), request.key(), request.operation(), request.fingerprint(),
                        resultId.toString()))
                .flatMap(claim -> claim.rowCount() == 1
                        ? firstTime.apply(connection, resultId)
                        : earlierResult(connection, request).flatMap(earlier -> replay.apply(connection, earlier))));
    }

    /**
     * The same guarantee for a hot-path mutation that claims its key inside its own single function call
     * (V9's {@code earn_points}, {@code redeem_points}): the function takes the caller's four arguments,
     * then key, operation, fingerprint and result id, then {@code arguments}; it returns a row with
     * {@code claimed} and, when the key was claimed before, {@code earlier_operation}, {@code earlier_hash}
     * and {@code earlier_result}. A replay reads the earlier result in a transaction of its own. Concurrent calls may
     * share a transaction ({@code shared.GroupCommit}); {@code lockOrder} is the member's key, which orders them.
     */
    public <R> Uni<R> executeInOneStatement(Caller caller, IdempotentRequest request, String function, String lockOrder,
            BiConsumer<Tuple, UUID> arguments, BiFunction<Row, UUID, R> posted,
            BiFunction<SqlConnection, UUID, Uni<R>> replay) {
        Invariant.check(request.scope().equals(caller.idempotencyScope()), "an idempotency key claimed outside the caller's scope");
        UUID resultId = EntryIds.next();
        Tuple tuple = sessions.callerArguments(caller)
                .addString(request.key()).addString(request.operation()).addString(request.fingerprint()).addUUID(resultId);
        arguments.accept(tuple, resultId);
        return groupCommit.call(function, tuple, lockOrder).flatMap(row -> postedOrReplayed(caller, request, row, resultId, posted, replay));
    }

    /**
     * The same guarantee for a hot-path mutation whose function takes a whole batch of requests, set-based (V57's
     * {@code earn_points}): the caller's four arguments, then a JSON array of requests, each with {@code key},
     * {@code operation}, {@code hash} and {@code entry} (the result's id) besides the fields {@code request} adds, and
     * last the fields {@code shared} holds for every request of its batch (JSON text); it returns a row per request as
     * the one-statement functions do.
     */
    public <R> Uni<R> executeInSet(Caller caller, IdempotentRequest request, String function, String lockOrder,
            String shared, BiConsumer<JsonObject, UUID> fields, BiFunction<Row, UUID, R> posted,
            BiFunction<SqlConnection, UUID, Uni<R>> replay) {
        Invariant.check(request.scope().equals(caller.idempotencyScope()), "an idempotency key claimed outside the caller's scope");
        UUID resultId = EntryIds.next();
        JsonObject json = new JsonObject().put("key", request.key()).put("operation", request.operation())
                .put("hash", request.fingerprint()).put("entry", resultId.toString());
        fields.accept(json, resultId);
        return groupCommit.callInSet(function, sessions.callerArguments(caller), shared, json, lockOrder)
                .flatMap(row -> postedOrReplayed(caller, request, row, resultId, posted, replay));
    }

    /** A replay reads the earlier result in a transaction of its own. */
    private <R> Uni<R> postedOrReplayed(Caller caller, IdempotentRequest request, Row row, UUID resultId,
            BiFunction<Row, UUID, R> posted, BiFunction<SqlConnection, UUID, Uni<R>> replay) {
        if (row.getBoolean("claimed")) {
            return Uni.createFrom().item(posted.apply(row, resultId));
        }
        UUID earlier = sameRequestOrConflict(request, row.getString("earlier_operation"), row.getString("earlier_hash"),
                row.getString("earlier_result"));
        return sessions.inTransaction(caller, connection -> replay.apply(connection, earlier));
    }

    private Uni<UUID> earlierResult(SqlConnection connection, IdempotentRequest request) {
        return connection.preparedQuery(EARLIER_CLAIM).execute(Tuple.of(request.scope(), request.key()))
                .map(rows -> {
                    Row earlier = rows.iterator().next();
                    return sameRequestOrConflict(request, earlier.getString("operation"), earlier.getString("request_hash"),
                            earlier.getString("result_id"));
                });
    }

    private static UUID sameRequestOrConflict(IdempotentRequest request, String operation, String fingerprint, String resultId) {
        if (!operation.equals(request.operation()) || !fingerprint.equals(request.fingerprint())) {
            throw BusinessFailure.of(ErrorCode.IDEMPOTENCY_CONFLICT,
                    "This idempotency key was already used for a different request", "input", "idempotencyKey");
        }
        return UUID.fromString(resultId);
    }
}
