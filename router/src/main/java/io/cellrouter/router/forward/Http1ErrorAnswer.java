package io.cellrouter.router.forward;

import io.cellrouter.router.error.ErrorResponses;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.transport.LingeringClose;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;

/**
 * The router's own answer to an HTTP/1.1 client, in place of the cell's: the {@link
 * ErrorResponses} rendering of the error (status, JSON body, {@code Retry-After},
 * {@code Connection: close} when the connection ends with it), with the exchange's request id, and
 * recorded in the exchange's log.
 *
 * <p>Called on the client connection's event loop.
 */
final class Http1ErrorAnswer {

    private Http1ErrorAnswer() {}

    /**
     * Whether the connection must close after the router's answer: part of the request is still to
     * come on it (framing would be lost), the client or the router ends it anyway, or the error
     * itself ends connections.
     */
    static boolean closes(RouterException error, boolean bodyToCome, boolean keepAlive) {
        return bodyToCome || !keepAlive || error.code().closesConnection();
    }

    /** Answers the exchange of {@code log} with {@code error}; {@code close}: with Connection: close. */
    static void send(ChannelHandlerContext ctx, RouterException error, boolean close, ExchangeLog log) {
        log.status = error.code().status().code();
        FullHttpResponse response = ErrorResponses.http1(ctx.alloc(), error, close);
        response.headers().set(RequestIds.X_REQUEST_ID, log.requestId);
        log.bytesOut = response.content().readableBytes();
        ctx.writeAndFlush(response);
    }

    /**
     * Answers bytes that are no request at all (no exchange began) with {@code error}, counted as a
     * refusal of {@code protocol}, and closes the connection ({@link LingeringClose}).
     */
    static void reject(ChannelHandlerContext ctx, RouterException error, ExchangeRecorder recorder, String protocol) {
        recorder.rejected(protocol, error.code().code());
        // The rest of the bytes, unparsed, may still be on their way.
        LingeringClose.closeAfter(ctx.writeAndFlush(ErrorResponses.http1(ctx.alloc(), error, true)), true);
    }
}
