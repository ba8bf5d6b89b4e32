package io.cellrouter.loadtest.cell;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Answers each HTTP/1.1 request, once its body has been read, with the pre-encoded response; writes
 * in {@code channelRead} and flushes in {@code channelReadComplete}, so pipelined requests share one
 * flush. A malformed request closes the connection.
 */
final class Http1CellHandler extends ChannelInboundHandlerAdapter {

    private final CellResponses responses;
    private final RequestTally tally;
    private boolean keepAlive = true;
    private boolean tallyAsked;

    /** {@code tally}: where requests are counted, or null (not counted). */
    Http1CellHandler(CellResponses responses, RequestTally tally) {
        this.responses = responses;
        this.tally = tally;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpObject http && http.decoderResult().isFailure()) {
                ctx.close();
                return;
            }
            if (msg instanceof HttpRequest request) {
                keepAlive = HttpUtil.isKeepAlive(request);
                tallyAsked = tally != null && RequestTally.PATH.equals(request.uri());
                if (tally != null && !tallyAsked) {
                    tally.count(
                            request.headers().get(RequestTally.CUSTOMER_HEADER),
                            request.method().name(),
                            "1".equals(request.headers().get(RequestTally.SHADOW_HEADER)));
                }
            }
            if (msg instanceof LastHttpContent) {
                if (tallyAsked) {
                    ctx.write(tally.http1Response(ctx.alloc()), ctx.voidPromise());
                } else if (keepAlive) {
                    ctx.write(responses.http1KeepAlive.duplicate(), ctx.voidPromise());
                } else {
                    ctx.writeAndFlush(responses.http1Close.duplicate()).addListener(ChannelFutureListener.CLOSE);
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
