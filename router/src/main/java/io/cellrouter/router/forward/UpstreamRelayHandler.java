package io.cellrouter.router.forward;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an upstream (router → cell) channel: hands every response part to the
 * {@link UpstreamListener} of the exchange that leased the channel. An idle pooled channel has no
 * listener; whatever it receives then (a cell may not speak first) marks it unusable, and it is
 * closed.
 *
 * <p>Concurrency: the channel, this handler and its listener are confined to one event loop.
 */
final class UpstreamRelayHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamRelayHandler.class);

    private UpstreamListener listener;
    private Throwable failure;

    void lease(UpstreamListener listener) {
        this.listener = listener;
    }

    void release() {
        this.listener = null;
    }

    boolean leased() {
        return listener != null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (listener != null && msg instanceof HttpObject http) {
            listener.upstreamRead(http);
        } else {
            ReferenceCountUtil.release(msg);
            LOG.debug("{} unexpected data on an idle upstream connection; closing it", ctx.channel());
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.upstreamReadComplete();
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
        if (evt instanceof Http2ResetFrame reset) {
            // Delivered before the stream channel closes: remember why, for channelInactive.
            Http2Error code = Http2Error.valueOf(reset.errorCode());
            failure = new UpstreamResetException(
                    code == null ? Http2Error.INTERNAL_ERROR : code,
                    code == Http2Error.REFUSED_STREAM,
                    "cell reset the stream (" + (code == null ? reset.errorCode() : code) + ")");
            return;
        }
        if (evt instanceof Http2GoAwayFrame goAway) {
            // Only streams above the GOAWAY's last stream id get this: the cell never saw them.
            Http2Error code = Http2Error.valueOf(goAway.errorCode());
            failure = new UpstreamResetException(
                    code == null ? Http2Error.NO_ERROR : code, true, "cell sent GOAWAY before processing the stream");
            goAway.release();
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
        UpstreamListener current = listener;
        listener = null;
        if (current != null) {
            current.upstreamClosed(failure);
        }
    }
}
