package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.error.RouterException;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;

/**
 * The two waits of an HTTP/1.1 client's exchange on its cell.
 *
 * <p>First {@code upstream.responseTimeout}: from the request leaving for the cell (or the last part
 * of its body the cell took) to the head of the cell's answer. When it passes, the exchange fails
 * with {@code cell_timeout} (504), or with {@code request_timeout} (408) if the cell was still
 * waiting for a body the client stopped sending.
 *
 * <p>Then, once the answer has begun, {@code upstream.responseBodyTimeout}: the longest the exchange
 * may stand still (the cell sends nothing of its answer, nor takes any more of the request) while
 * the client can take more. When it passes, the answer is cut short (the client's connection
 * closes). A cell that answers early and reads a slow upload before it goes on is not cut. While
 * the client cannot take more, the cell is not read and so not timed: the wait is the client's.
 *
 * <pre>
 *  arm ─▶ HEAD ─ answerBegan ─▶ BODY ─ cancel ─▶ NONE
 *         ▲  │                  ▲  │ clientReady(false)
 *         └──┘ requestTaken     └──┘ clientReady(true), progress, requestTaken: counted again from then
 * </pre>
 *
 * <p>One lazily re-armed timer per connection, not one per request or per read ({@link
 * LazyDeadline}); time is the event loop's ticker. Concurrency: one per client connection, confined
 * to its event loop.
 */
final class Http1ResponseTimeout {

    /** The exchange that waits on the cell. */
    interface Exchange {
        /** Still waiting for the head of the cell's answer. */
        boolean awaitingAnswer();

        /** The request's body is still arriving, and the router is reading it: the wait is the client's. */
        boolean awaitingClient();

        /** The router answers with {@code error}, or cuts the answer short if it has begun. */
        void fail(RouterException error);
    }

    private enum Phase {
        NONE,
        HEAD,
        BODY
    }

    private final Exchange exchange;
    private final EventExecutor loop;
    private final Duration headTimeout;
    private final long headNanos;
    private final Duration bodyTimeout;
    private final long bodyNanos;
    private LazyDeadline deadline;
    private Phase phase = Phase.NONE;
    /** In {@link Phase#BODY}: the client can take more, so the cell is read and timed. */
    private boolean clientReady;
    /** The cell whose answer is awaited. */
    private Cell cell;

    Http1ResponseTimeout(Exchange exchange, EventExecutor loop, Duration headTimeout, Duration bodyTimeout) {
        this.exchange = exchange;
        this.loop = loop;
        this.headTimeout = headTimeout;
        this.headNanos = headTimeout.toNanos();
        this.bodyTimeout = bodyTimeout;
        this.bodyNanos = bodyTimeout.toNanos();
    }

    /** The request left for {@code awaited}: its answer must begin within the response timeout. */
    void arm(Cell awaited) {
        cell = awaited;
        phase = Phase.HEAD;
        deadline().arm(headNanos);
    }

    /**
     * The head of the answer has gone to the client at {@code nowNanos} (the ticker's time): from
     * now on the cell must not go quiet for longer than the body timeout, if there is one.
     */
    void answerBegan(long nowNanos, boolean clientWritable) {
        if (bodyNanos == 0) {
            cancel();
            return;
        }
        phase = Phase.BODY;
        clientReady = clientWritable;
        if (clientReady) {
            deadline().arm(nowNanos, bodyNanos);
        } else {
            deadline().disarm();
        }
    }

    /** The cell sent more of its answer: the body timeout counts again from now. */
    void progress() {
        if (phase == Phase.BODY && clientReady) {
            deadline.arm(bodyNanos);
        }
    }

    /**
     * The cell took more of the request: whichever wait runs counts again from now. The response
     * timeout thus runs from the last of the request the cell took, so a slow upload is not taken
     * for a cell that does not answer.
     */
    void requestTaken() {
        if (phase == Phase.HEAD) {
            deadline.arm(headNanos);
        } else {
            progress();
        }
    }

    /** The client can take more (the cell is read and timed again) or cannot (the wait is the client's). */
    void clientReady(boolean ready) {
        if (phase != Phase.BODY || ready == clientReady) {
            return;
        }
        clientReady = ready;
        if (ready) {
            deadline.arm(bodyNanos);
        } else {
            deadline.disarm();
        }
    }

    /** Nothing is awaited any more; the timer, if any, stays for the next exchange. */
    void cancel() {
        phase = Phase.NONE;
        if (deadline != null) {
            deadline.disarm();
        }
    }

    /** No timer either: the connection leaves HTTP or goes away. */
    void stop() {
        phase = Phase.NONE;
        if (deadline != null) {
            deadline.stop();
        }
    }

    private LazyDeadline deadline() {
        if (deadline == null) {
            deadline = new LazyDeadline(loop, this::expired);
        }
        return deadline;
    }

    private void expired() {
        Phase expired = phase;
        phase = Phase.NONE;
        if (expired == Phase.HEAD && exchange.awaitingAnswer()) {
            exchange.fail(
                    exchange.awaitingClient()
                            ? CellErrors.requestStalled(headTimeout)
                            : CellErrors.timedOut(cell, headTimeout));
        } else if (expired == Phase.BODY) {
            exchange.fail(CellErrors.stalled(cell, bodyTimeout));
        }
    }
}
