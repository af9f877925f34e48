package org.coalition.gateway.ledger;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How far a replica has read {@code ledger_events}, so that each poll reads only what is new.
 *
 * <p>Ids are drawn when a transaction inserts its event but become visible when it commits, so a lower id can appear
 * after a higher one. The cursor keeps the highest id read and the ids it skipped below it ("awaited"); the next poll
 * asks for ids above the highest or among the awaited. An awaited id that has not appeared within the patience (longer
 * than any posting transaction stays open) belonged to a transaction that rolled back, and is forgotten.
 */
final class EventCursor {

    private final Duration patience;
    private final int maxAwaited;
    private long highest = -1;
    /** Skipped ids, oldest first, with when they were first skipped. */
    private final LinkedHashMap<Long, Instant> awaited = new LinkedHashMap<>();

    EventCursor(Duration patience, int maxAwaited) {
        this.patience = patience;
        this.maxAwaited = maxAwaited;
    }

    boolean started() {
        return highest >= 0;
    }

    /**
     * Starts at the events of the last moments ({@code recentIds}, ascending) without sending them: the gaps between
     * them may still commit. With no recent event, starts after {@code latestId}.
     */
    void start(Iterable<Long> recentIds, long latestId, Instant now) {
        Iterator<Long> ids = recentIds.iterator();
        if (!ids.hasNext()) {
            highest = latestId;
            return;
        }
        long first = ids.next();
        highest = first;
        ids.forEachRemaining(id -> accept(id, now));
    }

    long highest() {
        return highest;
    }

    Long[] awaited() {
        return awaited.keySet().toArray(Long[]::new);
    }

    /** Whether the event is new to this replica; the ids skipped to reach it are awaited from now on. */
    boolean accept(long id, Instant now) {
        if (id > highest) {
            for (long skipped = Math.max(highest + 1, id - maxAwaited); skipped < id; skipped++) {
                awaited.put(skipped, now);
            }
            highest = id;
            while (awaited.size() > maxAwaited) {
                awaited.remove(awaited.keySet().iterator().next());
            }
            return true;
        }
        return awaited.remove(id) != null;
    }

    /** Forgets awaited ids older than the patience: their transactions rolled back. */
    void expire(Instant now) {
        Instant horizon = now.minus(patience);
        Iterator<Map.Entry<Long, Instant>> oldestFirst = awaited.entrySet().iterator();
        while (oldestFirst.hasNext() && oldestFirst.next().getValue().isBefore(horizon)) {
            oldestFirst.remove();
        }
    }
}
