package io.cellrouter.router.admin;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Authenticates {@code /admin/v1/*} on the request head, before any body is read (README: Admin API
 * and migrations, "Limits of the admin listener"): a request with a body and without a valid token
 * is answered {@code 401} at once, its body is never aggregated, and the connection is closed
 * (its body is unread). A request without a body goes on to {@link AdminHandler}, which answers the
 * same 401 in turn. Sits between the HTTP codec and the aggregator; tells {@link
 * AdminRequestDeadline} when each request has been read.
 *
 * <p>Concurrency: one per channel, used on its event loop only.
 */
final class AdminGate extends ChannelInboundHandlerAdapter {

    private final AdminAuth auth;
    private final AdminRequestDeadline deadline;
    private final Runnable unauthorized;
    private boolean denied;

    AdminGate(AdminAuth auth, AdminRequestDeadline deadline, Runnable unauthorized) {
        this.auth = auth;
        this.deadline = deadline;
        this.unauthorized = unauthorized;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (denied) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest head
                && !(msg instanceof LastHttpContent)
                && head.decoderResult().isSuccess()
                && hasBody(head)
                && AdminHandler.needsToken(head.uri())
                && auth.caller(head) == null) {
            ReferenceCountUtil.release(msg);
            denied = true;
            unauthorized.run();
            deadline.requestRead();
            FullHttpResponse refused = AdminHandler.unauthorized();
            refused.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(refused).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (msg instanceof LastHttpContent) {
            deadline.requestRead();
        }
        ctx.fireChannelRead(msg);
    }

    private static boolean hasBody(HttpRequest head) {
        return HttpUtil.isTransferEncodingChunked(head) || HttpUtil.getContentLength(head, 0L) > 0;
    }
}
