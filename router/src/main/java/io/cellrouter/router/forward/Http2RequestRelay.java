package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2LocalFlowController;
import io.netty.handler.codec.http2.Http2Stream;
import java.util.ArrayDeque;

/**
 * The request side of one HTTP/2 client stream ({@link Http2Exchange}): the request (its head,
 * whether the client has sent all of it), its frames on their way to the cell side, the copies
 * kept of them, and the client's flow-control credit.
 *
 * <pre>
 *  client DATA, trailers ─┬─ no cell side yet (routing, connecting) ─▶ held
 *                         └─ copied (the replay until the answer starts; the shadow, if sampled) ─▶ cell side
 *  a new cell side ◀─ the head, then the replayed body (a resend), then what was held, in order
 * </pre>
 *
 * <p>Credit: request bytes are acknowledged to the client once the cell side has taken them (at
 * once if it has room, else when it has), so the client never has more than its stream window in
 * flight inside the router.
 *
 * <p>Resend: a request is sent again at most once, from its replay ({@link Http2Replay}), when the
 * cell never processed it (REFUSED_STREAM, GOAWAY) or disowned its customer (a 421, {@link
 * MisrouteCorrection}). Request trailers end both copies: neither a replay nor a shadow carries
 * them.
 *
 * <p>Concurrency: owned by one exchange, on its event loop.
 */
final class Http2RequestRelay {

    private final Http2Frontend front;
    private final int streamId;
    /** The request head: read for routing, then forwarded with the forwarding headers set in place. */
    private Http2Headers head;
    /** The client has sent its whole request (END_STREAM, or trailers). */
    private boolean ended;
    /** Request frames that arrived while there was no cell side: DATA buffers and, last, trailers. */
    private ArrayDeque<Object> held;
    /** Request bytes given to the cell side while it had no room: acknowledged to the client when it has. */
    private int bytesHeld;

    private Http2Replay replay;
    /** The request was sent again once (a resend or a misroute correction): never a second time. */
    private boolean resent;
    /** The copy of this request for the customer's shadow, if it was sampled ({@link ShadowSender}). */
    private ShadowCapture shadow;
    /** The client sent request trailers: neither a replay nor a shadow would carry them. */
    private boolean trailers;

    Http2RequestRelay(Http2Frontend front, int streamId) {
        this.front = front;
        this.streamId = streamId;
    }

    /** The request's head; {@code endStream}: the request has no body. */
    void start(Http2Headers requestHead, boolean endStream) {
        head = requestHead;
        ended = endStream;
    }

    Http2Headers head() {
        return head;
    }

    /** Whether the client has sent its whole request. */
    boolean ended() {
        return ended;
    }

    /** A DATA frame came; {@code endStream}: it ends the request. */
    void received(boolean endStream) {
        ended |= endStream;
    }

    /** The request was sampled for the customer's shadow: {@code capture} keeps a copy from the head on. */
    void shadow(ShadowCapture capture) {
        shadow = capture;
        if (capture != null) {
            capture.head(head);
        }
    }

    /** A request frame (a retained DATA buffer, or the trailers) with no cell side to take it yet. */
    void hold(Object part) {
        if (held == null) {
            held = new ArrayDeque<>(2);
        }
        held.add(part);
    }

    private boolean holdsNothing() {
        return held == null || held.isEmpty();
    }

    /** A new cell side: the request head goes first. A first side starts the replay, unless the request has trailers. */
    void writeHead(Http2CellSide side) {
        if (replay == null && !resent && !trailers) {
            // a stream the cell never processed, or a misroute (421)
            replay = new Http2Replay(head, front.replayBudget());
        }
        boolean headEnds = ended && holdsNothing() && !replaying();
        side.writeHead(head, headEnds);
    }

    /** After the head: the replayed body (a resend), then what was held, in order. */
    void writeHeld(Http2CellSide side) {
        if (replaying()) {
            replay.replayBody(side, ended && holdsNothing());
        }
        if (held == null) {
            return;
        }
        Object part;
        while ((part = held.poll()) != null) {
            if (part instanceof ByteBuf data) {
                send(side, data, ended && held.isEmpty());
            } else {
                side.writeTrailers((Http2Headers) part);
            }
        }
    }

    private boolean replaying() {
        return resent && replay != null && replay.hasBody();
    }

    /**
     * Request body bytes (ownership passes) to the cell side, copied first for the replay and the
     * shadow. Returns how many of them the cell side took now (0 when it has no room: they wait in
     * its buffer, unacknowledged to the client).
     */
    int send(Http2CellSide side, ByteBuf data, boolean endStream) {
        int bytes = data.readableBytes();
        if (replay != null) { // the replay is let go when the answer starts
            replay.add(data);
        }
        if (shadow != null) {
            shadow.add(data);
        }
        side.writeBody(data, endStream);
        // Acknowledged to the client now if the cell side has room, else once it has: the client
        // never has more than its stream window in flight inside the router.
        if (side.isWritable()) {
            front.consumed(streamId, bytes);
            return bytes;
        }
        bytesHeld += bytes;
        return 0;
    }

    /** DATA for an exchange that has ended: acknowledged to the client and released. */
    void discard(ByteBuf data) {
        front.consumed(streamId, data.readableBytes());
        data.release();
    }

    /** The client's trailers came: the request has ended, and no copy of it can be sent any more. */
    void trailers() {
        ended = true;
        trailers = true;
        dropReplay();
        shadow = ShadowCapture.drop(shadow);
    }

    /** The cell side has room again: what it took meanwhile is acknowledged to the client; returns how much. */
    int cellWritable() {
        int bytes = bytesHeld;
        if (bytes > 0) {
            bytesHeld = 0;
            front.consumed(streamId, bytes);
        }
        return bytes;
    }

    /**
     * Whether the wait for the answer is the client's: its request is still arriving, the cell side
     * has room, the router lets the client send (its stream and connection windows are open), and
     * it is not waiting for a {@code 100 Continue} the cell has not sent ({@code interimSent}).
     */
    boolean clientStalled(Http2CellSide side, boolean interimSent) {
        Http2Stream stream = front.connection().stream(streamId);
        Http2LocalFlowController windows = front.decoder().flowController();
        return !ended
                && side.isWritable()
                && stream != null
                && windows.windowSize(stream) > 0
                && windows.windowSize(front.connection().connectionStream()) > 0
                && (interimSent || !head.contains(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE, true));
    }

    /** Whether sending the request twice does no more than sending it once ({@link IdempotentRequests}). */
    boolean idempotent() {
        return IdempotentRequests.test(head.method(), head.contains(IdempotentRequests.IDEMPOTENCY_KEY));
    }

    /**
     * Whether the request may go once more after {@code reset}, as it was: the cell never processed
     * its stream, or it is {@link #idempotent} and its reused HTTP/1.1 connection closed unanswered.
     */
    boolean resendableAfter(UpstreamResetException reset) {
        return (reset.refused() || (reset.idleClosed() && idempotent())) && resendable();
    }

    /** Whether a stream the cell never processed may be sent once more, as it was. */
    boolean resendable() {
        return replay != null && replay.replayable() && !resent;
    }

    /** Whether a request the cell disowned (421) may be sent once more, as it was. */
    boolean correctable() {
        return ended && resendable() && !trailers;
    }

    /** The request goes once more to a new cell side, from its replay. */
    void resending() {
        resent = true;
    }

    /** The request goes once more, from its replay, to {@code cell} (a misroute corrected). */
    void resendTo(Cell cell) {
        resent = true;
        shadow = ShadowCapture.dropIfFor(shadow, cell);
        head.set(ForwardHeaders.X_CELL_ROUTER_CELL, cell.name());
    }

    /** The answer started: the request can no longer be sent elsewhere. */
    void dropReplay() {
        if (replay != null) {
            replay.release();
            replay = null;
        }
    }

    /**
     * The exchange ended: the shadow leaves if {@code cellStatus} is the cell's answer to the whole
     * request (else -1: it is let go), the replay is let go, and request frames still held are
     * acknowledged and released.
     */
    void end(int cellStatus, EventLoop loop) {
        if (shadow != null) {
            shadow.end(ended ? cellStatus : -1, loop);
            shadow = null;
        }
        dropReplay();
        if (held == null) {
            return;
        }
        Object part;
        while ((part = held.poll()) != null) {
            if (part instanceof ByteBuf data) {
                front.consumed(streamId, data.readableBytes());
                data.release();
            }
        }
    }
}
