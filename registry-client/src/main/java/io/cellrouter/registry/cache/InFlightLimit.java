package io.cellrouter.registry.cache;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bound on the store reads of one kind in flight at once (background refreshes, misses): a
 * caller takes room before it calls the store and gives it back when the store has answered. This
 * holds no queue: a caller that finds no room does without (a refresh) or waits its own way
 * ({@link MissReads}).
 *
 * <p>Concurrency: one lock-free counter, used from any thread. {@link #tryAcquire} reads the counter
 * before it writes it, so callers turned away (a flood) do not contend on it, and allocates nothing.
 */
final class InFlightLimit {

    private final int limit;
    private final AtomicInteger inFlight = new AtomicInteger();

    InFlightLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        this.limit = limit;
    }

    /** Takes room for one read and returns true, or returns false (taking nothing) when all is taken. */
    boolean tryAcquire() {
        if (inFlight.get() >= limit) {
            return false;
        }
        if (inFlight.incrementAndGet() > limit) { // another thread took the last room meanwhile
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Gives back the room one {@link #tryAcquire} took: once per successful acquire. */
    void release() {
        inFlight.decrementAndGet();
    }
}
