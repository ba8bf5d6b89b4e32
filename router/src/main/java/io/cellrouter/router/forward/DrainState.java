package io.cellrouter.router.forward;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether the router is draining (SIGTERM): new exchanges then end with {@code Connection: close}.
 * Also counts the exchanges in flight, so that shutdown knows when they have all finished.
 */
public final class DrainState {

    /** Fired down every open downstream pipeline when draining starts. */
    public static final Object DRAIN_EVENT = new Object() {
        @Override
        public String toString() {
            return "DRAIN";
        }
    };

    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();

    public boolean draining() {
        return draining.get();
    }

    /** Returns true the first time. */
    public boolean startDraining() {
        return draining.compareAndSet(false, true);
    }

    public int inFlight() {
        return inFlight.get();
    }

    void exchangeStarted() {
        inFlight.incrementAndGet();
    }

    void exchangeEnded() {
        inFlight.decrementAndGet();
    }
}
