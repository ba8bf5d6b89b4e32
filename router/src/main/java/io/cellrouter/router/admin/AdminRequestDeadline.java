package io.cellrouter.router.admin;

import io.cellrouter.router.error.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The whole-request deadline of the admin listener (README: Admin API and migrations, "Limits of
 * the admin listener"): from the first byte of a request, its head and body must have arrived
 * within {@code admin.requestTimeout}, however steadily the bytes trickle in (a read timeout
 * restarts on every byte; this does not). Late, the request is answered {@code 408
 * request_timeout} and the connection closed. Sits before the HTTP codec, so that it sees the
 * head's first byte; {@link AdminGate} tells it when a request has been read ({@link #requestRead}).
 *
 * <p>Concurrency: one per channel, used on its event loop only.
 */
final class AdminRequestDeadline extends ChannelInboundHandlerAdapter {

    private final Duration timeout;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private boolean expired;

    AdminRequestDeadline(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (expired) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (timer == null && msg instanceof ByteBuf bytes && bytes.isReadable()) {
            timer = context.executor().schedule(this::expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        context.fireChannelRead(msg);
    }

    /** The request in progress has been read whole: the next one's first byte starts a new deadline. */
    void requestRead() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire() {
        timer = null;
        expired = true;
        FullHttpResponse late = AdminHandler.error(
                ErrorCode.REQUEST_TIMEOUT,
                "an admin request's head and body must arrive within " + timeout.toMillis() + " ms");
        late.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // Through the whole pipeline, so that the codec encodes it.
        ctx.channel().writeAndFlush(late).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        requestRead();
        context.fireChannelInactive();
    }
}
