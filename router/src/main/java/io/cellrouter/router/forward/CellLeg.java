package io.cellrouter.router.forward;

import io.netty.handler.codec.http.HttpObject;

/**
 * The cell side of an HTTP/1.1 client's exchange: a pooled HTTP/1.1 connection ({@link
 * Http1CellLeg}) or a stream on a multiplexed HTTP/2 connection ({@link Http2StreamLeg}). Request
 * parts go in as {@link HttpObject}s; the answer comes back to the exchange's {@link
 * UpstreamListener} the same way, whatever the cell speaks.
 *
 * <p>Concurrency: confined to the exchange's event loop.
 */
interface CellLeg {

    /** Writes a request part (head, body part, last part); sent on {@link #flush}. */
    void write(HttpObject part);

    void flush();

    /** Whether the cell can take more of the request body now. */
    boolean isWritable();

    /** Backpressure from the client: read the cell's answer only while {@code on}. */
    void readAnswer(boolean on);

    /** The exchange ended: a complete, reusable HTTP/1.1 connection goes back to the pool, else it ends. */
    void finish(boolean reusable);

    /** Abandons the exchange: the connection closes (HTTP/1.1) or the stream is reset (HTTP/2). */
    void abandon();

    /** Whether a request the cell never processed may be sent again on a new leg (HTTP/2 streams). */
    boolean replayable();
}
