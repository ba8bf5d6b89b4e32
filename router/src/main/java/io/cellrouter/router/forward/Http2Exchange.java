package io.cellrouter.router.forward;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.GrpcStatus;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.identity.Http2RequestHead;
import io.cellrouter.router.identity.RequestTarget;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.time.Duration;

/**
 * One client stream of an {@link Http2Frontend}: routed on its own, relayed frame by frame. This
 * class is the stream's life (its state, the order of its steps, how it ends); the work of each
 * step is a class of its own.
 *
 * <pre>
 *  HEADERS ─▶ ROUTING     Http2RequestHeads (gRPC? target), Http2Route (RouteStep: identity, cell, admission)
 *          ─▶ CONNECTING  Http2CellConnect (the cell side: an HTTP/2 stream, or a converted HTTP/1.1 leg)
 *          ─▶ FORWARDING  request frames ─▶ Http2RequestRelay ─▶ cell side
 *                         answer frames  ◀─ Http2ResponseRelay ◀─ cell side   (Http2ResponseTimeout)
 *          ─▶ DONE
 *  any step may instead answer with the router's own error (Http2ResponseRelay#answer, CellErrors)
 *  or reset the stream; a cell's 421 takes the stream back to ROUTING while Http2Route has the
 *  registry decide (MisrouteCorrection), then to CONNECTING again
 * </pre>
 *
 * <p>Headers stay {@link Http2Headers}: only the routing fields are read and the forwarding
 * headers set in place. DATA frames pass on without copying. Request bytes are acknowledged to the
 * client once the cell side has taken them; answer bytes to the cell once written to the client.
 * A stream the cell never processed, or an idempotent one whose reused HTTP/1.1 connection closed
 * unanswered, is sent once more to the same cell ({@link Http2RequestRelay#resendableAfter}).
 *
 * <p>Concurrency: confined to the connection's event loop; the resolver's answer, when not
 * immediate, is handed back to it.
 */
final class Http2Exchange implements CellStreamListener, Http2Route.Exchange, Http2ResponseRelay.Exchange {

    private enum State {
        ROUTING,
        CONNECTING,
        FORWARDING,
        DONE
    }

    private final Http2Frontend front;
    private final ProxyContext context;
    private final ExchangeLog log;
    private final Http2Route route;
    private final Http2RequestRelay requestRelay;
    private final Http2ResponseRelay responseRelay;

    /** Whether a cell side was written to during the frontend's current read (see {@link Http2Frontend#touch}). */
    boolean touched;

    private State state = State.ROUTING;
    private RequestTarget target;
    private boolean grpc;
    /** An extended CONNECT for a WebSocket (RFC 8441): relayed by {@link Http2WebSocketLeg}. */
    private boolean websocket;

    private Http2CellSide cellSide;

    Http2Exchange(Http2Frontend front, int streamId) {
        this.front = front;
        this.context = front.context();
        this.log = new ExchangeLog(front.remote(), "h2");
        this.requestRelay = new Http2RequestRelay(front, streamId);
        this.route = new Http2Route(
                this, requestRelay, context, log, streamId, front.ctx().executor());
        this.responseRelay = new Http2ResponseRelay(this, front, streamId, log);
    }

    void start(Http2Headers headers, boolean endStream) {
        requestRelay.start(headers, endStream);
        grpc = Http2RequestHeads.grpc(headers);
        websocket = WebSocketHandshake.extendedConnect(headers);
        int fields = Http2RequestHeads.describe(log, headers, grpc, websocket, now()); // before a request id is added
        context.drain().exchangeStarted();
        context.recorder().metrics().requestStarted();
        try {
            target = Http2RequestHeads.target(headers, websocket, fields, context);
        } catch (RouterException e) {
            fail(e, -1);
            return;
        }
        log.path = target.path();
        route.start(new Http2RequestHead(headers, target));
    }

    @Override
    public boolean routing() {
        return state == State.ROUTING;
    }

    @Override
    public boolean done() {
        return state == State.DONE;
    }

    /** Routed and admitted ({@link Http2Route#cell}): the request is made ready for its cell and sent. */
    @Override
    public void routed() {
        String cellName = route.cell().name();
        ForwardHeaders.toCell(requestRelay.head(), front.remote(), context, cellName);
        ForwardHeaders.nameCustomer(requestRelay.head(), log.customer());
        // An RFC 8441 WebSocket handshake is not shadowed: its copy would open a session there.
        requestRelay.shadow(websocket ? null : context.migration().shadows().sample(log));
        connect(false);
    }

    /** CONNECTING: opens the cell side ({@link #connected} follows); {@code fresh}: never an idle pooled connection. */
    @Override
    public void connect(boolean fresh) {
        state = State.CONNECTING;
        Http2CellConnect.open(
                this, context, route.cell(), front.ctx().channel().eventLoop(), target, websocket, grpc, fresh);
    }

    /** The cell side is there ({@code side}), or could not be opened ({@code cause}). */
    void connected(Http2CellSide side, Throwable cause) {
        if (state != State.CONNECTING) {
            if (side != null) {
                side.finish(true);
            }
            return;
        }
        if (side == null) {
            fail(CellErrors.unreachable(route.cell(), cause), -1);
            return;
        }
        cellSide = side;
        state = State.FORWARDING;
        try {
            requestRelay.writeHead(side);
        } catch (RuntimeException e) { // a head the cell side could not take: the exchange must still end
            fail(CellErrors.headNotSent(route.cell(), e), -1);
        }
        if (cellSide != side || state != State.FORWARDING) {
            return; // the head failed as it was written: the exchange ended, or sends the request once more
        }
        log.forwarded(now(), context.recorder().metrics());
        requestRelay.writeHeld(side);
        if (front.reading()) {
            front.touch(this); // one flush per cell connection at the end of the client's read
        } else {
            side.flush();
        }
        if (!grpc) { // gRPC streams may be quiet for long; their deadline is the client's grpc-timeout
            responseRelay.awaitAnswer(!websocket);
        }
    }

    /** A request DATA frame (retained for this exchange). */
    void requestData(ByteBuf data, boolean endStream) {
        requestRelay.received(endStream);
        log.bytesIn += data.readableBytes();
        long max = context.config().limits().maxBodySize();
        if (log.bytesIn > max && !websocket) {
            data.release();
            fail(new RouterException(ErrorCode.PAYLOAD_TOO_LARGE, "request body larger than " + max + " bytes"), -1);
            return;
        }
        switch (state) {
            case ROUTING, CONNECTING -> requestRelay.hold(data);
            case FORWARDING -> {
                // What the cell side took re-arms the wait for its answer.
                responseRelay.requestMoved(requestRelay.send(cellSide, data, endStream), endStream);
                front.touch(this);
            }
            case DONE -> requestRelay.discard(data);
        }
    }

    void requestTrailers(Http2Headers trailers) {
        requestRelay.trailers();
        if (state == State.FORWARDING) {
            cellSide.writeTrailers(trailers);
            responseRelay.requestMoved(0, true); // they end the request: the answer's wait counts from them
            front.touch(this);
        } else if (state != State.DONE) {
            requestRelay.hold(trailers);
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
        responseRelay.stopWaiting();
        if (state != State.DONE && !responseRelay.ending()) {
            abort("client stream closed", null);
        }
    }

    void clientWritabilityChanged(boolean writable) {
        responseRelay.clientWritable(cellSide, writable);
    }

    // ----- the answer, frame by frame (CellStreamListener; Http2ToHttp1Leg converts into these) -----

    @Override
    public void cellHeaders(Http2Headers headers, boolean endStream) {
        if (state == State.FORWARDING) {
            responseRelay.headers(headers, endStream);
        }
    }

    @Override
    public void cellData(ByteBuf data, boolean endStream) {
        if (state == State.FORWARDING) {
            responseRelay.data(cellSide, data, endStream);
        }
    }

    @Override
    public void answerStarted() {
        requestRelay.dropReplay();
    }

    @Override
    public void cellFailed(UpstreamResetException reset) {
        if (state != State.FORWARDING) {
            return;
        }
        cellSide = null;
        if (!responseRelay.started() && requestRelay.resendableAfter(reset)) {
            // Once more on another connection to the same cell (a new one after an idle close).
            requestRelay.resending();
            responseRelay.stopWaiting();
            connect(reset.idleClosed());
            return;
        }
        if (!responseRelay.started()) {
            fail(CellErrors.closedEarly(route.cell(), reset.getMessage()), reset.grpcStatus());
        } else {
            abort("cell ended the answer early: " + reset.getMessage(), reset.clientCode());
        }
    }

    /** The cell's answer is not valid HTTP: 502 if nothing was sent yet, else the stream is reset. */
    @Override
    public void cellBadResponse(String why) {
        abandonCellSide();
        RouterException error = CellErrors.badResponse(route.cell(), why);
        if (!responseRelay.started()) {
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

    @Override
    public void cellReadComplete() {
        front.flushNow();
    }

    @Override
    public void cellWritabilityChanged(boolean writable) {
        if (writable) {
            responseRelay.requestMoved(requestRelay.cellWritable(), false);
        }
    }

    // ----- ends -----

    @Override
    public void answerComplete() {
        Http2CellSide side = cellSide;
        cellSide = null;
        if (side != null) {
            side.finish(requestRelay.ended());
        }
        // Flushed now, unless the end of the cell's read flushes it with that read's other answers.
        responseRelay.complete(!requestRelay.ended(), side == null || !side.flushesAtReadEnd());
        end(null, null);
    }

    /**
     * Answers with the router's own error, unless the answer has begun (then the stream is reset).
     * {@code grpcStatus}: the gRPC status to answer with instead of the code's own, or -1.
     */
    @Override
    public void fail(RouterException error, int grpcStatus) {
        if (state == State.DONE) {
            return;
        }
        if (responseRelay.started()) {
            abort(error.getMessage(), Http2Error.INTERNAL_ERROR);
            return;
        }
        abandonCellSide();
        // Rendered now, written after the frames already read (see Http2ResponseRelay#answer).
        responseRelay.answer(error, grpcStatus, grpc, !requestRelay.ended());
        end(error.code().code(), error.detail());
    }

    @Override
    public void abort(String why, Http2Error code) {
        if (state == State.DONE) {
            return;
        }
        abandonCellSide();
        if (code != null) {
            responseRelay.reset(code);
        }
        end("aborted", why);
    }

    private void end(String error, String detail) {
        state = State.DONE;
        responseRelay.stopWaiting();
        requestRelay.end(error == null ? log.status : -1, front.ctx().channel().eventLoop());
        route.end();
        log.end(context.recorder(), error, detail, now());
        context.recorder().metrics().requestEnded();
        context.drain().exchangeEnded();
    }

    @Override
    public void responseTimedOut() {
        if (state == State.FORWARDING && !responseRelay.started()) {
            Duration timeout = context.config().upstream().responseTimeout();
            // Whose silence it was: a request still arriving that the cell side has room for waits on the client.
            boolean clientStalled = requestRelay.clientStalled(cellSide, responseRelay.interimSent());
            fail(clientStalled ? CellErrors.requestStalled(timeout) : CellErrors.timedOut(route.cell(), timeout), -1);
        }
    }

    @Override
    public void answerStalled() {
        if (state == State.FORWARDING && responseRelay.started() && !responseRelay.ending()) {
            fail(CellErrors.stalled(route.cell(), context.config().upstream().responseBodyTimeout()), -1);
        }
    }

    /** The cell side is let go: its stream reset, or its HTTP/1.1 connection closed. */
    private void abandonCellSide() {
        Http2CellSide side = cellSide;
        cellSide = null;
        if (side != null) {
            side.abandon();
        }
    }

    // ----- sent elsewhere: misroute correction and moves (Http2Route) -----

    /** The cell answered 421: its side is let go, and the stream waits (as while routing) for the decision. */
    @Override
    public void misdirected(Http2Headers headers) {
        abandonCellSide();
        responseRelay.stopWaiting();
        state = State.ROUTING;
        route.misdirected(headers.get(MisrouteCorrection.OWNER));
    }

    /**
     * A move's grace period is over: unanswered → 503 {@code customer_moved} (gRPC UNAVAILABLE); a
     * gRPC answer under way → trailers with UNAVAILABLE; another answer under way → RST_STREAM(CANCEL).
     */
    @Override
    public void movedAway() {
        if (!responseRelay.started()) {
            fail(new RouterException(ErrorCode.CUSTOMER_MOVED, "the customer moved to another cell; retry"), -1);
        } else if (grpc) {
            abandonCellSide();
            responseRelay.endGrpc(
                    GrpcStatus.UNAVAILABLE, "customer moved to another cell; reconnect", !requestRelay.ended());
            end("aborted", "the customer moved to another cell");
        } else {
            abort("the customer moved to another cell", Http2Error.CANCEL);
        }
    }

    private long now() {
        return front.ctx().executor().ticker().nanoTime();
    }
}
