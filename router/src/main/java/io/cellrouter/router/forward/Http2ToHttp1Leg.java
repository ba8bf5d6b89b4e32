package io.cellrouter.router.forward;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.identity.RequestTarget;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * An HTTP/2 client's stream carried on a pooled HTTP/1.1 connection to a cell: the cross-protocol
 * case, converted once each way (HTTP/2 to HTTP/1.1 cells is the only reason to convert). The
 * request head becomes an {@link HttpRequest} (chunked when it has a body of unknown length), the
 * answer's {@link HttpObject}s become frames for the {@link Http2Exchange}.
 *
 * <p>Flow control: request bytes count as taken while the connection to the cell is writable (its
 * outbound buffer is bounded by the water mark); the answer is read from the cell only while the
 * client's stream can take more.
 *
 * <p>Concurrency: confined to the exchange's event loop.
 */
final class Http2ToHttp1Leg implements Http2CellSide, UpstreamListener {

    private final Http2Exchange exchange;
    private final RequestTarget target;
    private CellLeg leg;
    private boolean headSent;
    private boolean answerStarted;
    /** Whether the connection can carry another request after this answer (its framing, its keep-alive). */
    private boolean reusableAfterAnswer = true;

    Http2ToHttp1Leg(Http2Exchange exchange, RequestTarget target) {
        this.exchange = exchange;
        this.target = target;
    }

    Http2ToHttp1Leg attach(CellLeg cellLeg) {
        this.leg = cellLeg;
        return this;
    }

    @Override
    public void writeHead(Http2Headers headers, boolean endStream) {
        HttpRequest request;
        try {
            request = HttpConversionUtil.toHttpRequest(0, headers, false);
        } catch (Http2Exception | RuntimeException e) { // Netty throws both (HttpMethod.valueOf: the latter)
            exchange.fail(
                    new RouterException(ErrorCode.MALFORMED_REQUEST, "malformed request: it cannot be sent as HTTP/1.1")
                            .withDetail(String.valueOf(e.getMessage())),
                    -1);
            return;
        }
        ForwardHeaders.removeConversionHeaders(request.headers());
        if (!request.headers().contains(HttpHeaderNames.HOST)) {
            // No :authority (nor host): a target without an authority, which HTTP/1.1 writes as
            // an empty Host (RFC 9112 section 3.2), as an HTTP/1.1 client's empty Host reaches the cell.
            request.headers().set(HttpHeaderNames.HOST, "");
        }
        request.setUri(target.originForm());
        if (!endStream && !HttpUtil.isContentLengthSet(request)) {
            HttpUtil.setTransferEncodingChunked(request, true);
        }
        leg.write(request);
        headSent = true;
        if (endStream) {
            leg.write(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    @Override
    public void writeBody(ByteBuf data, boolean endStream) {
        leg.write(endStream ? new DefaultLastHttpContent(data) : new DefaultHttpContent(data));
    }

    @Override
    public boolean isWritable() {
        return leg.isWritable();
    }

    @Override
    public void writeTrailers(Http2Headers trailers) {
        LastHttpContent last = new DefaultLastHttpContent();
        try {
            HttpConversionUtil.addHttp2ToHttpHeaders(
                    0, trailers, last.trailingHeaders(), HttpVersion.HTTP_1_1, true, true);
        } catch (Http2Exception e) {
            last.release();
            exchange.cellBadResponse("request trailers could not be converted: " + e.getMessage());
            return;
        }
        leg.write(last);
    }

    @Override
    public void flush() {
        leg.flush();
    }

    @Override
    public void answerTaken(int bytes) {
        // The client's stream window is watched through clientWritable instead.
    }

    @Override
    public void clientWritable(boolean writable) {
        leg.readAnswer(writable);
    }

    @Override
    public void finish(boolean reusable) {
        leg.finish(reusable && reusableAfterAnswer && headSent);
    }

    @Override
    public void abandon() {
        leg.abandon();
    }

    @Override
    public boolean replayable() {
        return false;
    }

    // ----- the cell's answer, converted to frames -----

    @Override
    public void upstreamRead(HttpObject msg) {
        try {
            if (msg instanceof HttpResponse response) {
                if (response.decoderResult().isFailure()) {
                    exchange.cellBadResponse(
                            String.valueOf(response.decoderResult().cause().getMessage()));
                    return;
                }
                int code = response.status().code();
                if (code >= 200 && !framed(response)) {
                    reusableAfterAnswer = false; // read until the cell closes: END_STREAM marks the end here
                }
                if (code >= 200 && !HttpUtil.isKeepAlive(response)) {
                    reusableAfterAnswer = false;
                }
                Http2Headers head = HttpConversionUtil.toHttp2Headers(response, false);
                boolean ends = msg instanceof LastHttpContent last
                        && !last.content().isReadable()
                        && last.trailingHeaders().isEmpty()
                        && code >= 200;
                answerStarted |= code >= 200;
                exchange.cellHeaders(head, ends);
                if (ends || code < 200) {
                    return;
                }
            }
            if (msg instanceof HttpContent content) {
                if (content.decoderResult().isFailure()) {
                    exchange.cellBadResponse(
                            String.valueOf(content.decoderResult().cause().getMessage()));
                    return;
                }
                if (!answerStarted) {
                    return; // the end of a 1xx
                }
                boolean last = content instanceof LastHttpContent;
                LastHttpContent lastContent = last ? (LastHttpContent) content : null;
                boolean trailers = last && !lastContent.trailingHeaders().isEmpty();
                if (content.content().isReadable() || (last && !trailers)) {
                    exchange.cellData(content.content(), last && !trailers);
                }
                if (trailers) {
                    exchange.cellHeaders(HttpConversionUtil.toHttp2Headers(lastContent.trailingHeaders(), false), true);
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private static boolean framed(HttpResponse response) {
        int code = response.status().code();
        return HttpUtil.isContentLengthSet(response)
                || HttpUtil.isTransferEncodingChunked(response)
                || code == 204
                || code == 304;
    }

    @Override
    public void upstreamReadComplete() {
        exchange.cellReadComplete();
    }

    @Override
    public void upstreamWritabilityChanged(boolean writable) {
        exchange.cellWritabilityChanged(leg.isWritable());
    }

    @Override
    public void upstreamClosed(Throwable cause) {
        String why = cause == null ? "cell closed the connection" : String.valueOf(cause.getMessage());
        exchange.cellFailed(
                cause instanceof ReusedConnectionClosed
                        ? UpstreamResetException.idleClosed(why)
                        : UpstreamResetException.connectionLost(why));
    }
}
