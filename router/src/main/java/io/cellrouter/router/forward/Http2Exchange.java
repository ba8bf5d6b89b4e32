package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.admission.Bulkheads;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.ErrorResponses;
import io.cellrouter.router.error.GrpcStatus;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.identity.Http2RequestHead;
import io.cellrouter.router.identity.RequestTarget;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One client stream of an {@link Http2Frontend}: routed on its own, relayed frame by frame.
 *
 * <pre>
 *  HEADERS ─▶ ROUTING (target, admin path, identity, resolve) ─▶ CONNECTING (bulkhead, cell side)
 *          ─▶ FORWARDING (request frames ─▶ cell; answer frames ─▶ client) ─▶ DONE
 *  any step may instead answer with the router's own error (ErrorResponses), or reset the stream
 * </pre>
 *
 * <p>Headers stay {@link Http2Headers}: only the routing fields are read and the forwarding
 * headers set in place. DATA frames pass on without copying. Request bytes are acknowledged to the
 * client once the cell side has taken them; answer bytes to the cell once written to the client.
 * A stream the cell never processed (REFUSED_STREAM, above its GOAWAY's last stream id) is sent
 * once more on another connection to the same cell, if its body so far fits the replay buffer.
 *
 * <p>Concurrency: confined to the connection's event loop; the resolver's answer, when not
 * immediate, is handed back to it.
 */
final class Http2Exchange
        implements CellStreamListener, MovableExchange, RouteStep.Outcome, MisrouteCorrection.Exchange {

    private enum State {
        ROUTING,
        CONNECTING,
        FORWARDING,
        DONE
    }

    private static final AsciiString GRPC = AsciiString.cached("application/grpc");

    private final Http2Frontend front;
    private final ProxyContext context;
    private final int streamId;
    private final ExchangeLog log;
    private final CustomerExchanges.Link inFlightLink = new CustomerExchanges.Link(this);
    /** Request frames that arrived while routing: DATA buffers and, last, trailers. */
    private final ArrayDeque<Object> pending = new ArrayDeque<>(2);

    /** Whether a cell side was written to during the frontend's current read (see {@link Http2Frontend#touch}). */
    boolean touched;

    private State state = State.ROUTING;
    private Http2Headers request;
    private RequestTarget target;
    private boolean grpc;
    /** An extended CONNECT for a WebSocket (RFC 8441): relayed by {@link Http2WebSocketLeg}. */
    private boolean websocket;

    private Cell cell;
    private Bulkheads.Permit permit;
    private CustomerExchanges.Loop exchanges;
    private Http2CellSide cellSide;
    private Http2Replay replay;
    private boolean retried;
    /** The copy of this request for the customer's shadow, if it was sampled ({@link ShadowSender}). */
    private ShadowCapture shadow;
    /** The client sent request trailers: neither a replay nor a shadow would carry them. */
    private boolean trailers;
    /** A 1xx was relayed to the client: the request can no longer be sent elsewhere. */
    private boolean interimSent;

    private ScheduledFuture<?> responseTimeout;

    private boolean requestEnded;
    private boolean responseStarted;
    /**
     * The router is writing the stream's last frame itself: the stream closing now is the
     * exchange's own end, not the client going away.
     */
    private boolean ending;

    private boolean reusable = true;
    /** Request bytes given to the cell side while it had no room: acknowledged to the client when it has. */
    private int requestBytesHeld;
    /** Answer bytes written to the client while its window was closed: acknowledged to the cell when it opens. */
    private int answerBytesHeld;

    Http2Exchange(Http2Frontend front, int streamId) {
        this.front = front;
        this.context = front.context();
        this.streamId = streamId;
        this.log = new ExchangeLog(front.remote(), "h2");
    }

    void start(Http2Headers headers, boolean endStream) {
        request = headers;
        requestEnded = endStream;
        log.start(now(), headers.method() == null ? "" : headers.method().toString(), String.valueOf(headers.path()));
        CharSequence contentType = headers.get(HttpHeaderNames.CONTENT_TYPE);
        grpc = contentType != null && AsciiString.regionMatches(contentType, true, 0, GRPC, 0, GRPC.length());
        log.protocol = grpc ? "grpc" : "h2";
        websocket = WebSocketHandshake.extendedConnect(headers);
        if (websocket) {
            log.protocol = WebSocketHandshake.PROTOCOL;
        }
        log.requestId = RequestIds.accept(headers);
        log.traceId = RequestIds.traceId(headers.get(RequestIds.TRACEPARENT));
        CharSequence userAgent = headers.get(HttpHeaderNames.USER_AGENT);
        log.userAgent = userAgent == null ? null : userAgent.toString();
        context.drain().exchangeStarted();
        context.recorder().metrics().requestStarted();
        try {
            if (!websocket && WebSocketHandshake.hasProtocol(headers)) {
                throw new RouterException(
                        ErrorCode.MALFORMED_REQUEST, "malformed request: the only :protocol served is websocket");
            }
            if (headers.path() == null) {
                throw new RouterException(ErrorCode.MALFORMED_REQUEST, "malformed request: no :path");
            }
            target = RequestTarget.parse(headers.path().toString());
        } catch (RouterException e) {
            fail(e, -1);
            return;
        }
        log.path = target.path();
        RouteStep.start(
                context, new Http2RequestHead(headers, target), log, front.ctx().executor(), this);
    }

    @Override
    public boolean routing() {
        return state == State.ROUTING;
    }

    @Override
    public void refused(RouterException error) {
        fail(error, -1);
    }

    @Override
    public void routed(Bulkheads.Permit admitted) {
        permit = admitted;
        cell = log.cell;
        exchanges = context.exchanges().loop(front.ctx().executor());
        exchanges.link(inFlightLink);
        ForwardHeaders.toCell(request, front.remote(), context.scheme(), cell.name());
        shadow = context.migration().shadows().sample(log);
        if (shadow != null) {
            shadow.head(request);
        }
        connect();
    }

    private void connect() {
        state = State.CONNECTING;
        if (websocket) {
            Http2WebSocketLeg leg = new Http2WebSocketLeg(this, context, target);
            UpgradeLeg.open(context, cell, front.ctx().channel().eventLoop(), leg)
                    .addListener(f -> connected(f.isSuccess() ? leg.attach((CellLeg) f.getNow()) : null, f.cause()));
        } else if (grpc || !"http".equals(cell.scheme())) {
            Future<CellStream> stream =
                    context.pool().openStream(cell, front.ctx().channel().eventLoop(), this);
            stream.addListener(f -> connected(f.isSuccess() ? (CellStream) f.getNow() : null, f.cause()));
        } else {
            Http2ToHttp1Leg leg = new Http2ToHttp1Leg(this, target);
            Future<CellLeg> acquired =
                    context.pool().acquire(cell, front.ctx().channel().eventLoop(), false, leg);
            acquired.addListener(f -> connected(f.isSuccess() ? leg.attach((CellLeg) f.getNow()) : null, f.cause()));
        }
    }

    private void connected(Http2CellSide side, Throwable cause) {
        if (state != State.CONNECTING) {
            if (side != null) {
                side.finish(true);
            }
            return;
        }
        if (side == null) {
            if (cause instanceof RouterException refused) {
                fail(refused, -1);
            } else {
                String why = cause instanceof ConnectTimeoutException ? "connect timed out" : String.valueOf(cause);
                fail(
                        new RouterException(ErrorCode.CELL_UNREACHABLE, "cell " + cell.name() + " is unreachable")
                                .withDetail(why),
                        -1);
            }
            return;
        }
        cellSide = side;
        state = State.FORWARDING;
        if (replay == null && !retried && !trailers) {
            replay = new Http2Replay(request); // a stream the cell never processed, or a misroute (421)
        }
        boolean replaying = retried && replay != null && replay.hasBody();
        boolean headEnds = requestEnded && pending.isEmpty() && !replaying;
        side.writeHead(request, headEnds);
        log.forwarded(now());
        if (replaying) {
            replay.replayBody(side, requestEnded && pending.isEmpty());
        }
        Object part;
        while ((part = pending.poll()) != null) {
            if (part instanceof ByteBuf data) {
                sendBody(data, requestEnded && pending.isEmpty());
            } else {
                side.writeTrailers((Http2Headers) part);
            }
        }
        if (front.reading()) {
            front.touch(this); // one flush per cell connection at the end of the client's read
        } else {
            side.flush();
        }
        if (!grpc) {
            // gRPC streams may be quiet for long; their deadline is the client's grpc-timeout.
            long timeout = context.config().upstream().responseTimeout().toNanos();
            responseTimeout = front.ctx().executor().schedule(this::responseTimedOut, timeout, TimeUnit.NANOSECONDS);
        }
    }

    /** A request DATA frame (retained for this exchange). */
    void requestData(ByteBuf data, boolean endStream) {
        requestEnded |= endStream;
        log.bytesIn += data.readableBytes();
        if (log.bytesIn > context.config().limits().maxBodySize() && !websocket) {
            data.release();
            fail(
                    new RouterException(
                            ErrorCode.PAYLOAD_TOO_LARGE,
                            "request body larger than "
                                    + context.config().limits().maxBodySize() + " bytes"),
                    -1);
            return;
        }
        switch (state) {
            case ROUTING, CONNECTING -> pending.add(data);
            case FORWARDING -> {
                sendBody(data, endStream);
                front.touch(this);
            }
            case DONE -> {
                front.consumed(streamId, data.readableBytes());
                data.release();
            }
        }
    }

    private void sendBody(ByteBuf data, boolean endStream) {
        int bytes = data.readableBytes();
        if (replay != null && !responseStarted) {
            replay.add(data);
        }
        if (shadow != null) {
            shadow.add(data);
        }
        cellSide.writeBody(data, endStream);
        // Acknowledged to the client now if the cell side has room, else once it has: the client
        // never has more than its stream window in flight inside the router.
        if (cellSide.isWritable()) {
            front.consumed(streamId, bytes);
        } else {
            requestBytesHeld += bytes;
        }
    }

    void requestTrailers(Http2Headers trailers) {
        requestEnded = true;
        this.trailers = true;
        dropReplay();
        shadow = ShadowCapture.drop(shadow);
        if (state == State.FORWARDING) {
            cellSide.writeTrailers(trailers);
            front.touch(this);
        } else if (state != State.DONE) {
            pending.add(trailers);
        }
    }

    /** At the end of the frontend's read: what was written to the cell goes out. */
    void flushCell() {
        if (cellSide != null) {
            cellSide.flush();
        }
    }

    void clientReset(long errorCode) {
        abort("client reset the stream (" + errorCode + ")", null);
    }

    /** The client's stream closed (the connection went away, or a stream error): nothing more to answer. */
    void streamClosed() {
        if (state != State.DONE && !ending) {
            abort("client stream closed", null);
        }
    }

    void clientWritabilityChanged(boolean writable) {
        if (cellSide != null) {
            if (writable && answerBytesHeld > 0) {
                int held = answerBytesHeld;
                answerBytesHeld = 0;
                cellSide.answerTaken(held);
            }
            cellSide.clientWritable(writable);
        }
    }

    // ----- the answer, frame by frame (CellStreamListener; Http2ToHttp1Leg converts into these) -----

    @Override
    public void cellHeaders(Http2Headers headers, boolean endStream) {
        if (state != State.FORWARDING) {
            return;
        }
        if (!responseStarted) {
            int code = parseStatus(headers.status());
            if (code < 100 || code > 599 || code == 101) {
                cellBadResponse("status " + headers.status() + " is not a valid final or informational status");
                return;
            }
            if (code < 200) {
                interimSent = true;
                front.writeHeaders(streamId, headers, false); // 1xx: passed on, the answer follows
                return;
            }
            if (code == MisrouteCorrection.STATUS && !interimSent && state == State.FORWARDING) {
                misdirected(headers); // "not my customer": corrected, or answered 421 misrouted
                return;
            }
            responseStarted = true;
            log.status = code;
            cancelResponseTimeout();
            dropReplay();
            ForwardHeaders.toClient(headers);
            headers.set(RequestIds.X_REQUEST_ID, log.requestId);
        }
        ending |= endStream;
        front.writeHeaders(streamId, headers, endStream);
        if (endStream) {
            complete();
        }
    }

    @Override
    public void cellData(ByteBuf data, boolean endStream) {
        if (state != State.FORWARDING || !responseStarted) {
            if (state == State.FORWARDING) {
                cellBadResponse("DATA before the response head");
            }
            return;
        }
        int bytes = data.readableBytes();
        log.bytesOut += bytes;
        Http2CellSide side = cellSide;
        ending |= endStream;
        front.writeData(streamId, data.retain(), endStream, null);
        // Acknowledged to the cell now if the client's stream has room, else once it has.
        if (front.isWritable(streamId)) {
            side.answerTaken(bytes);
        } else {
            answerBytesHeld += bytes;
            side.clientWritable(false);
        }
        if (endStream) {
            complete();
        }
    }

    @Override
    public void cellFailed(Http2Error code, boolean unprocessed, String why) {
        if (state != State.FORWARDING) {
            return;
        }
        cellSide = null;
        if (!responseStarted && unprocessed && replay != null && replay.replayable() && !retried) {
            // The cell never saw this stream: once more on another connection to the same cell.
            retried = true;
            cancelResponseTimeout();
            connect();
            return;
        }
        if (!responseStarted) {
            UpstreamResetException reset = new UpstreamResetException(code, unprocessed, why);
            fail(
                    new RouterException(
                                    ErrorCode.CELL_UNREACHABLE,
                                    "cell " + cell.name() + " closed the stream before responding")
                            .withDetail(why),
                    reset.grpcStatus());
        } else {
            abort(
                    "cell ended the answer early: " + why,
                    code == Http2Error.NO_ERROR ? Http2Error.INTERNAL_ERROR : code);
        }
    }

    /** The cell's answer is not valid HTTP: 502 if nothing was sent yet, else the stream is reset. */
    void cellBadResponse(String why) {
        Http2CellSide side = cellSide;
        cellSide = null;
        if (side != null) {
            side.abandon();
        }
        reusable = false;
        RouterException error = new RouterException(
                        ErrorCode.BAD_CELL_RESPONSE, "cell " + cell.name() + " sent an invalid response")
                .withDetail(why);
        if (!responseStarted) {
            fail(error, -1);
        } else {
            abort(error.detail(), Http2Error.INTERNAL_ERROR);
        }
    }

    /** The cell switched protocols: the stream is a WebSocket tunnel from now on (its log says so). */
    void tunnelOpened() {
        log.tunnel = true;
    }

    /** The router drains: a WebSocket tunnel ends within the drain timeout (other streams just finish). */
    void draining() {
        if (cellSide instanceof Http2WebSocketLeg tunnel) {
            tunnel.draining();
        }
    }

    /** The HTTP/1.1 cell's connection cannot carry another request after this answer. */
    void notReusable() {
        reusable = false;
    }

    @Override
    public void cellReadComplete() {
        front.flushNow();
    }

    @Override
    public void cellWritabilityChanged(boolean writable) {
        if (writable && requestBytesHeld > 0) {
            int held = requestBytesHeld;
            requestBytesHeld = 0;
            front.consumed(streamId, held);
        }
    }

    // ----- ends -----

    private void complete() {
        Http2CellSide side = cellSide;
        cellSide = null;
        if (side != null) {
            side.finish(reusable && requestEnded);
        }
        if (!requestEnded) {
            // The answer is complete while the client still sends: stop it (RFC 9113 section 8.1).
            front.reset(streamId, Http2Error.NO_ERROR);
        }
        // An HTTP/1.1 cell side may be released before its read completes (the connection goes
        // back to the pool): flush the answer's end now rather than wait for that read. A stream of
        // a multiplexed cell connection hears of the end of the read (cellReadComplete), where the
        // answers of all the streams it carried are flushed at once.
        if (!(side instanceof CellStream)) {
            front.flushNow();
        }
        end(null, null);
    }

    /**
     * Answers with the router's own error, unless the answer has begun (then the stream is reset).
     * {@code grpcStatus}: the gRPC status to answer with instead of the code's own, or -1.
     */
    private void fail(RouterException error, int grpcStatus) {
        if (state == State.DONE) {
            return;
        }
        if (responseStarted) {
            abort(error.getMessage(), Http2Error.INTERNAL_ERROR);
            return;
        }
        if (cellSide != null) {
            cellSide.abandon();
            cellSide = null;
        }
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
        boolean stopClient = !requestEnded;
        end(error.code().code(), error.detail());
        // Answered once the frames already read have been handled: a client that resets the stream
        // in the same read is seen resetting an open stream (and counted by the rapid-reset bound)
        // rather than one the router had already closed.
        ByteBuf answerBody = body;
        front.ctx().executor().execute(() -> answer(head, answerBody, stopClient));
    }

    private void answer(Http2Headers head, ByteBuf body, boolean stopClient) {
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
    }

    /** Ends the exchange without a complete answer; {@code code} null: the client's stream is gone. */
    private void abort(String why, Http2Error code) {
        if (state == State.DONE) {
            return;
        }
        if (cellSide != null) {
            cellSide.abandon();
            cellSide = null;
        }
        if (code != null) {
            front.reset(streamId, code);
            front.flushNow();
        }
        end("aborted", why);
    }

    private void end(String error, String detail) {
        state = State.DONE;
        if (shadow != null) {
            shadow.end(
                    error == null && requestEnded ? log.status : -1,
                    front.ctx().channel().eventLoop());
            shadow = null;
        }
        cancelResponseTimeout();
        dropReplay();
        Object part;
        while ((part = pending.poll()) != null) {
            if (part instanceof ByteBuf data) {
                front.consumed(streamId, data.readableBytes());
                data.release();
            }
        }
        if (exchanges != null) {
            exchanges.unlink(inFlightLink);
        }
        if (permit != null) {
            permit.release();
            permit = null;
        }
        log.end(context.recorder(), error, detail, now());
        context.recorder().metrics().requestEnded();
        context.drain().exchangeEnded();
    }

    private void responseTimedOut() {
        if (state == State.FORWARDING && !responseStarted) {
            fail(
                    new RouterException(
                            ErrorCode.CELL_TIMEOUT,
                            "cell " + cell.name() + " did not answer within "
                                    + context.config()
                                            .upstream()
                                            .responseTimeout()
                                            .toMillis() + " ms"),
                    -1);
        }
    }

    private void cancelResponseTimeout() {
        if (responseTimeout != null) {
            responseTimeout.cancel(false);
            responseTimeout = null;
        }
    }

    private void dropReplay() {
        if (replay != null) {
            replay.release();
            replay = null;
        }
    }

    // ----- misroute correction (MisrouteCorrection) -----

    /** The cell answered 421: its side is let go, and the stream waits (as while routing) for the decision. */
    private void misdirected(Http2Headers headers) {
        Http2CellSide side = cellSide;
        cellSide = null;
        if (side != null) {
            side.abandon();
        }
        cancelResponseTimeout();
        state = State.ROUTING;
        context.migration()
                .misroutes()
                .misdirected(
                        this,
                        log,
                        headers.get(MisrouteCorrection.OWNER),
                        front.ctx().executor());
    }

    @Override
    public boolean correctable() {
        return requestEnded && replay != null && replay.replayable() && !retried && !trailers;
    }

    @Override
    public boolean waiting() {
        return state == State.ROUTING && permit != null;
    }

    @Override
    public void correctTo(Cell newCell, Bulkheads.Permit admitted) {
        permit.release();
        permit = admitted;
        cell = newCell;
        log.cell = newCell;
        retried = true;
        request.set(ForwardHeaders.X_CELL_ROUTER_CELL, newCell.name());
        connect(); // the replay holds the body: the request is sent as it was
    }

    @Override
    public void misrouted(RouterException error) {
        fail(error, -1);
    }

    // ----- moves -----

    @Override
    public CustomerExchanges.InFlight inFlight() {
        return state == State.DONE || cell == null || log.identity == null
                ? null
                : new CustomerExchanges.InFlight(
                        log.customer(), cell.name(), this, streamId, front.ctx().executor());
    }

    @Override
    public void routingChanged(long sequence) {
        // An HTTP/2 stream carries one exchange: nothing to do before the grace period ends.
    }

    /**
     * After the grace period: unanswered → 503 {@code customer_moved} (gRPC UNAVAILABLE); a gRPC
     * answer under way → trailers with UNAVAILABLE; another answer under way → RST_STREAM(CANCEL).
     */
    @Override
    public void endForMove(long sequence) {
        if (state == State.DONE || sequence != streamId) {
            return;
        }
        if (!responseStarted) {
            fail(new RouterException(ErrorCode.CUSTOMER_MOVED, "the customer moved to another cell; retry"), -1);
        } else if (grpc) {
            if (cellSide != null) {
                cellSide.abandon();
                cellSide = null;
            }
            ending = true;
            front.writeHeaders(
                    streamId,
                    new DefaultHttp2Headers()
                            .setInt("grpc-status", GrpcStatus.UNAVAILABLE.value())
                            .set("grpc-message", "customer moved to another cell; reconnect"),
                    true);
            if (!requestEnded) {
                front.reset(streamId, Http2Error.NO_ERROR);
            }
            front.flushNow();
            end("aborted", "the customer moved to another cell");
        } else {
            abort("the customer moved to another cell", Http2Error.CANCEL);
        }
    }

    private long now() {
        return front.ctx().executor().ticker().nanoTime();
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
