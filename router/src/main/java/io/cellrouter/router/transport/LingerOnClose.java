package io.cellrouter.router.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Makes every close that the handlers behind it ask for a {@link LingeringClose}: for an HTTP/2
 * client connection, whose client may send at any moment (new streams that crossed the router's
 * GOAWAY, WINDOW_UPDATEs, PINGs). Closed with such bytes unread, the socket would send a reset
 * instead of its last frames and their end; the client's send would fail, and it could lose the
 * GOAWAY that tells it which of its streams the router never processed (safe to send again).
 *
 * <p>Placed right before the HTTP/2 connection handler, so that the close it makes once its
 * GOAWAY is written and its streams have ended (a drain, {@code proxy.maxConnectionAge},
 * idleness) half-closes and lingers instead. A close asked for while lingering, or after {@link
 * #CLOSE_AT_ONCE} (the router stopping), closes at once: so does a connection error's (rapid
 * resets, a flood), for which Netty closes twice; an immediate reset ({@link ConnectionReset})
 * goes around it.
 *
 * <p>Concurrency: confined to the connection's event loop.
 */
public final class LingerOnClose extends ChannelDuplexHandler {

    /** The handler's name in the pipeline. */
    public static final String NAME = "linger-on-close";

    /** A user event: the router is stopping, closes from now on are immediate. */
    public static final Object CLOSE_AT_ONCE = new Object() {
        @Override
        public String toString() {
            return "CLOSE_AT_ONCE";
        }
    };

    private boolean atOnce;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == CLOSE_AT_ONCE) {
            atOnce = true;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        Channel channel = ctx.channel();
        if (atOnce || LingeringClose.isLingering(channel) || !LingeringClose.canLinger(channel)) {
            ctx.close(promise);
            return;
        }
        LingeringClose.linger(channel);
        channel.closeFuture().addListener((ChannelFutureListener) f -> promise.trySuccess());
    }
}
