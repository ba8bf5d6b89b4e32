package io.cellrouter.loadtest.load;

/**
 * The open-loop pacing of one {@link Dispatcher}: which global request indexes it owns and when each is
 * intended. Request {@code i} of the run is intended at {@code t0 + i / rate}; with D dispatchers,
 * dispatcher d owns the indexes d, d+D, d+2D... below the plan's total, so together they hold the exact
 * rate. In closed-loop mode there is no schedule: it owns no index.
 *
 * <p>Not thread-safe: owned by the dispatcher's event loop.
 */
final class OpenLoopSchedule {

    private final int count;
    private final double nanosPerRequest;
    private final long total;
    private long startNanos;
    private long next;

    /** The schedule of dispatcher {@code index} of {@code count}. */
    OpenLoopSchedule(int index, int count, LoadPlan plan) {
        this.count = count;
        this.nanosPerRequest = plan.closedLoop() ? 0 : 1e9 / plan.rate();
        this.total = plan.closedLoop() ? 0 : plan.totalRequests();
        this.next = index;
    }

    /** Sets t0 ({@link System#nanoTime()}), the intended time of global request 0. */
    void start(long startNanos) {
        this.startNanos = startNanos;
    }

    /** This dispatcher still owns a request not yet taken. */
    boolean hasNext() {
        return next < total;
    }

    /** The intended time of the next request this dispatcher owns. */
    long nextIntended() {
        return startNanos + (long) (next * nanosPerRequest);
    }

    /** Takes the next request: moves on to the following index this dispatcher owns. */
    void advance() {
        next += count;
    }
}
