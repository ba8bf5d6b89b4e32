package io.cellrouter.router.forward;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an upstream (router → cell) channel: hands every response part to the
 * {@link UpstreamListener} of the exchange that leased the channel.
 *
 * <p>Pool hygiene: a channel whose exchange ended is not handed back to the pool at once but at
 * the end of the socket read that carried the end of the answer ({@link #returnAfterRead}), so
 * that bytes arriving behind the answer in the same read, or in a later read of the same batch,
 * are seen first. Whatever arrives while no exchange holds the channel (behind an answer, or on an
 * idle pooled channel: a cell may not speak first) marks it unusable, and it is closed. A pooled
 * channel is therefore never carrying a byte it read before its next request was written. A
 * connection that served an exchange before and ends without a byte of its current answer is
 * reported as {@link ReusedConnectionClosed}: the exchange may send an idempotent request again.
 *
 * <p>Concurrency: the channel, this handler and its listener are confined to one event loop.
 */
final class UpstreamRelayHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamRelayHandler.class);

    private UpstreamListener listener;
    private Throwable failure;
    private boolean inRead;
    /** Set while the channel waits for the end of the current read to join the pool. */
    private boolean parkAfterRead;
    /** A pooled connection's leg, made once rather than per exchange (null when not pooled). */
    private Http1CellLeg leg;
    /** What returns a pooled connection to its pool. */
    private Runnable park;
    /** The exchanges this connection has been leased to, the current one included. */
    private int leases;

    private ChannelHandlerContext ctx;

    /** A pooled connection: every exchange leases it through {@code leg}; {@code park} returns it to the pool. */
    void pooledAs(Http1CellLeg leg, Runnable park) {
        this.leg = leg;
        this.park = park;
    }

    /** The leg of a pooled connection (see {@link #pooledAs}). */
    Http1CellLeg leg() {
        return leg;
    }

    /** Whether this handler is in its channel's pipeline. */
    boolean attached() {
        return ctx != null && !ctx.isRemoved();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    void lease(UpstreamListener listener) {
        this.listener = listener;
        leases++;
    }

    void release() {
        this.listener = null;
    }

    boolean leased() {
        return listener != null;
    }

    /**
     * The exchange is over and the channel may be pooled: returns it to its pool ({@link
     * #pooledAs}) at the end of the current read (now, if no read is under way) unless anything
     * more arrives before that.
     */
    void returnAfterRead() {
        listener = null;
        if (inRead) {
            parkAfterRead = true;
        } else {
            park.run();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inRead = true;
        if (failure != null) {
            // The connection failed (a reset): the decoder's closing of an answer without a length,
            // which follows, is no end of it. channelInactive reports the failure instead.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (listener != null && msg instanceof HttpObject http) {
            listener.upstreamRead(http);
        } else {
            ReferenceCountUtil.release(msg);
            LOG.debug("{} data behind an answer or on an idle upstream connection; closing it", ctx.channel());
            parkAfterRead = false;
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = false;
        if (listener != null) {
            listener.upstreamReadComplete();
        }
        if (parkAfterRead) {
            parkAfterRead = false;
            park.run();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.upstreamWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && listener == null) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("{} upstream failure", ctx.channel(), cause);
        failure = cause;
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        parkAfterRead = false;
        UpstreamListener current = listener;
        listener = null;
        if (current != null) {
            current.upstreamClosed(closedUnanswered(ctx) ? new ReusedConnectionClosed(failure) : failure);
        }
    }

    /**
     * A connection that served an exchange before ended without a byte of the answer to its
     * current request: most likely closed by the cell as idle while the request was on its way.
     */
    private boolean closedUnanswered(ChannelHandlerContext ctx) {
        if (leases < 2) {
            return false;
        }
        CellHttpCodec codec = ctx.pipeline().get(CellHttpCodec.class);
        return codec != null && codec.silentSinceRequest();
    }
}
