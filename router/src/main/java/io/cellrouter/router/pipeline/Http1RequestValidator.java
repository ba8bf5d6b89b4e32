package io.cellrouter.router.pipeline;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.forward.AbsoluteTarget;
import io.cellrouter.router.forward.HostSyntax;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Iterator;

/**
 * Checks that Netty's decoder does not make on a request head, before anything else sees it
 * (RFC 9112, stricter than the decoder's defaults): version HTTP/1.0 or HTTP/1.1 (else 505), no
 * CONNECT (405), exactly one Host on HTTP/1.1 and at most one on HTTP/1.0, a Host that is a host
 * and an optional port ({@link HostSyntax}), no Transfer-Encoding on HTTP/1.0, Transfer-Encoding
 * exactly {@code chunked}, one Content-Length made of digits only, at most {@code maxHeaderCount}
 * fields, a declared body no larger than {@code maxBodySize}.
 *
 * <p>A request that fails is not dropped here: its decoder result is marked failed with a
 * {@link RouterException}, so that the proxy handler answers it through its one error path
 * (status, JSON body, connection closed) and nothing is forwarded.
 */
final class Http1RequestValidator extends ChannelInboundHandlerAdapter {

    private final int maxHeaderCount;
    private final long maxBodySize;

    Http1RequestValidator(int maxHeaderCount, long maxBodySize) {
        this.maxHeaderCount = maxHeaderCount;
        this.maxBodySize = maxBodySize;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()) {
            RouterException problem = check(request);
            if (problem != null) {
                request.setDecoderResult(DecoderResult.failure(problem));
            }
        }
        ctx.fireChannelRead(msg);
    }

    RouterException check(HttpRequest request) {
        HttpVersion version = request.protocolVersion();
        if (!HttpVersion.HTTP_1_1.equals(version) && !HttpVersion.HTTP_1_0.equals(version)) {
            return new RouterException(
                    ErrorCode.HTTP_VERSION_NOT_SUPPORTED, "only HTTP/1.0 and HTTP/1.1 are spoken here");
        }
        if (HttpMethod.CONNECT.equals(request.method())) {
            // A tunnel to wherever the client names: a forward proxy's job, and after a 2xx the
            // codecs would frame the bytes that follow differently on each side.
            return new RouterException(ErrorCode.METHOD_NOT_ALLOWED, "CONNECT is not served here");
        }
        HttpHeaders headers = request.headers();
        if (headers.size() > maxHeaderCount) {
            return new RouterException(ErrorCode.HEADERS_TOO_LARGE, "more than " + maxHeaderCount + " header fields");
        }
        boolean http10 = HttpVersion.HTTP_1_0.equals(version);
        // Values are walked where they lie (no list of them per request).
        Iterator<? extends CharSequence> hosts = headers.valueCharSequenceIterator(HttpHeaderNames.HOST);
        CharSequence host = hosts.hasNext() ? hosts.next() : null;
        if (host == null ? !http10 : hosts.hasNext()) {
            return malformed(host == null ? "missing Host header" : "more than one Host header");
        }
        if (host != null && !HostSyntax.valid(host)) {
            return malformed("the Host header is not a host and an optional port");
        }
        if ("*".equals(request.uri()) && !HttpMethod.OPTIONS.equals(request.method())) {
            // RFC 9112 section 3.2.4: the asterisk form is for a server-wide OPTIONS only.
            return malformed("the request target '*' is for OPTIONS only");
        }
        if (!request.uri().startsWith("/")) {
            // An absolute-form target names the host Host names (an h2c Upgrade's too, whose
            // :authority Netty takes from the target).
            try {
                AbsoluteTarget.check(request.uri(), host == null ? null : host.toString());
            } catch (RouterException e) {
                return e;
            }
        }
        Iterator<? extends CharSequence> transferEncodings =
                headers.valueCharSequenceIterator(HttpHeaderNames.TRANSFER_ENCODING);
        if (transferEncodings.hasNext()) {
            if (http10) {
                return malformed("Transfer-Encoding is not allowed on HTTP/1.0");
            }
            String only = transferEncodings.next().toString();
            if (transferEncodings.hasNext() || !"chunked".equalsIgnoreCase(only.trim())) {
                return malformed("Transfer-Encoding must be exactly 'chunked'");
            }
            if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
                return malformed("both Content-Length and Transfer-Encoding");
            }
        }
        Iterator<? extends CharSequence> lengths = headers.valueCharSequenceIterator(HttpHeaderNames.CONTENT_LENGTH);
        if (lengths.hasNext()) {
            CharSequence length = lengths.next();
            if (lengths.hasNext() || !isDigits(length)) {
                return malformed("Content-Length must be one decimal number");
            }
            if (Long.parseLong(length, 0, length.length(), 10) > maxBodySize) {
                return new RouterException(
                        ErrorCode.PAYLOAD_TOO_LARGE, "request body larger than " + maxBodySize + " bytes");
            }
        }
        return null;
    }

    private static boolean isDigits(CharSequence value) {
        if (value.length() == 0 || value.length() > 18) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static RouterException malformed(String why) {
        return new RouterException(ErrorCode.MALFORMED_REQUEST, "malformed request: " + why);
    }
}
