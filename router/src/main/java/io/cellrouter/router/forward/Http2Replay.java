package io.cellrouter.router.forward;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * What an HTTP/2 client's request has sent to a cell so far, kept until the answer starts, so that
 * a stream the cell never processed can be sent again on another connection to the same cell.
 * Bounded: past {@link ReplayBuffer#MAX_BYTES} of body, or past its connection's {@link
 * Http2ReplayBudget}, the request is no longer replayable.
 *
 * <p>Concurrency: owned by one exchange, on its event loop.
 */
final class Http2Replay {

    private final Http2Headers head;
    private final Http2ReplayBudget budget;
    /** Made with the first body bytes: a request without a body costs no more than this object. */
    private BodyCopy body;

    private int bytes;
    private boolean overflowed;

    Http2Replay(Http2Headers head, Http2ReplayBudget budget) {
        this.head = head;
        this.budget = budget;
    }

    Http2Headers head() {
        return head;
    }

    /** Keeps a copy of body bytes about to be written to the cell (see {@link BodyCopy}). */
    void add(ByteBuf data) {
        if (overflowed) {
            return;
        }
        int size = data.readableBytes();
        if (bytes + size > ReplayBuffer.MAX_BYTES || !budget.take(size)) {
            overflowed = true;
            release();
            return;
        }
        bytes += size;
        if (size > 0) {
            if (body == null) {
                body = new BodyCopy();
            }
            body.add(data);
        }
    }

    boolean replayable() {
        return !overflowed;
    }

    boolean hasBody() {
        return body != null && body.buffers() > 0;
    }

    /** Writes the kept body to {@code side}, ending the request with it when {@code end}. */
    void replayBody(Http2CellSide side, boolean end) {
        ByteBuf part = body == null ? null : body.poll();
        while (part != null) {
            ByteBuf next = body.poll();
            side.writeBody(part, end && next == null);
            part = next;
        }
        budget.giveBack(bytes);
        bytes = 0;
    }

    void release() {
        if (body != null) {
            body.release();
        }
        budget.giveBack(bytes);
        bytes = 0;
    }
}
