package io.cellrouter.router.forward;

import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;

/**
 * A stream whose first header block Netty refuses while decoding it (a connection-specific field,
 * a value with a NUL...) is reset before Netty ever created it. The stream id then stays above the
 * last one the client opened, so Netty takes the client's next frame on it (the request's DATA,
 * often already on the wire) for a frame on a stream that never existed, a connection error: one
 * malformed request would end every other stream of the connection with GOAWAY. RFC 9113 sections
 * 5.1 and 5.4.2 want frames on a stream the endpoint reset ignored, or at most a stream error.
 *
 * <p>The same goes for a stream over SETTINGS_MAX_CONCURRENT_STREAMS, which Netty refuses
 * (REFUSED_STREAM) before creating it: a client that opened a few streams too many in its first
 * flight (before it had the router's SETTINGS) and sent their bodies lost every stream of the
 * connection, those within the limit too, instead of retrying the refused ones.
 *
 * <p>So such a stream is created (as the client opened it, without headers) just before it is
 * reset, over the limit if it is the one refused: its later frames are then ignored while the
 * reset is under way, and get RST_STREAM STREAM_CLOSED once it is closed (Netty's bound on the
 * resets the router sends still ends a connection that keeps this up). The stream never reaches
 * the frame listener, so it has no exchange: it is not routed, logged or counted as a request, and
 * closing it frees its slot at once.
 */
final class Http2RefusedHeads {

    private Http2RefusedHeads() {}

    /**
     * Creates the stream of {@code error}, an error found in a frame the client sent, when the
     * stream does not exist and the client may open it (a new id of its own; over
     * SETTINGS_MAX_CONCURRENT_STREAMS only when that is why it is refused); otherwise leaves things
     * as they are.
     */
    static void open(Http2Connection connection, Http2Exception.StreamException error) {
        int streamId = error.streamId();
        Http2Connection.Endpoint<?> client = connection.remote();
        if (error instanceof Http2Exception.HeaderListSizeException
                || connection.stream(streamId) != null
                || !client.isValidStreamId(streamId)
                || streamId <= client.lastStreamCreated()) {
            // A header block too large is answered 431 by Netty, which creates the stream itself.
            return;
        }
        boolean overLimit = !client.canOpenStream();
        if (overLimit && error.error() != Http2Error.REFUSED_STREAM) {
            return;
        }
        int limit = client.maxActiveStreams();
        try {
            if (overLimit) {
                // Room for this stream only (others refused in the same read may hold such room
                // too until their resets are written): it is reset at once.
                client.maxActiveStreams(client.numActiveStreams() + 1);
            }
            client.createStream(streamId, false);
        } catch (Http2Exception notAllowed) {
            // Netty's own checks said no (above the last stream id of a GOAWAY the router sent, say;
            // Netty ignores that stream's frames anyway): it is reset as an unknown stream, as before.
            return;
        } finally {
            if (overLimit) {
                client.maxActiveStreams(limit);
            }
        }
    }
}
