package io.cellrouter.router.forward;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * Receives what a cell sends on one HTTP/2 stream ({@link CellStream}). Called on the stream's
 * event loop, which is the event loop of the exchange that opened it.
 */
interface CellStreamListener {

    /** A response head (possibly 1xx), or trailers when a head came before. */
    void cellHeaders(Http2Headers headers, boolean endStream);

    /**
     * Response body bytes; the listener retains {@code data} to keep it, and tells the stream
     * with {@link CellStream#consumed} once the bytes have left the router (flow control).
     */
    void cellData(ByteBuf data, boolean endStream);

    /**
     * The stream ended without its END_STREAM: reset by the cell ({@code code}), or the connection
     * went away. {@code unprocessed}: the cell never saw it (REFUSED_STREAM, or above the last
     * stream id of its GOAWAY), so the request may be sent again.
     */
    void cellFailed(Http2Error code, boolean unprocessed, String why);

    /** The end of a read from the cell that brought this stream something: time to flush it on. */
    void cellReadComplete();

    /** The stream's send window opened or closed (the request body waits while it is closed). */
    void cellWritabilityChanged(boolean writable);
}
