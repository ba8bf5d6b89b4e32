package io.cellrouter.router.forward;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
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

    /**
     * When a client connection opened ({@link System#nanoTime()}), kept until its first request
     * begins (or it turns HTTP/2, whose drain is its GOAWAY): a drain does not close such a
     * connection at once, as its request may already be in the socket, unread (closing would reset
     * it under the client); it is answered with {@code Connection: close}, and the drain waits for
     * it while it is young (ConnectionDrain).
     */
    private static final AttributeKey<Long> AWAITING_FIRST_REQUEST =
            AttributeKey.valueOf(DrainState.class, "awaitingFirstRequest");

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

    /** A client connection opened at {@code nanoTime}: it has not begun a request yet. */
    public static void connectionOpened(Channel channel, long nanoTime) {
        channel.attr(AWAITING_FIRST_REQUEST).set(nanoTime);
    }

    /** The connection's first request began, or it became HTTP/2. */
    static void firstRequestBegan(Channel channel) {
        channel.attr(AWAITING_FIRST_REQUEST).set(null);
    }

    /** Whether {@code channel} is a client connection that has not begun a request yet. */
    public static boolean awaitingFirstRequest(Channel channel) {
        return channel.attr(AWAITING_FIRST_REQUEST).get() != null;
    }

    /**
     * Whether {@code channel} is a client connection that has not begun a request yet and opened
     * less than {@code ageNanos} before {@code nanoTime}.
     */
    public static boolean awaitingFirstRequest(Channel channel, long nanoTime, long ageNanos) {
        Long opened = channel.attr(AWAITING_FIRST_REQUEST).get();
        return opened != null && nanoTime - opened < ageNanos;
    }
}
