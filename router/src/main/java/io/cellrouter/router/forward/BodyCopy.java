package io.cellrouter.router.forward;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * A copy of a request body kept beside its way to the cell, for a replay ({@link ReplayBuffer}) or
 * a shadow ({@link ShadowCapture}). Parts of {@link Http2SmallFrames#SMALL} bytes or more are kept
 * as retained duplicates (no copy); smaller ones are copied into shared buffers of up to {@link
 * Http2SmallFrames#JOINED_MAX}. A body sent in tiny parts (1-byte chunks, 1-byte DATA frames) thus
 * costs about its own bytes, not an object and a pinned read buffer per byte: 65,000 one-byte
 * chunks kept as parts held megabytes of heap per request. The caller bounds the bytes.
 *
 * <p>Concurrency: owned by one exchange, on its event loop.
 */
final class BodyCopy {

    private ArrayDeque<ByteBuf> parts;
    /** The last of {@link #parts} when it is a buffer small parts are copied into, else null. */
    private ByteBuf joined;

    /** Keeps {@code data}'s readable bytes; its indexes are left as they are (it goes on to the cell). */
    void add(ByteBuf data) {
        int size = data.readableBytes();
        if (size == 0) {
            return;
        }
        if (parts == null) {
            parts = new ArrayDeque<>(2);
        }
        if (size >= Http2SmallFrames.SMALL) {
            parts.add(data.retainedDuplicate());
            joined = null;
            return;
        }
        if (joined == null || Http2SmallFrames.full(joined)) {
            // Sized for this part and a few more; it grows (to JOINED_MAX) only if more come: a
            // unary gRPC message is one small part.
            joined = data.alloc().buffer(Math.max(256, 2 * size), Http2SmallFrames.JOINED_MAX);
            parts.add(joined);
        }
        joined.writeBytes(data, data.readerIndex(), size);
    }

    /** The oldest kept buffer, taken out (the caller owns it), or null when none is left. */
    ByteBuf poll() {
        if (parts == null) {
            return null;
        }
        ByteBuf part = parts.poll();
        if (parts.isEmpty()) {
            joined = null; // it is always the last one, so it has just been taken if it was there
        }
        return part;
    }

    /** How many buffers are kept (for tests). */
    int buffers() {
        return parts == null ? 0 : parts.size();
    }

    void release() {
        ByteBuf part;
        while ((part = poll()) != null) {
            part.release();
        }
    }
}
