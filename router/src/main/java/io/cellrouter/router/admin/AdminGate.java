package io.cellrouter.router.admin;

import io.cellrouter.router.error.ErrorCode;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Judges an admin request on its head, before any body is read (README: Admin API and migrations,
 * "Limits of the admin listener"): a request with a body is answered at once, its body never
 * aggregated, when it goes to {@code /admin/v1/*} without a valid token ({@code 401}) or to an
 * endpoint that takes no body ({@code 413}: {@code /healthz}, {@code /readyz}, {@code /metrics},
 * the console). The connection then closes in stages ({@code LingeringClose}), so that a client
 * still uploading reads the answer instead of a reset. A request without a body goes on to {@link
 * AdminHandler}, which answers the same 401 in turn. Sits between the HTTP codec and the
 * aggregator, and tells {@link AdminRequestDeadline} when each request begins and has been read,
 * and when each final answer is written; every admin answer that ends its connection (this gate's,
 * the handler's, the aggregator's 413, the deadline's 408) closes it from here.
 *
 * <p>Concurrency: one per channel, used on its event loop only.
 */
final class AdminGate extends ChannelDuplexHandler {

    private final AdminAuth auth;
    private final AdminRequestDeadline deadline;
    private final Runnable unauthorized;
    private boolean denied;
    /** The request being read ends the connection (Connection: close, or HTTP/1.0 without keep-alive). */
    private boolean lastRequest;

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
        if (msg instanceof HttpRequest head) {
            // A request that ends the connection is the last one served: what is pipelined behind
            // it is dropped once it has been read, before its answer (which may come later).
            lastRequest = !HttpUtil.isKeepAlive(head);
            deadline.requestBegun();
            if (!(msg instanceof LastHttpContent) && head.decoderResult().isSuccess() && hasBody(head)) {
                FullHttpResponse refused = refusal(head);
                if (refused != null) {
                    ReferenceCountUtil.release(msg);
                    refuse(ctx, refused);
                    return;
                }
            }
        }
        if (msg instanceof LastHttpContent) {
            deadline.requestRead();
            denied |= lastRequest;
        }
        ctx.fireChannelRead(msg);
    }

    /** The answer a request with a body gets on its head, or null: it goes on. */
    private FullHttpResponse refusal(HttpRequest head) {
        if (!AdminHandler.needsToken(head.uri())) {
            if (AdminHandler.malformedPath(head.uri())) {
                return AdminHandler.error(ErrorCode.BAD_REQUEST, AdminHandler.MALFORMED_PATH); // as without a body
            }
            return AdminHandler.error(
                    ErrorCode.PAYLOAD_TOO_LARGE, "this endpoint takes no request body (only /admin/v1/* does)");
        }
        if (auth.caller(head) == null) {
            unauthorized.run();
            return AdminHandler.unauthorized();
        }
        return null;
    }

    private void refuse(ChannelHandlerContext ctx, FullHttpResponse refused) {
        denied = true;
        deadline.requestRead();
        deadline.answered(true); // written from here, it does not pass this handler's write
        refused.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        deadline.closeLingering(ctx.writeAndFlush(refused));
    }

    /**
     * Counts the final answers, for the deadline's idleness; closes after one that says {@code
     * Connection: close}, or when the deadline says so. Every such close goes from here, in stages
     * (the client may still be sending: the rest of a refused body, a pipelined request), and marks
     * the connection first in line for eviction while it lingers.
     */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            boolean last = !HttpUtil.isKeepAlive(response);
            if (last) {
                denied = true; // requests pipelined behind an answer that ends the connection are not served
            }
            if (deadline.answered(last) || last) {
                ChannelPromise written = promise.unvoid();
                ctx.write(msg, written);
                deadline.closeLingering(written);
                return;
            }
        }
        ctx.write(msg, promise);
    }

    private static boolean hasBody(HttpRequest head) {
        return HttpUtil.isTransferEncodingChunked(head) || HttpUtil.getContentLength(head, 0L) > 0;
    }
}
