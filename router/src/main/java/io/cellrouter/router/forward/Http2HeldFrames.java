package io.cellrouter.router.forward;

import io.netty.buffer.ByteBuf;

/**
 * The small DATA frames of one answer that arrive while the client's stream has no room for them,
 * joined into one buffer instead of queued frame by frame ({@link Http2ResponseRelay}).
 *
 * <p>The router acknowledges a cell's bytes only once its client took them, so it holds up to a
 * stream window of answer per stream. Flow control counts bytes: queued one by one, a window of
 * 1-byte frames (a faulty cell, or a gRPC stream of tiny messages to a client that reads nothing)
 * was 65,536 buffers and write promises, about 175 bytes of heap for every byte held, and a client
 * connection holds a hundred streams. Joined, they are what their bytes are (the same reasoning as
 * {@link Http2SmallFrames} for request bodies). Frames the client has room for go on as they came:
 * joining waits only while the client is behind, when nothing could go anyway. A joined buffer that
 * fills goes into the stream's queue; what is joined goes before any frame that must follow it.
 *
 * <p>Concurrency: owned by one exchange, on its event loop.
 */
final class Http2HeldFrames {

    private final Http2Frontend front;
    private final int streamId;
    private ByteBuf joined;
    private boolean sendScheduled;
    /** A report of the stream's room was taken over by {@link #sendFirst()}: it is made again after the write. */
    private boolean reportOwed;

    Http2HeldFrames(Http2Frontend front, int streamId) {
        this.front = front;
        this.streamId = streamId;
    }

    /**
     * Joins {@code data} (copied; the caller keeps its reference) if it is a small frame that does not
     * end the answer and the client has no room; false: what was joined has gone into the stream's
     * queue, and the frame is to be written after it, as it is. Only small frames ask for the room.
     */
    boolean hold(ByteBuf data, boolean endStream) {
        if (!Http2SmallFrames.joins(data, endStream) || front.isWritable(streamId)) {
            writeOut();
            return false;
        }
        boolean first = joined == null;
        joined = Http2SmallFrames.append(joined, data, front.ctx().alloc());
        if (first) {
            // Netty reports a change of the stream's room against the state it last reported, and a
            // channel's writability can change and change back before its deferred event runs: so
            // the room is looked at again once the tasks queued so far have run.
            schedule();
        }
        if (Http2SmallFrames.full(joined)) {
            writeOut();
        }
        return true;
    }

    /** What is joined goes into the stream's queue now, ahead of the frame that follows it. */
    void writeOut() {
        ByteBuf buffer = joined;
        joined = null;
        if (buffer != null) {
            front.writeData(streamId, buffer, false, null);
        }
    }

    /**
     * The client's stream has room again: whether joined bytes must go first. They are written in a
     * task of their own (not inside the flow controller's report), and the stream's writability is
     * then reported again, which acknowledges to the cell what the client took.
     */
    boolean sendFirst() {
        if (joined == null) {
            return false;
        }
        reportOwed = true;
        schedule();
        return true;
    }

    private void schedule() {
        if (!sendScheduled) {
            sendScheduled = true;
            front.ctx().executor().execute(this::send);
        }
    }

    private void send() {
        sendScheduled = false;
        if (!front.isOpen(streamId)) {
            release();
            return;
        }
        if (!reportOwed && (joined == null || !front.isWritable(streamId))) {
            return; // still no room: its opening is reported
        }
        reportOwed = false;
        writeOut();
        front.flushNow();
        front.reportWritability(streamId);
    }

    /** The answer ends without them (a reset, the client gone): what is joined is dropped. */
    void release() {
        if (joined != null) {
            joined.release();
            joined = null;
        }
    }
}
