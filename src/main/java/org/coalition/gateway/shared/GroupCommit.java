package org.coalition.gateway.shared;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Group commit for the one-statement hot-path functions ({@code earn_points}, {@code redeem_points}): calls of one
 * function that arrive while the database is busy go to PostgreSQL together, as one statement in one implicit
 * transaction. Two shapes: {@link #call} repeats the function per call ({@code select ... from f(...) union all select
 * ... from f(...)}); {@link #callInSet} hands a set-based function the whole batch at once (V57's {@code earn_points}),
 * which writes each table once for all of its calls.
 *
 * <p>Why: PostgreSQL spends most of a lone earn on what surrounds it (the top-level statement, the transaction, its
 * commit), not on its rows, and most of the rest on running each of the function's statements once per earn. Sixteen
 * earns in one set-based call cost it under a third of what sixteen lone ones do (bench/README.md, "Session 8" and
 * "Session 9"). Each call still gets its own idempotency claim, rules and answer; only which calls share a commit
 * changes.
 *
 * <p>How: at most {@code statements} batches of a function are in flight. A call that finds a free slot goes at
 * once, alone, so a quiet gateway adds no wait; calls arriving while every slot is busy queue, and a slot that frees
 * takes the oldest of them and up to {@code maxCalls} of those that may share its statement (for a set-based function:
 * the same caller, and not the same member twice). A batch locks its members in one order, so two batches do not
 * deadlock over the same members; a function that locks other shared rows locks them for its whole batch in one
 * order too (earn_points and campaign budget slots, V59). A batch commits or fails as a whole: when one of its calls
 * fails (an unknown card, too few points, a deadlock PostgreSQL broke), its halves go again, and their halves, so that
 * the failing call ends up alone with its own answer while the others still take effect. A database that is
 * unavailable fails the whole batch; its callers retry with their idempotency keys, as they would after any
 * {@link ServiceUnavailable}.
 */
@ApplicationScoped
public class GroupCommit {

    /** The column each result row of a batch carries its call's position in. */
    static final String SLOT = "group_slot";
    /** Who is calling: the leading arguments of every hot-path function (TenantSessions.callerArguments). */
    private static final int CALLER_ARITY = 4;

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
        this.statements = config.database().groupCommitStatements();
        this.maxQueued = config.database().maxWaitQueueSize();
    }

    /**
     * Calls {@code function} with {@code arguments} and returns its single row, alone or in a batch.
     *
     * @param lockOrder orders the calls of a batch; calls that lock the same rows first must give the same value
     *                  (the member's key), so that batches lock them in one order.
     */
    public Uni<Row> call(String function, Tuple arguments, String lockOrder) {
        return submit(lane(function + "/" + arguments.size(), function, () -> new UnionOfCalls(function, arguments.size())),
                arguments, "", lockOrder);
    }

    /**
     * Calls a set-based {@code function(caller's four arguments, requests jsonb, shared jsonb)}, which takes the requests
     * of a whole batch as a JSON array and returns one row per request, its position in {@value #SLOT}. A batch holds
     * the calls of one caller (row-level security reads one caller per statement) with one {@code shared} part (the
     * fields its requests have in common, as JSON text: sent once per batch rather than once per request), and of
     * distinct {@code lockOrder}s (the function writes one row per member and table).
     */
    public Uni<Row> callInSet(String function, Tuple callerArguments, String shared, JsonObject request, String lockOrder) {
        Invariant.check(callerArguments.size() == CALLER_ARITY, "a set-based call without the caller's four arguments");
        String caller = IntStream.range(0, CALLER_ARITY).mapToObj(i -> String.valueOf(callerArguments.getValue(i)))
                .collect(Collectors.joining("\u0000"));
        // the shared part as its own element: callers pass one kept instance per version, which compares at once
        List<String> batchKey = List.of(caller, shared);
        Tuple arguments = leading(Tuple.tuple(), callerArguments, CALLER_ARITY).addValue(request).addString(shared);
        return submit(lane(function + "/set", function, () -> new SetOfRequests(function)), arguments, batchKey, lockOrder);
    }

    private Uni<Row> submit(Lane lane, Tuple arguments, Object batchKey, String lockOrder) {
        return Uni.createFrom().emitter(emitter -> lane.enqueue(new Call(arguments, batchKey, lockOrder, emitter, Vertx.currentContext())));
    }

    private Lane lane(String key, String function, Supplier<Shape> shape) {
        return lanes.computeIfAbsent(key, ignored -> new Lane(function, shape.get()));
    }

    /** {@code target} with the first {@code count} values of {@code source} added. */
    private static Tuple leading(Tuple target, Tuple source, int count) {
        for (int i = 0; i < count; i++) {
            target.addValue(source.getValue(i));
        }
        return target;
    }

    /** How a batch of calls goes to PostgreSQL: one statement and its arguments. */
    private interface Shape {
        String statement(int size);

        Tuple arguments(List<Call> batch);

        /** Whether two calls with one lock order may share a statement. */
        boolean takesOneLockOrderTwice();
    }

    /** {@code select 0 as group_slot, * from f($1..$n) union all select 1 ...}: each call runs the whole function. */
    private static final class UnionOfCalls implements Shape {
        private final String function;
        private final int arity;
        private final Map<Integer, String> statementsBySize = new ConcurrentHashMap<>();

        UnionOfCalls(String function, int arity) {
            this.function = function;
            this.arity = arity;
        }

        @Override
        public String statement(int size) {
            return statementsBySize.computeIfAbsent(size, ignored -> IntStream.range(0, size)
                    .mapToObj(slot -> "select " + slot + " as " + SLOT + ", * from " + function + "("
                            + IntStream.rangeClosed(slot * arity + 1, (slot + 1) * arity).mapToObj(i -> "$" + i)
                                    .collect(Collectors.joining(", ")) + ")")
                    .collect(Collectors.joining("\nunion all ")));
        }

        @Override
        public Tuple arguments(List<Call> batch) {
            Tuple arguments = Tuple.tuple();
            batch.forEach(call -> leading(arguments, call.arguments(), arity));
            return arguments;
        }

        @Override
        public boolean takesOneLockOrderTwice() {
            return true;
        }
    }

    /**
     * {@code select * from f($1, $2, $3, $4, $5, $6)}: the caller once, every call's request in one JSON array, then
     * the part the requests share (the same for every call of the batch, which its key ensures). The
     * array goes as text, written by Vert.x's streaming Jackson codec: as a {@code jsonb} parameter the client encodes
     * it with Quarkus's object mapper, which looks up a serializer for every value of every request (2 % of the
     * gateway's CPU per earn; the requests hold only strings, numbers, booleans, nulls and arrays of them).
     */
    private static final class SetOfRequests implements Shape {
        private static final JacksonCodec STREAMING = new JacksonCodec();
        private final String statement;

        SetOfRequests(String function) {
            this.statement = "select * from " + function + "($1, $2, $3, $4, $5::text::jsonb, $6::text::jsonb)";
        }

        @Override
        public String statement(int size) {
            return statement;
        }

        @Override
        public Tuple arguments(List<Call> batch) {
            Tuple arguments = leading(Tuple.tuple(), batch.get(0).arguments(), CALLER_ARITY);
            JsonArray requests = new JsonArray(new ArrayList<>(batch.size()));
            batch.forEach(call -> requests.add(call.arguments().getValue(CALLER_ARITY)));
            return arguments.addString(STREAMING.toString(requests, false))
                    .addString(batch.get(0).arguments().getString(CALLER_ARITY + 1));
        }

        @Override
        public boolean takesOneLockOrderTwice() {
            return false;
        }
    }

    /** One waiting call, answered on the Vert.x context it came from (its request's), whichever batch carried it. */
    private record Call(Tuple arguments, Object batchKey, String lockOrder, UniEmitter<? super Row> emitter, Context context) {

        void answer(Row row) {
            OnOwnContext.run(context, () -> emitter.complete(row));
        }

        void fail(Throwable failure) {
            OnOwnContext.run(context, () -> emitter.fail(failure));
        }
    }

    /** The queue and the batches in flight of one function. */
    private final class Lane extends StatementQueue<Call> {
        private final String function;
        private final Shape shape;
        private final DistributionSummary callsPerStatement;

        Lane(String function, Shape shape) {
            super("the group commit of " + function, statements, maxQueued);
            // the name goes into the statement's text: the services' constants, never anything a caller sent
            Invariant.check(function.matches("[a-z_]+"), "a group commit of something other than a function name");
            this.function = function;
            this.shape = shape;
            this.callsPerStatement = DistributionSummary.builder("coalition.database.group.commit.calls")
                    .description("Calls of a hot-path function that shared one statement and one commit")
                    .tag("function", function).register(registry);
        }

        /** The oldest call, and those after it that may share its statement; the others keep their places. */
        @Override
        protected List<Call> take(Deque<Call> queued) {
            List<Call> batch = new ArrayList<>(Math.min(queued.size(), maxCalls));
            Set<String> lockOrders = new HashSet<>();
            Object batchKey = queued.getFirst().batchKey();
            for (Iterator<Call> waiting = queued.iterator(); waiting.hasNext() && batch.size() < maxCalls; ) {
                Call call = waiting.next();
                if (call.batchKey().equals(batchKey) && (lockOrders.add(call.lockOrder()) || shape.takesOneLockOrderTwice())) {
                    batch.add(call);
                    waiting.remove();
                }
            }
            return batch;
        }

        @Override
        protected void send(List<Call> batch) {
            carry(batch).subscribe().with(ignored -> finished(), failure -> finished());
        }

        @Override
        protected void refuse(Call call, ServiceUnavailable full) {
            call.fail(full);
        }

        private Uni<Void> carry(List<Call> batch) {
            return batch.size() == 1 ? alone(batch.get(0)) : together(batch);
        }

        private Uni<Void> alone(Call call) {
            callsPerStatement.record(1);
            return database.withConnection(connection -> connection.preparedQuery(shape.statement(1))
                            .execute(shape.arguments(List.of(call))))
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
            Tuple arguments = shape.arguments(batch);
            return database.withConnection(connection -> connection.preparedQuery(shape.statement(batch.size())).execute(arguments))
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
            if (failure instanceof ServiceUnavailable && !(failure instanceof ServiceUnavailable.Contended)) {
                batch.forEach(call -> call.fail(failure));
                return Uni.createFrom().voidItem();
            }
            Log.debugf("a batch of %d %s calls failed (%s); its halves go again", batch.size(), function, failure.getMessage());
            int middle = batch.size() / 2;
            return Uni.join().all(carry(batch.subList(0, middle)), carry(batch.subList(middle, batch.size())))
                    .andCollectFailures().replaceWithVoid();
        }
    }
}
