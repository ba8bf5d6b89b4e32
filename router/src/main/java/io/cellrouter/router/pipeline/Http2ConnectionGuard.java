package io.cellrouter.router.pipeline;

import io.cellrouter.router.forward.DrainState;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.concurrent.TimeUnit;

/**
 * The last handler of a client's HTTP/2 connection: closes it when it has been idle (no stream
 * open) for {@code proxy.idleTimeout}, and drains it when the router drains.
 *
 * <p>Draining is the two-step GOAWAY of RFC 9113 section 6.8: first a GOAWAY with the largest
 * stream id (no new streams, please; those in flight still count), then, one round trip later,
 * {@code close()}, which makes Netty send the final GOAWAY with the real last stream id and
 * close once the open streams have finished (bounded by the codec's graceful-shutdown timeout,
 * set to {@code proxy.drainTimeout}).
 */
final class Http2ConnectionGuard extends ChannelInboundHandlerAdapter {

    /** Time for the first GOAWAY to reach the client before the final one is sent. */
    static final long GOAWAY_GAP_MILLIS = 1000;

    private boolean draining;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
            if (codec != null && codec.connection().numActiveStreams() == 0) {
                ctx.close();
            }
            return;
        }
        if (evt == DrainState.DRAIN_EVENT) {
            if (!draining) {
                draining = true;
                ctx.writeAndFlush(
                        new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(Integer.MAX_VALUE));
                ctx.executor().schedule(() -> ctx.channel().close(), GOAWAY_GAP_MILLIS, TimeUnit.MILLISECONDS);
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
