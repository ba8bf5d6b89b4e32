package io.cellrouter.router.forward;

import io.netty.handler.codec.http2.Http2Error;

/**
 * Whether one HTTP/2 client takes its answer ({@code proxy.idleTimeout}): a client that takes none
 * of it for that long while its stream has no room (its window, or its connection's, stays closed)
 * gives up the exchange, and the stream is reset (CANCEL): the cell's stream and its place in the
 * cell's budget are not held for a client that does not read. The watch outlives the exchange
 * while the answer's last frames wait for the window, so that the stream and what it holds do not
 * outlive such a client either. A WebSocket tunnel is not watched ({@code websocket.idleTimeout}
 * is its bound).
 *
 * <p>Concurrency: owned by one exchange, on its event loop.
 */
final class Http2ClientWatch {

    private final Http2ResponseRelay.Exchange exchange;
    private final Http2Frontend front;
    private final int streamId;
    /** A place in the connection's client waits: made when the client first falls behind. */
    private Http2ResponseTimeout timeout;

    private boolean tunnel;

    Http2ClientWatch(Http2ResponseRelay.Exchange exchange, Http2Frontend front, int streamId) {
        this.exchange = exchange;
        this.front = front;
        this.streamId = streamId;
    }

    /** {@code tunnel}: the answer becomes a WebSocket tunnel, not watched. */
    void tunnel(boolean tunnel) {
        this.tunnel = tunnel;
    }

    /** The client's stream has room for more of the answer, or has not. */
    void update(boolean writable) {
        Http2ResponseDeadlines waits = front.responseWaits().client();
        if (waits == null || tunnel) {
            return;
        }
        if (writable) {
            if (timeout != null) {
                waits.disarm(timeout);
            }
            return;
        }
        if (timeout == null) {
            String why = "the client took none of its answer for " + waits.timeoutMillis() + " ms";
            timeout = new Http2ResponseTimeout(() -> gaveUp(why));
        }
        if (!timeout.armed) {
            waits.arm(timeout); // from when the client first fell behind, not from its latest frame
        }
    }

    /** The answer's wait is over; {@code ending}: its last frame is written, and watched while it waits. */
    void stop(boolean ending) {
        if (timeout != null && !(ending && front.hasQueued(streamId))) {
            front.responseWaits().client().disarm(timeout);
        }
    }

    private void gaveUp(String why) {
        if (!exchange.done()) {
            exchange.abort(why, Http2Error.CANCEL);
        } else if (front.isOpen(streamId)) {
            // The exchange ended with its last frames queued: they go with the stream.
            front.reset(streamId, Http2Error.CANCEL);
            front.flushNow();
        }
    }
}
