package io.cellrouter.router.forward;

import io.cellrouter.router.error.ErrorResponses;
import io.cellrouter.router.error.GrpcStatus;
import io.cellrouter.router.error.RouterException;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * The answer side of one HTTP/2 client stream ({@link Http2Exchange}): the wait for the cell's
 * answer, then what the client's stream is sent, either the cell's answer relayed frame by frame or
 * the router's own.
 *
 * <pre>
 *  request sent ─▶ the answer is awaited (Http2ResponseTimeout, not for gRPC; counted again at
 *                  each request frame the cell side takes) ─▶ the exchange times out
 *  answer begun ─▶ more of it, or of the request, is awaited while the client can take it
 *                  (not for gRPC) ─▶ the stream is cut
 *  cell HEADERS ─▶ status checked ─┬─ 1xx ──────────────▶ client (the answer follows)
 *                                  ├─ 421, nothing sent ─▶ the exchange (misroute correction)
 *                                  └─ final ─ forwarding headers, x-request-id ─▶ client
 *  cell DATA, trailers ─────────────────────────────────▶ client (DATA not copied, but small
 *                                                          frames joined while the client is behind)
 *  router's error (ErrorResponses: JSON, or gRPC trailers-only) ─▶ client, after the current read
 * </pre>
 *
 * <p>Credit: answer bytes are acknowledged to the cell side once written to the client if its
 * stream has room, else when its window opens, so a slow client holds back the cell instead of
 * filling the router's memory.
 *
 * <p>Concurrency: owned by one exchange, on its event loop.
 */
final class Http2ResponseRelay {

    /** The exchange's side of the answer (and of the wait for it: {@link Http2ResponseTimeout.Expiry}). */
    interface Exchange extends Http2ResponseTimeout.Expiry {
        /** The begun answer went quiet for {@code upstream.responseBodyTimeout} while the client could take more. */
        void answerStalled();

        /** The cell's answer is not valid HTTP. */
        void cellBadResponse(String why);

        /** The cell answered 421 ("not my customer") before anything reached the client. */
        void misdirected(Http2Headers headers);

        /** The cell's final head goes to the client now: the request can no longer go elsewhere. */
        void answerStarted();

        /** The answer's last frame has been written to the client. */
        void answerComplete();

        /** Ends the exchange without a complete answer; {@code code} null: the client's stream is gone. */
        void abort(String why, Http2Error code);

        /** Whether the exchange has ended (its answer's last frames may still wait for the client's window). */
        boolean done();
    }

    private final Exchange exchange;
    private final Http2Frontend front;
    private final int streamId;
    private final ExchangeLog log;

    private boolean started;
    /** A 1xx was relayed to the client: the request can no longer be sent elsewhere. */
    private boolean interimSent;
    /** Informational answers passed on so far. */
    private int interims;
    /**
     * The stream's last frame has been written (the cell's END_STREAM, or the router's own): the
     * stream closing now is the exchange's own end, not the client going away.
     */
    private boolean ending;
    /** Answer bytes written to the client while its window was closed: acknowledged to the cell when it opens. */
    private int bytesHeld;
    /** Made when first armed: gRPC streams have none. */
    private Http2ResponseTimeout responseTimeout;
    /** The wait for more of the begun answer: made when the answer begins, if it is timed. */
    private Http2ResponseTimeout bodyTimeout;
    /**
     * Whether more of a begun answer is awaited on a timer (not for gRPC, nor a WebSocket tunnel, nor
     * when the timeout is zero), until it ends.
     */
    private boolean bodyTimed;
    /** Whether the client takes its answer ({@code proxy.idleTimeout}). */
    private final Http2ClientWatch client;
    /** Small DATA frames that came while the client had no room, joined. */
    private final Http2HeldFrames held;

    Http2ResponseRelay(Exchange exchange, Http2Frontend front, int streamId, ExchangeLog log) {
        this.exchange = exchange;
        this.front = front;
        this.streamId = streamId;
        this.log = log;
        this.client = new Http2ClientWatch(exchange, front, streamId);
        this.held = new Http2HeldFrames(front, streamId);
    }

    /** Whether the cell's final head has gone to the client. */
    boolean started() {
        return started;
    }

    /** Whether a 1xx (a {@code 100 Continue}, say) has gone to the client. */
    boolean interimSent() {
        return interimSent;
    }

    /** Whether the stream's last frame has been written (the stream closing is the exchange's own end). */
    boolean ending() {
        return ending;
    }

    /**
     * The request has gone to a cell side: its answer is due within {@code upstream.responseTimeout},
     * or the exchange hears {@link Exchange#responseTimedOut}. {@code timeBody}: once begun, the
     * answer must not go quiet for longer than {@code upstream.responseBodyTimeout} either (false
     * for a WebSocket handshake, whose answer becomes a tunnel with an idle timeout of its own).
     */
    void awaitAnswer(boolean timeBody) {
        client.tunnel(!timeBody);
        bodyTimed = timeBody && front.responseWaits().body() != null;
        if (responseTimeout == null) {
            responseTimeout = new Http2ResponseTimeout(exchange);
        }
        front.responseWaits().head().arm(responseTimeout);
    }

    /**
     * The answer is no longer awaited (the cell side was let go, the exchange ended, or the stream
     * closed). The client is still watched while the answer's last frames wait for its window: the
     * stream, and what it holds, must not outlive a client that never takes them.
     */
    void stopWaiting() {
        held.release(); // written before the answer's end; left only when the answer is cut
        bodyTimed = false;
        if (responseTimeout != null) {
            front.responseWaits().head().disarm(responseTimeout);
        }
        if (bodyTimeout != null) {
            front.responseWaits().body().disarm(bodyTimeout);
        }
        client.stop(ending);
    }

    /**
     * The cell sent more of its begun answer, or the client's stream opened or closed: while the
     * client can take more, the cell must send more within {@code upstream.responseBodyTimeout};
     * while it cannot, the cell is held back and not timed.
     */
    private void awaitMore(boolean clientWritable) {
        if (bodyTimed) {
            awaitMore(clientWritable, front.ctx().executor().ticker().nanoTime());
        }
    }

    /** {@link #awaitMore(boolean)}, only while {@link #bodyTimed}, with the ticker's time just read. */
    private void awaitMore(boolean clientWritable, long nowNanos) {
        if (bodyTimeout == null) {
            bodyTimeout = new Http2ResponseTimeout(exchange::answerStalled);
        }
        if (clientWritable) {
            front.responseWaits().body().arm(bodyTimeout, nowNanos);
        } else {
            front.responseWaits().body().disarm(bodyTimeout);
        }
    }

    /**
     * The cell side took {@code bytes} more of the request ({@code endStream}: the client sent the
     * last of it): the exchange is not quiet. The wait for the answer counts again from now, so a
     * slow upload is not taken for a cell that does not answer (the response timeout runs from the
     * last of the request the cell took); and a cell that answers early and reads a slow upload
     * before it goes on is not cut. Bytes the cell side has no room for, or an empty DATA frame that
     * does not end the request, move nothing: a client cannot keep a stuck cell's exchange alive by
     * trickling.
     */
    void requestMoved(int bytes, boolean endStream) {
        if (bytes == 0 && !endStream) {
            return;
        }
        if (!started) {
            if (responseTimeout != null && responseTimeout.armed) {
                front.responseWaits().head().arm(responseTimeout);
            }
        } else if (!ending) {
            awaitMore(front.isWritable(streamId));
        }
    }

    /** A head (1xx or final) or, once the answer started, the trailers, from the cell. */
    void headers(Http2Headers headers, boolean endStream) {
        boolean begins = false;
        long now = 0;
        if (!started) {
            int code = parseStatus(headers.status());
            if (code < 100 || code > 599 || code == 101) {
                exchange.cellBadResponse(
                        "status " + headers.status() + " is not a valid final or informational status");
                return;
            }
            if (code < 200) {
                if (++interims > CellResponseValidator.MAX_INTERIM_ANSWERS) {
                    exchange.cellBadResponse(
                            "more than " + CellResponseValidator.MAX_INTERIM_ANSWERS + " informational (1xx) answers");
                    return;
                }
                interimSent = true;
                front.writeHeaders(streamId, headers, false); // 1xx: passed on, the answer follows
                return;
            }
            if (code == MisrouteCorrection.STATUS && !interimSent) {
                exchange.misdirected(headers); // "not my customer": corrected, or answered 421 misrouted
                return;
            }
            started = true;
            log.status = code;
            begins = true;
            now = front.ctx().executor().ticker().nanoTime();
            log.answerHead(now);
            if (responseTimeout != null) {
                front.responseWaits().head().disarm(responseTimeout);
            }
            exchange.answerStarted();
            ForwardHeaders.toClient(headers);
            headers.set(RequestIds.X_REQUEST_ID, log.requestId);
        }
        ending |= endStream;
        held.writeOut(); // trailers follow the body
        front.writeHeaders(streamId, headers, endStream);
        if (endStream) {
            exchange.answerComplete();
        } else if (begins && bodyTimed) {
            awaitMore(front.isWritable(streamId), now);
        }
    }

    /** Answer body bytes from {@code side} (retained to pass on; the cell side keeps its reference). */
    void data(Http2CellSide side, ByteBuf data, boolean endStream) {
        if (!started) {
            exchange.cellBadResponse("DATA before the response head");
            return;
        }
        int bytes = data.readableBytes();
        log.bytesOut += bytes;
        ending |= endStream;
        boolean writable = false; // a held frame: the client has no room
        if (!held.hold(data, endStream)) {
            front.writeData(streamId, data.retain(), endStream, null);
            writable = front.isWritable(streamId);
        }
        // Acknowledged to the cell now if the client's stream has room, else once it has.
        if (writable) {
            side.answerTaken(bytes);
        } else {
            bytesHeld += bytes;
            side.clientWritable(false);
            client.update(false);
        }
        if (endStream) {
            exchange.answerComplete();
        } else {
            awaitMore(writable);
        }
    }

    /**
     * The client's stream window opened or closed: what it took meanwhile is acknowledged to {@code
     * side} (null once the cell side is let go; the client is still watched while the answer's last
     * frames wait).
     */
    void clientWritable(Http2CellSide side, boolean writable) {
        if (writable && held.sendFirst()) {
            return; // reported again once the joined frames are written
        }
        if (side != null) {
            if (writable && bytesHeld > 0) {
                int bytes = bytesHeld;
                bytesHeld = 0;
                side.answerTaken(bytes);
            }
            side.clientWritable(writable);
        }
        if (started && !ending) {
            awaitMore(writable);
        }
        if (started || ending) {
            client.update(writable);
        }
    }

    /**
     * Answers with the router's own {@code error}: a JSON body, or for gRPC a trailers-only answer
     * whose status is {@code grpcStatus} (or the code's own when -1). Rendered now (the access log
     * sees its status and size), written once the frames already read have been handled: a client
     * that resets the stream in the same read is seen resetting an open stream (and counted by the
     * rapid-reset bound) rather than one the router had already closed. {@code stopClient}: the
     * client is still sending, and is told to stop (RST_STREAM NO_ERROR) after the answer.
     */
    void answer(RouterException error, int grpcStatus, boolean grpc, boolean stopClient) {
        log.status = error.code().status().code();
        Http2Headers head;
        ByteBuf body = null;
        if (grpc) {
            head = ErrorResponses.grpcHead(error, grpcStatus);
        } else {
            body = ErrorResponses.body(front.ctx().alloc(), error);
            log.bytesOut = body.readableBytes();
            head = ErrorResponses.http2Head(error, body);
        }
        head.set(RequestIds.X_REQUEST_ID, log.requestId);
        ByteBuf answerBody = body;
        front.ctx().executor().execute(() -> write(head, answerBody, stopClient));
    }

    private void write(Http2Headers head, ByteBuf body, boolean stopClient) {
        if (!front.isOpen(streamId)) {
            if (body != null) {
                body.release();
            }
            return;
        }
        ending = true;
        front.writeHeaders(streamId, head, body == null);
        if (body != null) {
            front.writeData(streamId, body, true, null);
        }
        if (stopClient) {
            front.reset(streamId, Http2Error.NO_ERROR);
        }
        front.flushNow();
        if (front.hasQueued(streamId)) {
            client.update(false); // a window the client keeps closed must not keep the stream
        }
    }

    /**
     * The cell's answer is complete; {@code stopClient}: the client is still sending, and is told
     * to stop (RFC 9113 section 8.1). {@code flushNow}: the cell side may be released before its
     * read completes (an HTTP/1.1 connection goes back to the pool), so the answer's end is flushed
     * now rather than at that read's end; a stream of a multiplexed connection is flushed with the
     * other answers of the cell's read.
     */
    void complete(boolean stopClient, boolean flushNow) {
        if (stopClient) {
            front.reset(streamId, Http2Error.NO_ERROR);
        }
        if (flushNow) {
            front.flushNow();
        }
    }

    /** Resets the stream with {@code code}: the answer ends unfinished. */
    void reset(Http2Error code) {
        held.release();
        front.reset(streamId, code);
        front.flushNow();
    }

    /** Ends a gRPC answer under way with trailers of the router's: {@code status} and {@code message}. */
    void endGrpc(GrpcStatus status, String message, boolean stopClient) {
        ending = true;
        held.writeOut();
        front.writeHeaders(
                streamId,
                new DefaultHttp2Headers().setInt("grpc-status", status.value()).set("grpc-message", message),
                true);
        if (stopClient) {
            front.reset(streamId, Http2Error.NO_ERROR);
        }
        front.flushNow();
    }

    private static int parseStatus(CharSequence status) {
        if (status == null || status.length() != 3) {
            return -1;
        }
        try {
            return AsciiString.of(status).parseInt();
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
