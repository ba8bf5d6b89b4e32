package io.cellrouter.router.forward;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * How long an HTTP/2 exchange waits for the cell to begin its answer ({@code upstream.responseTimeout}):
 * armed when the request has gone to a cell side, disarmed when the answer starts or the exchange
 * ends. gRPC streams are not timed here: they may be quiet for long, and their deadline is the
 * client's {@code grpc-timeout}.
 *
 * <p>The timer is the exchange's event loop's, so a test moves its clock instead of waiting. The
 * timeout is its own task (no lambda per arming), made once per exchange that needs one.
 *
 * <p>Concurrency: owned by one exchange, on its event loop.
 */
final class Http2ResponseTimeout implements Runnable {

    /** The exchange's side of the timeout. */
    interface Expiry {
        /** The timeout passed while armed (the exchange decides whether it still matters). */
        void responseTimedOut();
    }

    private final Expiry exchange;
    private ScheduledFuture<?> timer;

    Http2ResponseTimeout(Expiry exchange) {
        this.exchange = exchange;
    }

    /** Starts waiting {@code timeoutNanos} on {@code loop}. */
    void arm(EventExecutor loop, long timeoutNanos) {
        timer = loop.schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** Stops waiting (nothing happens if it is not armed). */
    void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** The timer's task, on the event loop. */
    @Override
    public void run() {
        timer = null;
        exchange.responseTimedOut();
    }
}
