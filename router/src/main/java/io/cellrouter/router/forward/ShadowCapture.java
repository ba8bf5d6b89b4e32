package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;

/**
 * A copy of one sampled request, kept while the primary exchange runs so that the same request can
 * be sent to the shadow's cell once the primary is done ({@link ShadowSender}): the head as it went
 * to the primary cell (forwarding headers included), with {@code x-cell-router-cell} naming the
 * shadow's cell and {@code x-cell-router-shadow: 1}, and the body.
 *
 * <p>Bounded like the replay buffer: a body over {@link ReplayBuffer#MAX_BYTES}, request trailers,
 * or a primary that did not end with the cell's answer, and the copy is let go, unsent.
 *
 * <p>Concurrency: owned by one exchange, on its event loop, until handed to the sender on the same
 * loop.
 */
final class ShadowCapture {

    static final AsciiString SHADOW_HEADER = AsciiString.cached("x-cell-router-shadow");

    private final ShadowSender sender;
    private final Cell target;
    private final boolean grpc;
    private HttpRequest head;
    private BodyCopy body;
    private int bytes;
    private boolean dropped;

    ShadowCapture(ShadowSender sender, Cell target, boolean grpc) {
        this.sender = sender;
        this.target = target;
        this.grpc = grpc;
    }

    /** Releases {@code capture} if there is one; returns null, for {@code field = drop(field)}. */
    static ShadowCapture drop(ShadowCapture capture) {
        if (capture != null) {
            capture.release();
        }
        return null;
    }

    Cell target() {
        return target;
    }

    boolean grpc() {
        return grpc;
    }

    HttpRequest head() {
        return head;
    }

    /** The kept body ({@link BodyCopy#poll} its buffers oldest first); the caller takes ownership. */
    BodyCopy takeBody() {
        BodyCopy taken = body == null ? new BodyCopy() : body;
        body = null;
        return taken;
    }

    int bytes() {
        return bytes;
    }

    /** The head of an HTTP/1.1 client's request, as forwarded to the primary cell. */
    void head(HttpRequest forwarded) {
        head = new DefaultHttpRequest(
                HttpVersion.HTTP_1_1,
                forwarded.method(),
                forwarded.uri(),
                forwarded.headers().copy());
        mark();
        if (forwarded instanceof HttpContent content) {
            add(content); // a request that came whole
        }
    }

    /** The head of an HTTP/2 client's request, as forwarded to the primary cell. */
    void head(Http2Headers forwarded) {
        try {
            head = HttpConversionUtil.toHttpRequest(0, forwarded, false);
        } catch (Http2Exception e) {
            dropped = true;
            return;
        }
        ForwardHeaders.removeConversionHeaders(head.headers());
        mark();
    }

    /** The router gave the request the primary cell's authority as Host (it had none): the copy gets its own cell's. */
    void hostOfItsCell() {
        if (head != null) {
            head.headers().set(HttpHeaderNames.HOST, target.endpoint().getRawAuthority());
        }
    }

    private void mark() {
        head.headers().set(ForwardHeaders.X_CELL_ROUTER_CELL, target.name());
        head.headers().set(SHADOW_HEADER, "1");
        head.headers().remove(HttpHeaderNames.EXPECT); // the body is all here: nothing to wait for
    }

    /** A part of an HTTP/1.1 request body, about to be written to the primary cell. */
    void add(HttpContent content) {
        if (content instanceof LastHttpContent last && !last.trailingHeaders().isEmpty()) {
            release(); // trailers are not copied: such a request is not shadowed
            return;
        }
        add(content.content());
    }

    /** Request body bytes about to be written to the primary cell (a duplicate is kept). */
    void add(ByteBuf data) {
        if (dropped || !data.isReadable()) {
            return;
        }
        if (bytes + data.readableBytes() > ReplayBuffer.MAX_BYTES) {
            release();
            return;
        }
        if (body == null) {
            body = new BodyCopy();
        }
        bytes += data.readableBytes();
        body.add(data);
    }

    /**
     * The primary exchange is over: {@code primaryStatus} is the status the cell answered, or -1
     * when the router answered itself or the exchange was cut short (nothing is compared, nothing
     * sent). The shadow leaves after the current task, so it never delays what follows the primary.
     */
    void end(int primaryStatus, EventLoop loop) {
        if (dropped || head == null || primaryStatus < 0) {
            release();
            return;
        }
        loop.execute(() -> sender.send(this, primaryStatus, loop));
    }

    /**
     * The primary goes to {@code cell} after all (a misroute corrected): a copy of it for that same
     * cell is let go (the customer is on the shadow's cell: nothing to compare). Returns what the
     * exchange keeps: {@code capture}, or null.
     */
    static ShadowCapture dropIfFor(ShadowCapture capture, Cell cell) {
        if (capture == null || !capture.target.name().equals(cell.name())) {
            return capture;
        }
        capture.release();
        return null;
    }

    void release() {
        dropped = true;
        if (body != null) {
            body.release();
            body = null;
        }
    }
}
