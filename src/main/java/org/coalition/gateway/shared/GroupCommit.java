package org.coalition.gateway.shared;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Group commit for the one-statement hot-path functions ({@code earn_points}, {@code redeem_points}): calls of one
 * function that arrive while the database is busy go to PostgreSQL together, as one statement
 * ({@code select ... from f(...) union all select ... from f(...)}) in one implicit transaction.
 *
 * <p>Why: PostgreSQL spends most of a lone earn on what surrounds it (the top-level statement, the transaction, its
 * commit), not on its rows. Eight earns in one transaction cost it about a third of what eight transactions do
 * (bench/README.md, "Session 8"). Each call still runs the whole function, with its own caller, idempotency claim
 * and rules, so nothing about what an earn does changes; only which earns share a commit.
 *
 * <p>How: at most {@code statements} batches of a function are in flight. A call that finds a free slot goes at
 * once, alone, so a quiet gateway adds no wait; calls arriving while every slot is busy queue, and a slot that frees
 * takes up to {@code maxCalls} of them. A batch locks its members in one order (the callers' {@code lockOrder}), so
 * two batches do not deadlock over the same members; a call that locks other shared rows (a campaign's budget) stays
 * out of batches. A batch commits or fails as a whole: when one of its calls fails (an unknown card, too few points,
 * a deadlock PostgreSQL broke), its halves go again, and their halves, so that the failing call ends up alone with its
 * own answer while the others still take effect. A database that is unavailable fails the whole batch; its callers
 * retry with their idempotency keys, as they would after any {@link ServiceUnavailable}.
 */
@ApplicationScoped
public class GroupCommit {

    /** The column each result row of a batch carries its call's position in. */
    static final String SLOT = "group_slot";

    private final Database database;
    private final MeterRegistry registry;
    private final int maxCalls;
    private final int statements;
    private final int maxQueued;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

    public GroupCommit(Database database, CoalitionConfig config, MeterRegistry registry) {
        this.database = database;
        this.registry = registry;
        this.maxCalls = Math.max(1, config.database().groupCommitMaxCalls());
        this.statements = Math.max(1, config.database().groupCommitStatements());
        this.maxQueued = config.database().maxWaitQueueSize();
    }

    /**
     * Calls {@code function} with {@code arguments} and returns its single row, alone or in a batch.
     *
     * @param lockOrder orders the calls of a batch; calls that lock the same rows first must give the same value
     *                  (the member's key), so that batches lock them in one order. Empty keeps the call out of batches:
     *                  for a call that also locks rows no order protects, e.g. a campaign's budget slots, which two
     *                  batches of several earns each could take in opposite orders and deadlock on.
     */
    public Uni<Row> call(String function, Tuple arguments, Optional<String> lockOrder) {
        return Uni.createFrom().emitter(emitter -> {
            Lane lane = lane(function, arguments.size());
            Call call = new Call(arguments, lockOrder.orElse(""), emitter, Vertx.currentContext());
            if (lockOrder.isPresent()) {
                lane.enqueue(call);
            } else {
                lane.outsideBatches(call);
            }
        });
    }

    private Lane lane(String function, int arity) {
        return lanes.computeIfAbsent(function + "/" + arity, ignored -> new Lane(function, arity));
    }

    /** One waiting call, answered on the Vert.x context it came from (its request's), whichever batch carried it. */
    private record Call(Tuple arguments, String lockOrder, UniEmitter<? super Row> emitter, Context context) {

        void answer(Row row) {
            onOwnContext(() -> emitter.complete(row));
        }

        void fail(Throwable failure) {
            onOwnContext(() -> emitter.fail(failure));
        }

        private void onOwnContext(Runnable action) {
            if (context == null || context == Vertx.currentContext()) {
                action.run();
            } else {
                context.runOnContext(ignored -> action.run());
            }
        }
    }

    /** The queue and the batches in flight of one function. */
    private final class Lane {
        private final String function;
        private final int arity;
        private final ArrayDeque<Call> queued = new ArrayDeque<>();
        private final Map<Integer, String> statementsBySize = new ConcurrentHashMap<>();
        private final DistributionSummary callsPerStatement;
        private int inFlight;

        Lane(String function, int arity) {
            // the name goes into the statement's text: the services' constants, never anything a caller sent
            Invariant.check(function.matches("[a-z_]+"), "a group commit of something other than a function name");
            this.function = function;
            this.arity = arity;
            this.callsPerStatement = DistributionSummary.builder("coalition.database.group.commit.calls")
                    .description("Calls of a hot-path function that shared one statement and one commit")
                    .tag("function", function).register(registry);
        }

        void enqueue(Call call) {
            List<Call> batch = null;
            boolean full;
            synchronized (this) {
                full = queued.size() >= maxQueued;
                if (!full) {
                    queued.add(call);
                    batch = nextBatch();
                }
            }
            if (full) {
                // as when the pool's own wait queue is full: refused at once rather than waited for
                call.fail(new ServiceUnavailable(new IllegalStateException("the group commit queue of " + function + " is full")));
            } else {
                send(batch);
            }
        }

        /** At once, on its own statement, beside the batches and not counted against their slots. */
        void outsideBatches(Call call) {
            alone(call).subscribe().with(ignored -> { }, ignored -> { });
        }

        private synchronized List<Call> nextBatch() {
            if (inFlight >= statements || queued.isEmpty()) {
                return null;
            }
            inFlight++;
            List<Call> batch = new ArrayList<>(Math.min(queued.size(), maxCalls));
            while (batch.size() < maxCalls && !queued.isEmpty()) {
                batch.add(queued.poll());
            }
            return batch;
        }

        private void send(List<Call> batch) {
            if (batch == null) {
                return;
            }
            carry(batch).subscribe().with(ignored -> finished(), failure -> finished());
        }

        private void finished() {
            List<Call> batch;
            synchronized (this) {
                inFlight--;
                batch = nextBatch();
            }
            send(batch);
        }

        private Uni<Void> carry(List<Call> batch) {
            return batch.size() == 1 ? alone(batch.get(0)) : together(batch);
        }

        private Uni<Void> alone(Call call) {
            callsPerStatement.record(1);
            return database.withConnection(connection -> connection.preparedQuery(statement(1)).execute(call.arguments()))
                    .onItemOrFailure().invoke((rows, failure) -> {
                        if (failure != null) {
                            call.fail(failure);
                        } else {
                            call.answer(rows.iterator().next());
                        }
                    })
                    .replaceWithVoid().onFailure().recoverWithNull();
        }

        private Uni<Void> together(List<Call> unordered) {
            List<Call> batch = unordered.stream().sorted(Comparator.comparing(Call::lockOrder)).toList();
            callsPerStatement.record(batch.size());
            Tuple arguments = Tuple.tuple();
            batch.forEach(call -> {
                for (int i = 0; i < arity; i++) {
                    arguments.addValue(call.arguments().getValue(i));
                }
            });
            return database.withConnection(connection -> connection.preparedQuery(statement(batch.size())).execute(arguments))
                    .onItem().invoke(rows -> answer(batch, rows)).replaceWithVoid()
                    .onFailure().recoverWithUni(failure -> inHalves(batch, failure));
        }

        private void answer(List<Call> batch, RowSet<Row> rows) {
            Row[] bySlot = new Row[batch.size()];
            rows.forEach(row -> bySlot[row.getInteger(SLOT)] = row);
            for (int slot = 0; slot < bySlot.length; slot++) {
                Invariant.check(bySlot[slot] != null, "a batched call without its result row");
                batch.get(slot).answer(bySlot[slot]);
            }
        }

        /**
         * A batch failed as a whole, for one of its calls or a deadlock: each half goes again, and a half that fails is
         * halved again, so the failing call ends up alone with its own answer while the others still share commits
         * (about 2 log n statements for one failure among n, where running every call alone would take n).
         */
        private Uni<Void> inHalves(List<Call> batch, Throwable failure) {
            if (failure instanceof ServiceUnavailable) {
                batch.forEach(call -> call.fail(failure));
                return Uni.createFrom().voidItem();
            }
            Log.debugf("a batch of %d %s calls failed (%s); its halves go again", batch.size(), function, failure.getMessage());
            int middle = batch.size() / 2;
            return Uni.join().all(carry(batch.subList(0, middle)), carry(batch.subList(middle, batch.size())))
                    .andCollectFailures().replaceWithVoid();
        }

        private String statement(int size) {
            return statementsBySize.computeIfAbsent(size, ignored -> IntStream.range(0, size)
                    .mapToObj(slot -> "select " + slot + " as " + SLOT + ", * from " + function + "("
                            + IntStream.rangeClosed(slot * arity + 1, (slot + 1) * arity).mapToObj(i -> "$" + i)
                                    .collect(Collectors.joining(", ")) + ")")
                    .collect(Collectors.joining("\nunion all ")));
        }
    }
}
