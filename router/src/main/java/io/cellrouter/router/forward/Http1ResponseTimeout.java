package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.error.RouterException;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;

/**
 * The response timeout of an HTTP/1.1 client's exchange ({@code upstream.responseTimeout}): from
 * the request leaving for the cell to the head of the cell's answer. When it passes and the
 * exchange still waits, the exchange fails with {@code cell_timeout} (504).
 *
 * <p>One lazily re-armed timer per connection, not one per request ({@link LazyDeadline}); time is
 * the event loop's ticker. Concurrency: one per client connection, confined to its event loop.
 */
final class Http1ResponseTimeout {

    /** The exchange that waits for the cell's answer. */
    interface Exchange {
        /** Still waiting for the head of the cell's answer. */
        boolean awaitingAnswer();

        /** The router answers with {@code error}. */
        void fail(RouterException error);
    }

    private final Exchange exchange;
    private final EventExecutor loop;
    private final Duration timeout;
    private final long timeoutNanos;
    private LazyDeadline deadline;
    /** The cell whose answer is awaited. */
    private Cell cell;

    Http1ResponseTimeout(Exchange exchange, EventExecutor loop, Duration timeout) {
        this.exchange = exchange;
        this.loop = loop;
        this.timeout = timeout;
        this.timeoutNanos = timeout.toNanos();
    }

    /** The request left for {@code awaited}: its answer must begin within the timeout. */
    void arm(Cell awaited) {
        cell = awaited;
        if (deadline == null) {
            deadline = new LazyDeadline(loop, this::expired);
        }
        deadline.arm(timeoutNanos);
    }

    /** No answer is awaited any more; the timer, if any, stays for the next exchange. */
    void cancel() {
        if (deadline != null) {
            deadline.disarm();
        }
    }

    /** No timer either: the connection leaves HTTP or goes away. */
    void stop() {
        if (deadline != null) {
            deadline.stop();
        }
    }

    private void expired() {
        if (exchange.awaitingAnswer()) {
            exchange.fail(CellErrors.timedOut(cell, timeout));
        }
    }
}
