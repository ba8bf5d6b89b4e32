package io.cellrouter.router.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The parts of an HTTP/1.1 client's request already sent to a cell, kept until the response
 * starts, so that the request can be sent once more: on a new connection to the same cell when the
 * cell never processed its HTTP/2 stream (REFUSED_STREAM, or above the last stream id of its
 * GOAWAY) or an idempotent request's reused connection closed unanswered ({@link
 * ReusedConnectionClosed}), or to another cell when the cell answered 421 ({@link
 * MisrouteCorrection}). Bounded:
 * past {@link #MAX_BYTES} of body the request is no longer replayable and the parts are let go. A
 * request without a body costs this object only.
 *
 * <p>Concurrency: owned by one exchange, on its event loop.
 */
final class ReplayBuffer {

    /** Enough for any unary gRPC call or small request; larger ones are not retried. */
    static final int MAX_BYTES = 64 * 1024;

    private final HttpRequest head;
    /** Made with the first body bytes: a request without a body costs no more than this object. */
    private BodyCopy body;

    private int bytes;
    private boolean overflowed;
    /** The request's last part has been kept: a replay ends the request too. */
    private boolean ended;
    /** The request's trailers, when it ended with some. */
    private HttpHeaders trailers;

    ReplayBuffer(HttpRequest head) {
        this.head = head;
    }

    /** Keeps a copy of a part that is about to be written upstream (see {@link BodyCopy}). */
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
        if (size > 0) {
            if (body == null) {
                body = new BodyCopy();
            }
            body.add(content.content());
        }
        if (content instanceof LastHttpContent last) {
            ended = true;
            trailers = last.trailingHeaders().isEmpty() ? null : last.trailingHeaders();
        }
    }

    /** How many buffers hold the kept body (for tests). */
    int keptBuffers() {
        return body == null ? 0 : body.buffers();
    }

    boolean replayable() {
        return !overflowed;
    }

    /** Writes the head and every kept part to {@code upstream}; the buffer then holds nothing. */
    void replayTo(CellLeg leg) {
        leg.write(head);
        ByteBuf part = body == null ? null : body.poll();
        while (part != null) {
            ByteBuf next = body.poll();
            if (next == null && ended) {
                leg.write(last(part));
                ended = false;
            } else {
                leg.write(new DefaultHttpContent(part));
            }
            part = next;
        }
        if (ended) {
            leg.write(last(Unpooled.EMPTY_BUFFER));
        }
        bytes = 0;
    }

    private LastHttpContent last(ByteBuf data) {
        if (trailers == null) {
            return data.isReadable() ? new DefaultLastHttpContent(data) : LastHttpContent.EMPTY_LAST_CONTENT;
        }
        return new DefaultLastHttpContent(data, trailers);
    }

    void release() {
        if (body != null) {
            body.release();
        }
    }
}
