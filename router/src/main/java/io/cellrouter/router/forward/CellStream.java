package io.cellrouter.router.forward;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * One request stream on a multiplexed connection to a cell ({@link Http2Backend}). Frames are
 * written as they come (headers kept as {@link Http2Headers}, DATA passed on without copying); the
 * stream id is taken when the head is written, so ids always grow in the order heads are sent.
 * Writes are flushed by {@link #flush} (once per read of the other side) or when the head ends the
 * request.
 *
 * <p>Concurrency: confined to the connection's event loop.
 */
final class CellStream implements Http2CellSide {

    private final Http2Backend backend;
    private final CellStreamListener listener;
    private int id;
    /** The listener hears nothing more (the cell ended its answer, or the stream failed or was reset). */
    private boolean ended;
    /** {@link #reset} has been asked of the connection once. */
    private boolean resetSent;
    /** Heard from during the current read of the connection (see {@link Http2Backend}). */
    boolean touched;
    /** Whether the cell's answer ends as a whole one (what Netty lets through). */
    private final CellStreamFraming framing = new CellStreamFraming();

    CellStream(Http2Backend backend, CellStreamListener listener) {
        this.backend = backend;
        this.listener = listener;
    }

    int id() {
        return id;
    }

    void id(int streamId) {
        this.id = streamId;
    }

    CellStreamListener listener() {
        return listener;
    }

    Http2Backend backend() {
        return backend;
    }

    /** The request head; {@code endStream} when there is no body. */
    void writeHeaders(Http2Headers headers, boolean endStream) {
        framing.request(headers);
        backend.writeHeaders(this, headers, endStream);
    }

    /** What checks the cell's answer on this stream as it comes. */
    CellStreamFraming framing() {
        return framing;
    }

    /** Request body bytes (ownership passes); {@code onWritten} runs once they are on the wire. */
    void writeData(ByteBuf data, boolean endStream, Runnable onWritten) {
        backend.writeData(this, data, endStream, onWritten);
    }

    @Override
    public void flush() {
        backend.flushNow();
    }

    @Override
    public boolean flushesAtReadEnd() {
        return true; // Http2BackendStreams tells every stream it touched when the read completes
    }

    /** Whether the request body can be sent now (the cell's window for this stream is open). */
    @Override
    public boolean isWritable() {
        return backend.isWritable(this);
    }

    /** {@code bytes} of the response have left the router: the cell may send that many more. */
    void consumed(int bytes) {
        backend.consumed(this, bytes);
    }

    @Override
    public void writeHead(Http2Headers headers, boolean endStream) {
        writeHeaders(headers, endStream);
    }

    @Override
    public void writeBody(ByteBuf data, boolean endStream) {
        writeData(data, endStream, null);
    }

    @Override
    public void writeTrailers(Http2Headers trailers) {
        backend.writeTrailers(this, trailers);
    }

    @Override
    public void answerTaken(int bytes) {
        consumed(bytes);
    }

    @Override
    public void clientWritable(boolean writable) {
        // Nothing to do: the cell's window opens only as the client takes the answer (answerTaken).
    }

    /**
     * The answer is complete. If the request had ended too, the stream closes by itself; if it was
     * still being sent (or its end still waits for the cell's window), it is cancelled: the cell
     * ended its side, so nothing else would ever close the stream, which would then hold a place on
     * the cell's connection, and any request bytes queued for it, for good.
     */
    @Override
    public void finish(boolean reusable) {
        if (!backend.requestEnded(this)) {
            reset(Http2Error.CANCEL);
        }
    }

    @Override
    public void abandon() {
        reset(Http2Error.CANCEL);
    }

    @Override
    public boolean replayable() {
        return true;
    }

    /**
     * Abandons the stream (RST_STREAM {@code code}, unless it has closed both ways already); the
     * listener hears nothing more. Also after the cell's END_STREAM: the router's side may still be
     * open.
     */
    void reset(Http2Error code) {
        ended = true;
        if (!resetSent) {
            resetSent = true;
            backend.reset(this, code);
        }
    }

    /** No more events for the listener (the response ended, or the stream failed or was reset). */
    boolean ended() {
        return ended;
    }

    void end() {
        ended = true;
    }
}
