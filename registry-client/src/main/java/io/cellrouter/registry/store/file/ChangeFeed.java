package io.cellrouter.registry.store.file;

import io.cellrouter.registry.store.Change;
import io.cellrouter.registry.store.ChangeBatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The store's change feed in memory: the last {@code capacity} changes in a ring, numbered 1, 2, 3
 * and so on without holes, so that the position of a sequence in the ring is a computation rather
 * than a search.
 *
 * <p>Concurrency: the store's writer thread appends, followers read from any thread; every method
 * holds the monitor, and readers copy what they return.
 */
final class ChangeFeed {

    private final Change[] ring;
    private long head; // the newest sequence issued; 0 before the first change

    ChangeFeed(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("change feed capacity must be >= 1, was " + capacity);
        }
        this.ring = new Change[capacity];
    }

    synchronized void append(List<ChangeKey> changes, Instant at) {
        for (ChangeKey change : changes) {
            head++;
            ring[slot(head)] = new Change(head, change.kind(), change.key(), at);
        }
    }

    synchronized long head() {
        return head;
    }

    /**
     * The changes after {@code cursor}. A cursor older than the oldest retained change, or one this
     * feed never issued (a feed that restarted empty), is a gap: the reader must reload everything
     * and continue from the returned cursor.
     */
    synchronized ChangeBatch since(long cursor) {
        long oldest = Math.max(1, head - ring.length + 1);
        if (cursor > head || cursor < oldest - 1) {
            return new ChangeBatch(List.of(), head, true);
        }
        List<Change> changes = new ArrayList<>((int) (head - cursor));
        for (long sequence = cursor + 1; sequence <= head; sequence++) {
            changes.add(ring[slot(sequence)]);
        }
        return new ChangeBatch(changes, head, false);
    }

    private int slot(long sequence) {
        return (int) (sequence % ring.length);
    }
}
