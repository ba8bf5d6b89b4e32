package io.cellrouter.router.admin;

import io.cellrouter.router.error.ErrorCode;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * Aggregates admin requests up to {@link AdminChannelInitializer#MAX_BODY}; a larger one is answered
 * like every admin error, {@code 413} with the JSON error body ({@code payload_too_large}), not
 * Netty's bare 413. As with Netty's, the rest of a keep-alive request's body is read and dropped.
 */
final class AdminBodyLimit extends HttpObjectAggregator {

    AdminBodyLimit() {
        super(AdminChannelInitializer.MAX_BODY);
    }

    /** A request that waits for {@code 100 Continue} with too large a length gets the same 413. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object answer = super.newContinueResponse(start, maxContentLength, pipeline);
        if (answer instanceof HttpResponse response
                && response.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
            ReferenceCountUtil.release(answer);
            return tooLarge();
        }
        return answer;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        FullHttpResponse refused = tooLarge();
        if (oversized instanceof FullHttpMessage
                || (!HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized))) {
            // The gate, on the way out, closes the connection after it in stages (AdminGate#write):
            // the rest of the body may still be on its way, and closed with it unread, the socket
            // would reset the connection under the upload, and the client would lose its 413.
            refused.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(refused);
        } else {
            // As Netty's own: the connection stays, the rest of the body is read and dropped.
            ctx.writeAndFlush(refused).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }

    private static FullHttpResponse tooLarge() {
        return AdminHandler.error(
                ErrorCode.PAYLOAD_TOO_LARGE,
                "admin request bodies are limited to " + AdminChannelInitializer.MAX_BODY / 1024 + " KiB");
    }
}
