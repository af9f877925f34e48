package org.coalition.gateway.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.support.GatewayTest;

/**
 * The queue of {@link BatchedLookups} against the real database. The statements here sleep, so that the test, not the
 * machine's speed, decides which look-ups find every slot busy; each row says which transaction read it.
 */
@GatewayTest
class BatchedLookupsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** One row per key but "missing", each with its transaction's id, after a pause long enough to queue behind. */
    private static final String SLOW_LOOKUP = """
            with pause as materialized (select pg_sleep(0.5))
            select key, key::int as number, txid_current() as xid from unnest($1::text[]) key, pause where key <> 'missing'""";

    @Inject
    BatchedLookups lookups;
    @Inject
    CoalitionConfig config;

    private record Found(String key, int number, long xid) {
    }

    private BatchedLookups.Lookup<String, Found> slowLookup(String name) {
        return lookups.lookup(name, SLOW_LOOKUP, keys -> Tuple.of(keys.toArray(String[]::new)), row -> row.getString("key"),
                row -> new Found(row.getString("key"), row.getInteger("number"), row.getLong("xid")));
    }

    @Test
    void lookUpsThatFindEverySlotBusyGoTogetherAndEachGetsItsOwnRow() {
        BatchedLookups.Lookup<String, Found> lookup = slowLookup("test_queue");
        int slots = config.database().readBatchStatements();
        List<Uni<Optional<Found>>> alone = IntStream.range(0, slots).mapToObj(i -> lookup.find(String.valueOf(10 + i)).memoize().indefinitely()).toList();
        alone.forEach(read -> read.subscribe().with(ignored -> { }, ignored -> { }));
        List<String> queuedKeys = List.of("1", "2", "3", "2", "missing", "4");
        List<Uni<Optional<Found>>> queued = new ArrayList<>();
        for (String key : queuedKeys) {
            Uni<Optional<Found>> read = lookup.find(key).memoize().indefinitely();
            read.subscribe().with(ignored -> { }, ignored -> { });
            queued.add(read);
        }

        Set<Long> aloneTransactions = new HashSet<>();
        for (int i = 0; i < slots; i++) {
            Found found = alone.get(i).await().atMost(WAIT).orElseThrow();
            assertEquals(10 + i, found.number());
            aloneTransactions.add(found.xid());
        }
        assertEquals(slots, aloneTransactions.size(), "each of the first look-ups went alone");
        Set<Long> queuedTransactions = new HashSet<>();
        for (int i = 0; i < queuedKeys.size(); i++) {
            Optional<Found> found = queued.get(i).await().atMost(WAIT);
            if (queuedKeys.get(i).equals("missing")) {
                assertTrue(found.isEmpty(), "a key without a row finds nothing");
            } else {
                assertEquals(queuedKeys.get(i), found.orElseThrow().key(), "each look-up gets its own row, a repeated key included");
                queuedTransactions.add(found.get().xid());
            }
        }
        assertEquals(1, queuedTransactions.size(), "the look-ups that waited went as one statement");
        assertTrue(aloneTransactions.stream().noneMatch(queuedTransactions::contains));
    }

    @Test
    void aStatementThatFailsFailsItsLookUpsAndFreesItsSlot() {
        BatchedLookups.Lookup<String, Found> lookup = slowLookup("test_failure");
        int slots = config.database().readBatchStatements();
        List<Uni<Optional<Found>>> busy = IntStream.range(0, slots).mapToObj(i -> lookup.find("1").memoize().indefinitely()).toList();
        busy.forEach(read -> read.subscribe().with(ignored -> { }, ignored -> { }));
        // "x" is no number: the statement that carries it fails, and with it the look-up of "5" that shares it
        Uni<Optional<Found>> notANumber = lookup.find("x").memoize().indefinitely();
        Uni<Optional<Found>> neighbour = lookup.find("5").memoize().indefinitely();
        notANumber.subscribe().with(ignored -> { }, ignored -> { });
        neighbour.subscribe().with(ignored -> { }, ignored -> { });

        busy.forEach(read -> assertEquals(1, read.await().atMost(WAIT).orElseThrow().number()));
        Throwable failure = assertThrows(RuntimeException.class, () -> notANumber.await().atMost(WAIT));
        assertTrue(String.valueOf(failure.getMessage()).contains("invalid input syntax"), failure::toString);
        assertThrows(RuntimeException.class, () -> neighbour.await().atMost(WAIT));
        for (int i = 0; i < slots + 1; i++) {
            assertEquals(7, lookup.find("7").await().atMost(WAIT).orElseThrow().number(), "every slot is free again");
        }
    }

    @Test
    void aStatementThatFindsTwoRowsForOneKeyFailsRatherThanChoose() {
        BatchedLookups.Lookup<String, String> lookup = lookups.lookup("test_not_unique",
                "select key, copy from unnest($1::text[]) key, (values ('first'), ('second')) copies(copy)",
                keys -> Tuple.of(keys.toArray(String[]::new)), row -> row.getString("key"), row -> row.getString("copy"));

        Throwable failure = assertThrows(IllegalStateException.class, () -> lookup.find("k").await().atMost(WAIT));
        assertNotEquals(null, failure.getMessage());
        assertTrue(failure.getMessage().contains("two rows"), failure::toString);
    }
}
