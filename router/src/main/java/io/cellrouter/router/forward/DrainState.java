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

    /**
     * Fired down every open downstream pipeline when the drain runs out of time, before they are
     * closed: an HTTP/1.1 answer still under way is cut short (a reset, not an end that could pass
     * for the answer's).
     */
    public static final Object DRAIN_TIMEOUT_EVENT = new Object() {
        @Override
        public String toString() {
            return "DRAIN_TIMEOUT";
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
