package io.cellrouter.router.forward;

import io.cellrouter.router.transport.LingeringClose;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import java.util.concurrent.TimeUnit;

/**
 * The drain of one HTTP/2 client connection, the two-step GOAWAY of RFC 9113 section 6.8: first
 * with the largest stream id (no new streams, please; those in flight still count), then, a round
 * trip later, with the last stream the router took, and {@code close()}, which ends the connection
 * once its open streams have finished (bounded by the graceful-shutdown timeout, {@code
 * proxy.drainTimeout}), in stages ({@code LingerOnClose}). Netty's close sends no GOAWAY of its
 * own once one has gone, so the second one is sent here.
 *
 * <p>Concurrency: started and run on the connection's event loop; {@link #draining()} may be read
 * from any thread (the router's drain waits on it).
 */
final class Http2GoAways {

    /** Time for the first GOAWAY to reach the client before the final one is sent. */
    static final long GAP_MILLIS = 1000;

    private final Http2ConnectionHandler handler;
    private volatile boolean draining;

    Http2GoAways(Http2ConnectionHandler handler) {
        this.handler = handler;
    }

    /** Whether the drain has started: the connection is about to close. */
    boolean draining() {
        return draining;
    }

    /**
     * Sends the first GOAWAY and schedules the second; false when the drain had started already or
     * the connection is closing in stages (its last frame has gone).
     */
    boolean start(ChannelHandlerContext ctx) {
        if (draining || LingeringClose.isLingering(ctx.channel())) {
            return false;
        }
        draining = true;
        goAway(ctx, Integer.MAX_VALUE);
        ctx.executor().schedule(() -> last(ctx), GAP_MILLIS, TimeUnit.MILLISECONDS);
        return true;
    }

    private void last(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            goAway(ctx, handler.connection().remote().lastStreamCreated());
            ctx.channel().close();
        }
    }

    private void goAway(ChannelHandlerContext ctx, int lastStreamId) {
        handler.goAway(ctx, lastStreamId, Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER, ctx.newPromise());
        ctx.flush();
    }
}
