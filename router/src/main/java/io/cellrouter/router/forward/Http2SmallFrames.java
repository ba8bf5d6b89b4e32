package io.cellrouter.router.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.ArrayList;
import java.util.List;

/**
 * The small DATA frames of one read of a client connection, copied into one buffer per stream
 * before they go on ({@link Http2Frontend}).
 *
 * <p>Flow control counts bytes, not frames. Kept one by one, a window's worth of 1-byte frames
 * would be a million retained buffers (each pinning the read buffer it was sliced from) waiting for
 * a slow cell: a hundred times the bytes in heap. Joined, they are what their bytes are. Nothing
 * waits longer than before: what a read brought goes on when the read ends, as the writes to the
 * cells are flushed then anyway; a larger frame, the stream's end or its trailers send what was
 * joined first, so the order of the bytes holds.
 *
 * <p>Concurrency: confined to the connection's event loop.
 */
final class Http2SmallFrames {

    /** Frames with fewer bytes than this are joined. */
    static final int SMALL = 1024;

    /** A joined buffer goes on once it holds this much. */
    static final int JOINED_MAX = 16 * 1024;

    private final IntObjectMap<ByteBuf> joined = new IntObjectHashMap<>();

    /** Whether a frame of the stream's body is joined rather than passed on as it is. */
    static boolean joins(ByteBuf data, boolean endStream) {
        return !endStream && data.readableBytes() < SMALL;
    }

    /** Copies {@code data} (not retained) into the stream's buffer; returns the buffer when full, to go on now, else null. */
    ByteBuf add(int streamId, ByteBuf data, ByteBufAllocator alloc) {
        ByteBuf buffer = append(joined.get(streamId), data, alloc);
        joined.put(streamId, buffer);
        return full(buffer) ? joined.remove(streamId) : null;
    }

    /** {@code data} (not retained) copied into {@code buffer}, or into a new one when null; returns the buffer. */
    static ByteBuf append(ByteBuf buffer, ByteBuf data, ByteBufAllocator alloc) {
        ByteBuf to = buffer != null ? buffer : alloc.buffer(4 * SMALL, JOINED_MAX);
        to.writeBytes(data);
        return to;
    }

    /** Whether a joined buffer is to go on now: another small frame might not fit. */
    static boolean full(ByteBuf buffer) {
        return buffer.readableBytes() > JOINED_MAX - SMALL;
    }

    /** The stream's joined bytes, taken out; null when there are none. */
    ByteBuf take(int streamId) {
        return joined.remove(streamId);
    }

    /** The stream ids with joined bytes, in no order; their buffers stay until taken. */
    List<Integer> streams() {
        return joined.isEmpty() ? List.of() : new ArrayList<>(joined.keySet());
    }

    /** The connection is gone: what was joined is dropped. */
    void releaseAll() {
        for (ByteBuf buffer : joined.values()) {
            buffer.release();
        }
        joined.clear();
    }
}
