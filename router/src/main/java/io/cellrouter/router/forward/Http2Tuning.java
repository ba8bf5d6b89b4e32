package io.cellrouter.router.forward;

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
 * </ul>
 */
final class Http2Tuning {

    private static final AsciiString X_REQUEST_ID = RequestIds.X_REQUEST_ID;
    private static final AsciiString TRACEPARENT = RequestIds.TRACEPARENT;

    /** HPACK: fields whose values never repeat are never indexed. */
    static final Http2HeadersEncoder.SensitivityDetector NEVER_INDEXED =
            (name, value) -> X_REQUEST_ID.contentEqualsIgnoreCase(name) || TRACEPARENT.contentEqualsIgnoreCase(name);

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
