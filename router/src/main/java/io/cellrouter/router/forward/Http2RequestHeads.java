package io.cellrouter.router.forward;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.identity.RequestTarget;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * What an HTTP/2 exchange reads from its request head before routing ({@link Http2Exchange#start}):
 * whether it is a gRPC call, what the access log keeps of it, and the target the cell receives.
 * Fields are read in place; the headers are neither copied nor converted.
 */
final class Http2RequestHeads {

    private static final AsciiString GRPC = AsciiString.cached("application/grpc");

    private Http2RequestHeads() {}

    /** Whether the request is a gRPC call ({@code content-type: application/grpc}, any suffix). */
    static boolean grpc(Http2Headers headers) {
        CharSequence contentType = headers.get(HttpHeaderNames.CONTENT_TYPE);
        return contentType != null && AsciiString.regionMatches(contentType, true, 0, GRPC, 0, GRPC.length());
    }

    /**
     * Starts {@code log} for a new request at {@code nowNanos}: method, path as sent, {@code
     * protocol} (h2, grpc or ws), request id (the client's, or a new one), trace id, user agent.
     */
    static void describe(ExchangeLog log, Http2Headers headers, String protocol, long nowNanos) {
        log.start(
                nowNanos, headers.method() == null ? "" : headers.method().toString(), String.valueOf(headers.path()));
        log.protocol = protocol;
        log.requestId = RequestIds.accept(headers);
        log.traceId = RequestIds.traceId(headers.get(RequestIds.TRACEPARENT));
        CharSequence userAgent = headers.get(HttpHeaderNames.USER_AGENT);
        log.userAgent = userAgent == null ? null : userAgent.toString();
    }

    /**
     * The normalised target of the request; {@code websocket}: an extended CONNECT for a WebSocket.
     * Throws {@code malformed_request} for a {@code :protocol} other than websocket, or no {@code :path}.
     */
    static RequestTarget target(Http2Headers headers, boolean websocket) {
        if (!websocket && WebSocketHandshake.hasProtocol(headers)) {
            throw new RouterException(
                    ErrorCode.MALFORMED_REQUEST, "malformed request: the only :protocol served is websocket");
        }
        if (headers.path() == null) {
            throw new RouterException(ErrorCode.MALFORMED_REQUEST, "malformed request: no :path");
        }
        return RequestTarget.parse(headers.path().toString());
    }
}
