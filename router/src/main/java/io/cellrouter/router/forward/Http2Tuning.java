package io.cellrouter.router.forward;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;
import io.netty.util.AsciiString;

/**
 * What the router's HTTP/2 connections (to clients and to cells) change from Netty's defaults,
 * measured on the relay's hot path:
 * <ul>
 *   <li>Stream priorities are not used by a proxy: DATA is shared among streams by {@link
 *       UniformStreamByteDistributor} instead of maintaining a weighted priority tree per stream.
 *   <li>Values unique to one request ({@code x-request-id}, {@code traceparent}) are encoded
 *       without entering the HPACK dynamic table: indexing them would evict the entries that do
 *       repeat (the forwarding headers, the content type) at every request.
 *   <li>Credentials ({@code authorization}, {@code proxy-authorization}, {@code cookie}) are
 *       never indexed either, and marked so for the next hop (RFC 7541 section 7.1.3): a
 *       connection to a cell carries the requests of many customers, and a value in its shared
 *       table lets whoever can send requests on it, and see their sizes, guess another's secret a
 *       few characters at a time.
 * </ul>
 */
final class Http2Tuning {

    private static final AsciiString X_REQUEST_ID = RequestIds.X_REQUEST_ID;
    private static final AsciiString TRACEPARENT = RequestIds.TRACEPARENT;

    /** HPACK: fields whose values never repeat, and credentials, are never indexed. */
    static final Http2HeadersEncoder.SensitivityDetector NEVER_INDEXED =
            (name, value) -> X_REQUEST_ID.contentEqualsIgnoreCase(name)
                    || TRACEPARENT.contentEqualsIgnoreCase(name)
                    || HttpHeaderNames.AUTHORIZATION.contentEqualsIgnoreCase(name)
                    || HttpHeaderNames.PROXY_AUTHORIZATION.contentEqualsIgnoreCase(name)
                    || HttpHeaderNames.COOKIE.contentEqualsIgnoreCase(name);

    private Http2Tuning() {}

    /** A connection whose outbound DATA is shared uniformly among streams. */
    static Http2Connection connection(boolean server) {
        Http2Connection connection = new DefaultHttp2Connection(server);
        connection
                .remote()
                .flowController(
                        new DefaultHttp2RemoteFlowController(connection, new UniformStreamByteDistributor(connection)));
        return connection;
    }
}
