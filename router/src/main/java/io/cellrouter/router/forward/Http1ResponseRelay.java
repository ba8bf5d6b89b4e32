package io.cellrouter.router.forward;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The cell's answer on its way to an HTTP/1.1 client ({@link Http1ForwardStep}'s answer side):
 * parts are written as they come and flushed at the end of each read from the cell; 1xx answers
 * pass before the final one (not to an HTTP/1.0 client); hop-by-hop headers go; an answer without
 * framing of its own is re-framed as chunked (HTTP/1.1 client) or followed by a close (HTTP/1.0);
 * an answer the decoder or {@link CellResponseValidator} refused becomes {@code bad_cell_response}.
 * Backpressure: the cell is read only while the client can take more.
 *
 * <p>Concurrency: one per client connection, confined to its event loop.
 */
final class Http1ResponseRelay implements UpstreamListener {

    private final Http1ForwardStep exchange;
    private final ChannelHandlerContext ctx;
    private final ExchangeLog log;
    private final Http1KeepAlive keepAlive;

    private boolean started;
    private boolean informational;
    /** A 1xx was relayed: a byte reached the client, so the request can no longer be sent elsewhere. */
    private boolean interimSent;
    /** Informational answers read so far. */
    private int interims;
    /** The rest of a 1xx that an HTTP/1.0 client is not sent. */
    private boolean droppingInterim;

    private boolean reusable;

    Http1ResponseRelay(
            Http1ForwardStep exchange, ChannelHandlerContext ctx, ExchangeLog log, Http1KeepAlive keepAlive) {
        this.exchange = exchange;
        this.ctx = ctx;
        this.log = log;
        this.keepAlive = keepAlive;
    }

    /** A new exchange: nothing of the cell's answer yet. */
    void reset() {
        started = false;
        informational = false;
        interimSent = false;
        interims = 0;
        droppingInterim = false;
        reusable = false;
    }

    /** Whether a 1xx (a {@code 100 Continue}, say) has gone to the client. */
    boolean interimSent() {
        return interimSent;
    }

    boolean started() {
        return started;
    }

    /** Whether the connection to the cell may carry another request after this answer. */
    boolean reusable() {
        return reusable;
    }

    @Override
    public void upstreamRead(HttpObject msg) {
        if (msg instanceof HttpResponse response) {
            if (response.decoderResult().isFailure()) {
                Throwable why = response.decoderResult().cause();
                ReferenceCountUtil.release(msg);
                exchange.cellFailed(badResponse(why));
                return;
            }
            int code = response.status().code();
            if (code == MisrouteCorrection.STATUS && !interimSent && exchange.misdirected(response)) {
                ReferenceCountUtil.release(msg); // "not my customer": corrected, or answered 421 misrouted
                return;
            }
            informational = code >= 100 && code < 200;
            if (informational && ++interims > CellResponseValidator.MAX_INTERIM_ANSWERS) {
                ReferenceCountUtil.release(msg);
                exchange.cellFailed(badResponse(new IllegalStateException(
                        "more than " + CellResponseValidator.MAX_INTERIM_ANSWERS + " informational (1xx) answers")));
                return;
            }
            if (informational && !keepAlive.clientHttp11()) {
                // RFC 9110 section 15.2: no 1xx to an HTTP/1.0 client, which would take it for the answer.
                droppingInterim = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                return;
            }
            droppingInterim = false;
            interimSent |= informational;
            if (!informational) {
                started = true;
                reusable = HttpUtil.isKeepAlive(response);
                exchange.answerStarted(code);
                frameForClient(response);
                FramingFields.canonical(response); // Content-Length: 019 reaches the client as 19
            }
            // The router's own version (RFC 9110 section 6.2), whatever the cell's: an HTTP/1.0
            // status line would make the client ignore the chunked framing the answer may now have.
            response.setProtocolVersion(HttpVersion.HTTP_1_1);
            ForwardHeaders.toClient(response.headers());
            if (!informational) {
                response.headers().set(RequestIds.X_REQUEST_ID, log.requestId);
            }
            if (!informational) {
                keepAlive.answerHeadSent();
            }
            if (!keepAlive.keeps() && !informational) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else if (!informational && !keepAlive.clientHttp11()) {
                // An HTTP/1.0 client that asked to keep the connection closes it unless told it stays.
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
        }
        if (droppingInterim && msg instanceof HttpContent) {
            droppingInterim = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpContent content) {
            if (content.decoderResult().isFailure()) {
                Throwable why = content.decoderResult().cause();
                ReferenceCountUtil.release(msg);
                exchange.cellFailed(badResponse(why));
                return;
            }
            log.bytesOut += content.content().readableBytes();
        }
        ctx.write(msg, ctx.voidPromise());
        if (msg instanceof LastHttpContent) {
            if (informational) {
                informational = false;
            } else {
                ctx.flush();
                exchange.answerComplete();
                return;
            }
        }
        if (!ctx.channel().isWritable()) {
            exchange.pauseAnswer();
        }
    }

    /**
     * An answer whose end is the cell closing the connection (no Content-Length, not chunked, and a
     * status and method that allow a body) cannot be relayed as is on a connection that stays open:
     * the client would wait for a close that never comes. An HTTP/1.1 client gets it re-framed as
     * chunked; an HTTP/1.0 client gets it followed by a close. The connection to the cell is not
     * reused either way. A chunked answer reaches an HTTP/1.0 client unchunked, followed by a close.
     */
    private void frameForClient(HttpResponse response) {
        int code = response.status().code();
        if (HttpUtil.isTransferEncodingChunked(response) && !keepAlive.clientHttp11()) {
            // RFC 9112 section 6.1: no Transfer-Encoding to an HTTP/1.0 client, which would read
            // the chunk framing as the body. The body goes as it is and ends with the connection
            // (the cell's connection, whose answer was framed, stays reusable).
            HttpUtil.setTransferEncodingChunked(response, false);
            keepAlive.closeAfterAnswer();
            return;
        }
        if (HttpUtil.isContentLengthSet(response)
                || HttpUtil.isTransferEncodingChunked(response)
                || code == 204
                || code == 304
                || "HEAD".equals(log.method)) {
            return;
        }
        reusable = false;
        if (keepAlive.clientHttp11()) {
            HttpUtil.setTransferEncodingChunked(response, true);
        } else {
            keepAlive.closeAfterAnswer();
        }
    }

    private RouterException badResponse(Throwable why) {
        return new RouterException(ErrorCode.BAD_CELL_RESPONSE, "cell " + log.cell.name() + " sent an invalid response")
                .withDetail(why == null ? "undecodable" : why.getMessage());
    }

    @Override
    public void upstreamReadComplete() {
        ctx.flush();
        exchange.answerRead();
    }

    @Override
    public void upstreamWritabilityChanged(boolean writable) {
        exchange.cellWritabilityChanged();
    }

    @Override
    public void upstreamClosed(Throwable cause) {
        exchange.cellClosed(cause);
    }
}
