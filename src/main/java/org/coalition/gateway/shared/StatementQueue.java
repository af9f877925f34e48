package org.coalition.gateway.shared;

import java.util.Deque;
import java.util.LinkedList;
import java.util.List;

/**
 * Calls waiting for a statement, with at most {@code statements} statements in flight: the queue of both
 * {@link GroupCommit} and {@link BatchedLookups}. A call that finds a free slot goes at once, so a quiet gateway adds no
 * wait; calls that find every slot busy wait, and a slot that frees takes a batch of them ({@link #take}). A call joins
 * only a statement sent after it arrived.
 */
abstract class StatementQueue<T> {

    private final String name;
    private final int statements;
    private final int maxQueued;
    private final LinkedList<T> queued = new LinkedList<>();
    private int inFlight;

    /** @param name what the queue serves, for the refusal of a call that finds it full */
    StatementQueue(String name, int statements, int maxQueued) {
        this.name = name;
        this.statements = Math.max(1, statements);
        this.maxQueued = maxQueued;
    }

    /** Removes the next batch from a queue that is not empty: its oldest call first. */
    protected abstract List<T> take(Deque<T> waiting);

    /** Sends a batch as one statement; calls {@link #finished} once, when the statement has ended either way. */
    protected abstract void send(List<T> batch);

    /** Answers a call that came while the queue was full. */
    protected abstract void refuse(T call, ServiceUnavailable full);

    final void enqueue(T call) {
        List<T> batch = null;
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
            refuse(call, new ServiceUnavailable(new IllegalStateException("the queue of " + name + " is full")));
        } else if (batch != null) {
            send(batch);
        }
    }

    /** A statement ended: its slot takes the next batch, if any call waits. */
    protected final void finished() {
        List<T> batch;
        synchronized (this) {
            inFlight--;
            batch = nextBatch();
        }
        if (batch != null) {
            send(batch);
        }
    }

    private synchronized List<T> nextBatch() {
        if (inFlight >= statements || queued.isEmpty()) {
            return null;
        }
        inFlight++;
        return take(queued);
    }
}
