package org.coalition.gateway.shared;

import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Look-ups by a unique key that arrive while the database is busy, sent together as one statement over the array of
 * their keys: the read side of {@link GroupCommit}. A member app's balance read ({@code me}) is one indexed row; most of
 * what it costs PostgreSQL, and a fifth of what it costs the gateway, is the statement around that row: the round trip,
 * the socket writes that wake the other side, the pool, the breaker. Sent together, a batch of look-ups pays that once.
 *
 * <p>How ({@link StatementQueue}): at most {@code read-batch-statements} statements of a look-up are in flight. A
 * look-up that finds a free slot goes at once, so a quiet gateway adds no wait; look-ups arriving while every slot is
 * busy queue, and a slot that frees takes up to {@value #MAX_KEYS} of them. A look-up joins only a statement sent after
 * it arrived, so it sees every transaction that committed before its request did (a member's read after their own earn
 * sees the earn). Each caller is answered on its own request's Vert.x context; a statement that fails fails the
 * look-ups it carried, alike.
 */
@ApplicationScoped
public class BatchedLookups {

    /** Keys in one statement at most: enough to drain the queue of a saturated gateway in a few statements. */
    static final int MAX_KEYS = 128;

    private final Database database;
    private final MeterRegistry registry;
    private final int statements;
    private final int maxQueued;

    public BatchedLookups(Database database, CoalitionConfig config, MeterRegistry registry) {
        this.database = database;
        this.registry = registry;
        this.statements = config.database().readBatchStatements();
        this.maxQueued = config.database().maxWaitQueueSize();
    }

    /**
     * A look-up through {@code statement}, whose one parameter is the array of keys ({@code ... where k = any($1)}) and
     * which returns at most one row per key.
     *
     * @param name    names the look-up in the metric {@code coalition.database.batched.lookups}
     * @param keysOf  the statement's arguments for a batch's distinct keys
     * @param keyOf   the key a result row answers
     * @param valueOf what a result row gives its callers
     */
    public <K, V> Lookup<K, V> lookup(String name, String statement, Function<List<K>, Tuple> keysOf, Function<Row, K> keyOf,
            Function<Row, V> valueOf) {
        DistributionSummary lookupsPerStatement = DistributionSummary.builder("coalition.database.batched.lookups")
                .description("Look-ups that shared one statement").tag("lookup", name).register(registry);
        return new Lookup<>(name, statement, keysOf, keyOf, valueOf, lookupsPerStatement);
    }

    /** One kind of look-up: its queue and its statements in flight. */
    public final class Lookup<K, V> extends StatementQueue<Waiting<K, V>> {
        private final String statement;
        private final Function<List<K>, Tuple> keysOf;
        private final Function<Row, K> keyOf;
        private final Function<Row, V> valueOf;
        private final DistributionSummary lookupsPerStatement;

        private Lookup(String name, String statement, Function<List<K>, Tuple> keysOf, Function<Row, K> keyOf,
                Function<Row, V> valueOf, DistributionSummary lookupsPerStatement) {
            super("the look-up " + name, statements, maxQueued);
            this.statement = statement;
            this.keysOf = keysOf;
            this.keyOf = keyOf;
            this.valueOf = valueOf;
            this.lookupsPerStatement = lookupsPerStatement;
        }

        /** The row of {@code key}, if there is one, read alone or with other look-ups. */
        public Uni<Optional<V>> find(K key) {
            return Uni.createFrom().emitter(emitter -> enqueue(new Waiting<>(key, emitter, Vertx.currentContext())));
        }

        @Override
        protected List<Waiting<K, V>> take(Deque<Waiting<K, V>> queued) {
            List<Waiting<K, V>> batch = new ArrayList<>(Math.min(queued.size(), MAX_KEYS));
            while (!queued.isEmpty() && batch.size() < MAX_KEYS) {
                batch.add(queued.poll());
            }
            return batch;
        }

        @Override
        protected void send(List<Waiting<K, V>> batch) {
            Set<K> keys = new LinkedHashSet<>();
            batch.forEach(waiting -> keys.add(waiting.key()));
            lookupsPerStatement.record(batch.size());
            database.withConnection(connection -> connection.preparedQuery(statement).execute(keysOf.apply(List.copyOf(keys))))
                    .subscribe().with(rows -> answer(batch, rows), failure -> fail(batch, failure));
        }

        @Override
        protected void refuse(Waiting<K, V> waiting, ServiceUnavailable full) {
            waiting.fail(full);
        }

        private void answer(List<Waiting<K, V>> batch, RowSet<Row> rows) {
            Map<K, V> found = new HashMap<>();
            try {
                rows.forEach(row -> Invariant.check(found.put(keyOf.apply(row), valueOf.apply(row)) == null,
                        "a look-up by a unique key found two rows"));
            } catch (RuntimeException failure) {
                fail(batch, failure);
                return;
            }
            finished();
            batch.forEach(waiting -> waiting.answer(Optional.ofNullable(found.get(waiting.key()))));
        }

        private void fail(List<Waiting<K, V>> batch, Throwable failure) {
            finished();
            batch.forEach(waiting -> waiting.fail(failure));
        }
    }

    /** One waiting look-up, answered on the Vert.x context it came from (its request's), whichever statement carried it. */
    private record Waiting<K, V>(K key, UniEmitter<? super Optional<V>> emitter, Context context) {

        void answer(Optional<V> value) {
            OnOwnContext.run(context, () -> emitter.complete(value));
        }

        void fail(Throwable failure) {
            OnOwnContext.run(context, () -> emitter.fail(failure));
        }
    }
}
