package io.cellrouter.router.forward;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * The parts of a request already sent on an HTTP/2 stream, kept until the response starts, so
 * that a stream the cell never processed (REFUSED_STREAM, or above the last stream id of its
 * GOAWAY) can be sent again on a new connection to the same cell. Bounded: past
 * {@link #MAX_BYTES} of body the request is no longer replayable and the parts are let go.
 *
 * <p>Concurrency: owned by one exchange, on its event loop.
 */
final class ReplayBuffer {

    /** Enough for any unary gRPC call or small request; larger ones are not retried. */
    static final int MAX_BYTES = 64 * 1024;

    private final HttpRequest head;
    private final ArrayDeque<HttpContent> parts = new ArrayDeque<>(2);
    private int bytes;
    private boolean overflowed;

    ReplayBuffer(HttpRequest head) {
        this.head = head;
    }

    /** Keeps a duplicate of a part that is about to be written upstream. */
    void add(HttpContent content) {
        if (overflowed) {
            return;
        }
        int size = content.content().readableBytes();
        if (bytes + size > MAX_BYTES) {
            overflowed = true;
            release();
            return;
        }
        bytes += size;
        parts.add(content.retainedDuplicate());
    }

    boolean replayable() {
        return !overflowed;
    }

    /** Writes the head and every kept part to {@code upstream}; the buffer then holds nothing. */
    void replayTo(CellLeg leg) {
        leg.write(head);
        HttpContent part;
        while ((part = parts.poll()) != null) {
            leg.write(part);
        }
        bytes = 0;
    }

    void release() {
        HttpContent part;
        while ((part = parts.poll()) != null) {
            ReferenceCountUtil.release(part);
        }
    }
}
