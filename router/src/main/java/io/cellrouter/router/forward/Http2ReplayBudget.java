package io.cellrouter.router.forward;

/**
 * The request bytes that all streams of one HTTP/2 client connection keep for a replay ({@link
 * Http2Replay}), at most {@link #MAX_BYTES}. A replay keeps bytes the client was already given
 * credit for, so flow control does not bound them: 100 streams of 64 KiB each, kept until their
 * answers start (a gRPC client stream may wait long for its answer), were 6.4 MiB per connection
 * beyond its window. A stream that would go over the budget is just not replayable.
 *
 * <p>Concurrency: one per client connection, confined to its event loop.
 */
final class Http2ReplayBudget {

    /** As much as the connection's receive window (README: HTTP/2 protections). */
    static final int MAX_BYTES = 1024 * 1024;

    private int used;

    /** Takes {@code bytes} from the budget; false (nothing taken) if they do not fit. */
    boolean take(int bytes) {
        if (used + bytes > MAX_BYTES) {
            return false;
        }
        used += bytes;
        return true;
    }

    void giveBack(int bytes) {
        used -= bytes;
    }

    /** Bytes kept now (for tests). */
    int used() {
        return used;
    }
}
