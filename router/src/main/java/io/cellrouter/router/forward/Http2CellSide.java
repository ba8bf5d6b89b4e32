package io.cellrouter.router.forward;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * The cell side of an HTTP/2 client's stream ({@link Http2Exchange}): a stream to an HTTP/2 cell
 * ({@link CellStream}, frames as they are) or an exchange on a pooled HTTP/1.1 connection ({@link
 * Http2ToHttp1Leg}, converted once each way). Answers come back as frames either way.
 *
 * <p>Concurrency: confined to the exchange's event loop.
 */
interface Http2CellSide {

    /** The request head (forwarding headers already set); {@code endStream} when there is no body. */
    void writeHead(Http2Headers headers, boolean endStream);

    /** Request body bytes (ownership passes). */
    void writeBody(ByteBuf data, boolean endStream);

    /** Whether the cell side can take more of the request now (its window or buffer has room). */
    boolean isWritable();

    /** Request trailers, which end the request. */
    void writeTrailers(Http2Headers trailers);

    void flush();

    /** {@code bytes} of the answer have been written to the client. */
    void answerTaken(int bytes);

    /** The client's stream can (not) take more of the answer now. */
    void clientWritable(boolean writable);

    /** The exchange ended normally: the cell side is released (pooled again where it can be). */
    void finish(boolean reusable);

    /** The exchange is abandoned: the stream is reset, or the HTTP/1.1 connection closed. */
    void abandon();

    /** Whether a request the cell never processed may be sent again on a new cell side. */
    boolean replayable();

    /**
     * Whether the answer's end is followed by the end of the cell connection's read
     * ({@code cellReadComplete}), where the client is flushed once for every answer of that read.
     * A side released before its read completes (a pooled HTTP/1.1 connection) says no: the
     * answer's end is flushed at once.
     */
    default boolean flushesAtReadEnd() {
        return false;
    }
}
