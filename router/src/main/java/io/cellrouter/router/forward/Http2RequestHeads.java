package io.cellrouter.router.forward;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.identity.RequestTarget;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;

/**
 * What an HTTP/2 exchange reads from its request head before routing ({@link Http2Exchange#start}):
 * whether it is a gRPC call, what the access log keeps of it, and the target the cell receives.
 * Fields are read in place; the headers are neither copied nor converted. Also the one conversion
 * of an HTTP/1.1 request head to HTTP/2 headers ({@link #fromHttp1}).
 */
final class Http2RequestHeads {

    private static final AsciiString GRPC = AsciiString.cached("application/grpc");

    private Http2RequestHeads() {}

    /**
     * An HTTP/1.1 request's head as HTTP/2 headers, {@code scheme} its {@code :scheme}: Netty's
     * conversion, less the empty {@code :authority} it makes of an empty Host. An empty Host names
     * no authority, and RFC 9113 section 8.3.1 then wants no {@code :authority} at all (README,
     * "HTTP/2 and gRPC"): a strict HTTP/2 cell refuses an empty one. Used for a request to an
     * HTTP/2 cell and for the h2c Upgrade request that becomes stream 1.
     */
    static Http2Headers fromHttp1(HttpRequest request, CharSequence scheme) {
        request.headers().set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), scheme);
        Http2Headers headers = HttpConversionUtil.toHttp2Headers(request, false);
        CharSequence authority = headers.authority();
        if (authority != null && authority.length() == 0) {
            headers.remove(Http2Headers.PseudoHeaderName.AUTHORITY.value());
        }
        return headers;
    }

    /** Whether the request is a gRPC call ({@code content-type: application/grpc}, any suffix). */
    static boolean grpc(Http2Headers headers) {
        CharSequence contentType = headers.get(HttpHeaderNames.CONTENT_TYPE);
        return contentType != null && AsciiString.regionMatches(contentType, true, 0, GRPC, 0, GRPC.length());
    }

    /**
     * Starts {@code log} for a new request at {@code nowNanos}: method, path as sent, {@code
     * protocol} (h2, grpc or ws: {@code grpc}, {@code websocket}), request id (the client's, or a new
     * one), trace id, user agent. Returns how many fields the client sent ({@link #fieldCount}),
     * counted before a request id is added.
     */
    static int describe(ExchangeLog log, Http2Headers headers, boolean grpc, boolean websocket, long nowNanos) {
        int fieldsSent = fieldCount(headers);
        String protocol = websocket ? WebSocketHandshake.PROTOCOL : grpc ? "grpc" : "h2";
        log.start(
                nowNanos, headers.method() == null ? "" : headers.method().toString(), String.valueOf(headers.path()));
        log.protocol = protocol;
        log.requestId = RequestIds.accept(headers);
        log.traceId = RequestIds.traceId(headers.get(RequestIds.TRACEPARENT));
        CharSequence userAgent = headers.get(HttpHeaderNames.USER_AGENT);
        log.userAgent = userAgent == null ? null : userAgent.toString();
        return fieldsSent;
    }

    /**
     * The normalised target of the request, which becomes its {@code :path} on the way to the cell;
     * {@code websocket}: an extended CONNECT for a WebSocket. Throws {@code headers_too_large} when
     * the client sent more fields ({@code fieldsSent}) than {@code proxy.maxHeaderCount}, as for
     * HTTP/1.1, and
     * {@code malformed_request} for a {@code :method} that is not a token, a {@code :protocol} other
     * than websocket, no {@code :path}, a {@code :path} of {@code *} but for OPTIONS, or a host that
     * fails {@link #checkHost}.
     */
    static RequestTarget target(Http2Headers headers, boolean websocket, int fieldsSent, ProxyContext context) {
        int maxFieldCount = context.config().limits().maxHeaderCount();
        if (fieldsSent > maxFieldCount) {
            throw new RouterException(ErrorCode.HEADERS_TOO_LARGE, "more than " + maxFieldCount + " header fields");
        }
        checkMethod(headers.method());
        if (!websocket && WebSocketHandshake.hasProtocol(headers)) {
            throw new RouterException(
                    ErrorCode.MALFORMED_REQUEST, "malformed request: the only :protocol served is websocket");
        }
        if (headers.path() == null) {
            throw new RouterException(ErrorCode.MALFORMED_REQUEST, "malformed request: no :path");
        }
        checkHost(headers);
        CharSequence path = headers.path();
        if ("*".contentEquals(path) && !HttpMethod.OPTIONS.asciiName().contentEquals(headers.method())) {
            throw malformed(":path '*' is for OPTIONS only"); // RFC 9113 section 8.3.1
        }
        if (!(path.length() > 0 && path.charAt(0) == '/') && !"*".contentEquals(path)) {
            // RFC 9113 section 8.3.1: a path (or * for OPTIONS), never the absolute form, whose
            // host a hop before the router could read instead of :authority.
            throw new RouterException(
                    ErrorCode.MALFORMED_REQUEST, "malformed request: :path must start with '/' (or be *)");
        }
        RequestTarget target = RequestTarget.parse(path.toString());
        if (!target.originForm().contentEquals(headers.path())) {
            // The cell gets the path the router routed on (dot segments resolved, %2F refused...),
            // not one it might read differently, as an HTTP/1.1 request's target is rewritten too.
            headers.path(target.originForm());
        }
        return target;
    }

    /**
     * The header block's fields as HTTP/1.1 would count them: pseudo-header fields apart, and the
     * {@code cookie} fields as one (HTTP/2 lets a client split a cookie header into one field per
     * cookie, RFC 9113 section 8.2.3; they are joined again for an HTTP/1.1 cell).
     */
    static int fieldCount(Http2Headers headers) {
        int count = 0;
        boolean cookie = false;
        for (Map.Entry<CharSequence, CharSequence> field : headers) {
            CharSequence name = field.getKey();
            if (AsciiString.contentEquals(name, HttpHeaderNames.COOKIE)) {
                cookie = true;
            } else if (name.length() == 0 || name.charAt(0) != ':') {
                count++;
            }
        }
        return cookie ? count + 1 : count;
    }

    /**
     * {@code :authority} and {@code host} are each a host and an optional port ({@link HostSyntax}),
     * there is at most one {@code host}, and beside {@code :authority} it names the same host (RFC
     * 9113 section 8.3.1): a cell must not read another host than the router did, whichever of the
     * two it reads. Neither may be empty (the same section: an http or https request that names no
     * authority leaves both out), where an HTTP/1.1 request may have an empty Host; Netty's decoder
     * already refuses an empty {@code :authority} (the stream is reset, {@link Http2RefusedHeads}).
     */
    private static void checkHost(Http2Headers headers) {
        CharSequence authority = headers.authority();
        if (authority != null && !HostSyntax.valid(authority)) {
            throw malformed(":authority is not a host and an optional port");
        }
        Iterator<CharSequence> hosts = headers.valueIterator(HttpHeaderNames.HOST);
        if (!hosts.hasNext()) {
            return;
        }
        CharSequence host = hosts.next();
        if (hosts.hasNext()) {
            throw malformed("more than one host field");
        }
        if (host.length() == 0 || !HostSyntax.valid(host)) {
            throw malformed("the host field is not a host and an optional port");
        }
        if (authority != null && !AsciiString.contentEqualsIgnoreCase(host, authority)) {
            throw malformed("host names another host than :authority");
        }
    }

    /**
     * {@code :method} is a token (RFC 9110 section 9.1), as on an HTTP/1.1 request line: a cell of
     * either protocol must not get another (an HTTP/1.1 cell's request line could not even carry it).
     */
    private static void checkMethod(CharSequence method) {
        if (method == null || method.length() == 0 || HttpHeaderValidationUtil.validateToken(method) != -1) {
            throw malformed(":method is not a token");
        }
    }

    private static RouterException malformed(String why) {
        return new RouterException(ErrorCode.MALFORMED_REQUEST, "malformed request: " + why);
    }
}
