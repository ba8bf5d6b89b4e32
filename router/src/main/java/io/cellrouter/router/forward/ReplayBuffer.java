package io.cellrouter.router.forward;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * The parts of an HTTP/1.1 client's request already sent to a cell, kept until the response
 * starts, so that the request can be sent once more: on a new connection to the same cell when the
 * cell never processed its HTTP/2 stream (REFUSED_STREAM, or above the last stream id of its
 * GOAWAY), or to another cell when the cell answered 421 ({@link MisrouteCorrection}). Bounded:
 * past {@link #MAX_BYTES} of body the request is no longer replayable and the parts are let go. A
 * request without a body costs this object only.
 *
 * <p>Concurrency: owned by one exchange, on its event loop.
 */
final class ReplayBuffer {

    /** Enough for any unary gRPC call or small request; larger ones are not retried. */
    static final int MAX_BYTES = 64 * 1024;

    private final HttpRequest head;
    private ArrayDeque<HttpContent> parts;
    private int bytes;
    private boolean overflowed;
    /** The request ended with an empty last part, not kept: replayed as {@link LastHttpContent#EMPTY_LAST_CONTENT}. */
    private boolean emptyEnd;

    ReplayBuffer(HttpRequest head) {
        this.head = head;
    }

    /** Keeps a duplicate of a part that is about to be written upstream. */
    void add(HttpContent content) {
        if (overflowed) {
            return;
        }
        int size = content.content().readableBytes();
        if (size == 0
                && content instanceof LastHttpContent last
                && last.trailingHeaders().isEmpty()) {
            emptyEnd = true;
            return;
        }
        if (bytes + size > MAX_BYTES) {
            overflowed = true;
            release();
            return;
        }
        bytes += size;
        if (parts == null) {
            parts = new ArrayDeque<>(2);
        }
        parts.add(content.retainedDuplicate());
    }

    boolean replayable() {
        return !overflowed;
    }

    /** Writes the head and every kept part to {@code upstream}; the buffer then holds nothing. */
    void replayTo(CellLeg leg) {
        leg.write(head);
        HttpContent part;
        while (parts != null && (part = parts.poll()) != null) {
            leg.write(part);
        }
        if (emptyEnd) {
            leg.write(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        bytes = 0;
    }

    void release() {
        HttpContent part;
        while (parts != null && (part = parts.poll()) != null) {
            ReferenceCountUtil.release(part);
        }
    }
}
