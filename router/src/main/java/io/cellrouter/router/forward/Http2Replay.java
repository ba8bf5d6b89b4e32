package io.cellrouter.router.forward;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.ArrayDeque;

/**
 * What an HTTP/2 client's request has sent to a cell so far, kept until the answer starts, so that
 * a stream the cell never processed can be sent again on another connection to the same cell.
 * Bounded: past {@link ReplayBuffer#MAX_BYTES} of body the request is no longer replayable.
 *
 * <p>Concurrency: owned by one exchange, on its event loop.
 */
final class Http2Replay {

    private final Http2Headers head;
    private final ArrayDeque<ByteBuf> body = new ArrayDeque<>(2);
    private int bytes;
    private boolean overflowed;

    Http2Replay(Http2Headers head) {
        this.head = head;
    }

    Http2Headers head() {
        return head;
    }

    /** Keeps a duplicate of body bytes about to be written to the cell. */
    void add(ByteBuf data) {
        if (overflowed) {
            return;
        }
        if (bytes + data.readableBytes() > ReplayBuffer.MAX_BYTES) {
            overflowed = true;
            release();
            return;
        }
        bytes += data.readableBytes();
        body.add(data.retainedDuplicate());
    }

    boolean replayable() {
        return !overflowed;
    }

    boolean hasBody() {
        return !body.isEmpty();
    }

    /** Writes the kept body to {@code side}, ending the request with it when {@code end}. */
    void replayBody(Http2CellSide side, boolean end) {
        ByteBuf part;
        while ((part = body.poll()) != null) {
            side.writeBody(part, end && body.isEmpty());
        }
        bytes = 0;
    }

    void release() {
        ByteBuf part;
        while ((part = body.poll()) != null) {
            part.release();
        }
    }
}
