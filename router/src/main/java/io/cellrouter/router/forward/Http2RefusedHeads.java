package io.cellrouter.router.forward;

import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;

/**
 * A stream whose first header block Netty refuses while decoding it (a connection-specific field,
 * a value with a NUL...) is reset before Netty ever created it. The stream id then stays above the
 * last one the client opened, so Netty takes the client's next frame on it (the request's DATA,
 * often already on the wire) for a frame on a stream that never existed, a connection error: one
 * malformed request would end every other stream of the connection with GOAWAY. RFC 9113 sections
 * 5.1 and 5.4.2 want frames on a stream the endpoint reset ignored, or at most a stream error.
 *
 * <p>So such a stream is created (as the client opened it, without headers) just before it is
 * reset: its later frames are then ignored while the reset is under way, and get RST_STREAM
 * STREAM_CLOSED once it is closed. The stream never reaches the frame listener, so it has no
 * exchange: it is not routed, logged or counted as a request, and closing it frees its slot.
 */
final class Http2RefusedHeads {

    private Http2RefusedHeads() {}

    /**
     * Creates the stream of {@code error}, an error found in a frame the client sent, when the
     * stream does not exist and the client may open it now (a new id of its own, within
     * SETTINGS_MAX_CONCURRENT_STREAMS); otherwise leaves things as they are.
     */
    static void open(Http2Connection connection, Http2Exception.StreamException error) {
        int streamId = error.streamId();
        Http2Connection.Endpoint<?> client = connection.remote();
        if (error instanceof Http2Exception.HeaderListSizeException
                || connection.stream(streamId) != null
                || !client.isValidStreamId(streamId)
                || streamId <= client.lastStreamCreated()
                || !client.canOpenStream()) {
            // A header block too large is answered 431 by Netty, which creates the stream itself.
            return;
        }
        try {
            client.createStream(streamId, false);
        } catch (Http2Exception notAllowed) {
            // Netty's own checks said no (above the last stream id of a GOAWAY the router sent, say;
            // Netty ignores that stream's frames anyway): it is reset as an unknown stream, as before.
            return;
        }
    }
}
