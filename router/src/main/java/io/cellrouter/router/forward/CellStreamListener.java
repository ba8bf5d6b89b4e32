package io.cellrouter.router.forward;

import io.netty.buffer.ByteBuf;
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
     * The stream ended without its END_STREAM ({@code reset} says how): reset by the cell, never
     * processed by it (REFUSED_STREAM, or above the last stream id of its GOAWAY: the request may be
     * sent again), or the connection went away.
     */
    void cellFailed(UpstreamResetException reset);

    /**
     * The cell's answer is not a valid one ({@code why}): an informational head that ends the stream,
     * a body other than its {@code content-length}. The stream hears nothing more.
     */
    void cellBadResponse(String why);

    /** The end of a read from the cell that brought this stream something: time to flush it on. */
    void cellReadComplete();

    /** The stream's send window opened or closed (the request body waits while it is closed). */
    void cellWritabilityChanged(boolean writable);
}
