package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.admission.Bulkheads;
import io.cellrouter.router.error.RouterException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * The forwarding step of an HTTP/1.1 client's exchange, after {@link RouteStep}: from the routed
 * request to the end of the cell's answer ({@link Http1Exchange} holds the state; this step moves
 * it through CONNECTING and FORWARDING).
 *
 * <pre>
 *  routed ─▶ CONNECTING: the cell side (Http1CellConnector)
 *         ─▶ FORWARDING: the head, then the body part by part, to the cell (Http1RequestRelay);
 *                        the response timeout runs (Http1ResponseTimeout) until the answer's head,
 *                        counted again at each part of the body the cell takes; then the body
 *                        timeout while neither the answer nor the rest of the request moves
 *                        with the client ready;
 *                        the answer goes to the client (Http1ResponseRelay) ─▶ the exchange ends
 *  what the cell side does meanwhile:
 *    421 ─▶ the cell side is let go: ROUTING again until the misroute correction decides (Http1MisrouteCorrection)
 *    101 to a WebSocket handshake ─▶ the connection leaves HTTP (WebSocketTunnel)
 *    an invalid answer ─▶ 502 bad_cell_response, or cut short once the answer has begun
 *    closed before the answer ─▶ a refused HTTP/2 stream, or an idempotent request whose reused
 *                                connection closed without a byte (ReusedConnectionClosed): CONNECTING
 *                                again, to the same cell, once (a new connection for the latter);
 *                                otherwise 502 cell_unreachable
 *    closed during the answer ─▶ cut short
 * </pre>
 *
 * <p>Backpressure: the cell's answer is read only while the client is writable; the client is read
 * only while the cell side takes more ({@link Http1ReadGate}).
 *
 * <p>Concurrency: one per client connection, reused exchange after exchange, confined to its event
 * loop.
 */
final class Http1ForwardStep implements Http1CellConnector.Exchange, Http1ResponseTimeout.Exchange {

    private final Http1Exchange exchange;
    private final ProxyContext context;
    private final ChannelHandlerContext ctx;
    private final ExchangeLog log;
    private final Http1ReadGate reads;
    private final Http1KeepAlive keepAlive;
    private final Http1RequestRelay request;
    private final Http1MoveTracker moves;

    private final Http1ResponseRelay answer;
    private final Http1CellConnector cell;
    private final Http1ResponseTimeout responseTimeout;

    /** The exchange is a WebSocket handshake (README: WebSocket): a 101 turns it into a tunnel. */
    private boolean websocket;

    Http1ForwardStep(
            Http1Exchange exchange,
            ProxyContext context,
            ChannelHandlerContext ctx,
            Http1ReadGate reads,
            Http1KeepAlive keepAlive,
            Http1RequestRelay request,
            Http1MoveTracker moves,
            Http1CellConnector.Source cells) {
        this.exchange = exchange;
        this.context = context;
        this.ctx = ctx;
        this.log = exchange.log();
        this.reads = reads;
        this.keepAlive = keepAlive;
        this.request = request;
        this.moves = moves;
        this.answer = new Http1ResponseRelay(this, ctx, log, keepAlive);
        this.cell = new Http1CellConnector(this, cells, ctx.channel().eventLoop());
        this.responseTimeout = new Http1ResponseTimeout(
                this,
                ctx.executor(),
                context.config().upstream().responseTimeout(),
                context.config().upstream().responseBodyTimeout());
    }

    /** A new exchange: nothing of the cell's answer yet; {@code handshake}: a WebSocket handshake. */
    void begin(boolean handshake) {
        websocket = handshake;
        answer.reset();
    }

    // ----- the request, to the cell -----

    /** Gets the exchange a cell side on {@code log.cell}. */
    void connect() {
        exchange.enter(Http1Exchange.State.CONNECTING);
        exchange.updateRead();
        cell.connect(log.cell, websocket ? new WebSocketAnswer(this, answer) : answer, websocket);
    }

    /** Gets the exchange a cell side on {@code log.cell} over a new connection (not a WebSocket handshake). */
    private void connectNew() {
        exchange.enter(Http1Exchange.State.CONNECTING);
        exchange.updateRead();
        cell.connectNew(log.cell, answer);
    }

    @Override
    public boolean connecting() {
        return exchange.state() == Http1Exchange.State.CONNECTING;
    }

    @Override
    public void connected(CellLeg leg) {
        leg.readAnswer(ctx.channel().isWritable());
        exchange.enter(Http1Exchange.State.FORWARDING);
        request.send(leg, websocket);
        responseTimeout.arm(log.cell);
        HttpContent part;
        while (awaitingBody() && (part = reads.nextBodyPart()) != null) {
            forwardContent(part);
        }
        if (!exchange.inRead()) {
            cell.flush();
        }
        exchange.updateRead();
    }

    @Override
    public void fail(RouterException error) {
        exchange.fail(error);
    }

    /** The request's body is being relayed to the cell and is not complete yet. */
    boolean awaitingBody() {
        return exchange.state() == Http1Exchange.State.FORWARDING && !request.complete();
    }

    /** A part of the request's body, while {@link #awaitingBody}. */
    void forwardContent(HttpContent content) {
        RouterException refused = request.relay(cell.leg(), content);
        if (refused != null) {
            exchange.fail(refused);
            return;
        }
        responseTimeout.requestTaken(); // the cell takes the rest of the request: the exchange is not quiet
        if (request.complete() || !cell.leg().isWritable()) {
            exchange.updateRead();
        }
    }

    /** The end of a socket read from the client: what was written to the cell is sent. */
    void flush() {
        cell.flush();
    }

    /** The cell side in hand, or null. */
    CellLeg leg() {
        return cell.leg();
    }

    // ----- the answer (Http1ResponseRelay, WebSocketAnswer) -----

    @Override
    public boolean awaitingAnswer() {
        return exchange.state() == Http1Exchange.State.FORWARDING && !answer.started();
    }

    /** The router reads the rest of the body, and the client is not waiting for the cell's 100 Continue. */
    @Override
    public boolean awaitingClient() {
        return awaitingBody()
                && ctx.channel().config().isAutoRead()
                && (answer.interimSent() || !request.expectsContinue());
    }

    /** The head of the cell's final answer has been relayed (from then on, errors cut the answer short). */
    boolean answerStarted() {
        return answer.started();
    }

    void answerStarted(int status) {
        if (!request.complete()) {
            // The cell answers before the whole body arrived: the rest is still on the client's
            // connection, which cannot carry another request (answerComplete). Said in the answer
            // itself, so that the client sends no request the close would lose.
            keepAlive.closeAfterAnswer();
        }
        long now = ctx.executor().ticker().nanoTime();
        responseTimeout.answerBegan(now, ctx.channel().isWritable());
        request.answered();
        log.status = status;
        log.answerHead(now);
    }

    /** The end of a read of the cell's answer: the exchange is not quiet. */
    void answerRead() {
        responseTimeout.progress();
    }

    void pauseAnswer() {
        cell.readAnswer(false);
        responseTimeout.clientReady(false);
    }

    void clientWritabilityChanged(boolean writable) {
        cell.readAnswer(writable);
        responseTimeout.clientReady(writable);
    }

    void cellWritabilityChanged() {
        CellLeg leg = cell.leg();
        if (leg != null && leg.isWritable()) {
            responseTimeout.requestTaken(); // the cell took what waited for it
        }
        exchange.updateRead();
    }

    void answerComplete() {
        if (!request.complete()) {
            // The cell answered before the whole request body arrived: the rest of the body is
            // still on the client connection, so neither connection can be reused.
            keepAlive.closeAfterAnswer();
        }
        exchange.answered();
    }

    /**
     * The cell accepted the WebSocket handshake with its 101 (checked by the connection's
     * validator): the connection leaves HTTP and becomes a byte tunnel ({@link WebSocketTunnel}),
     * which takes the exchange's log, permit and cell connection, and replaces the proxy handler.
     */
    void upgraded(HttpResponse switching) {
        if (!reads.isEmpty()) {
            exchange.abort("the client sent more than its handshake before the cell's 101");
            return;
        }
        responseTimeout.stop();
        moves.untrack(); // first: should opening the tunnel fail, nothing stays linked
        Bulkheads.Permit held = exchange.handOverPermit();
        CellLeg tunnelLeg = cell.take();
        exchange.enter(Http1Exchange.State.CLOSED);
        // A move seen while the handshake waited for its 101 ends the tunnel after its grace period.
        moves.handOver(WebSocketTunnel.open(ctx, context, log, held, tunnelLeg, switching));
    }

    /** The cell's answer is not valid HTTP: 502 if nothing was sent yet, else the connection closes. */
    void cellFailed(RouterException error) {
        cell.abandon();
        if (!answer.started()) {
            exchange.fail(error);
        } else {
            exchange.abort(error.code().code() + ": " + error.detail());
        }
    }

    /**
     * The cell side closed: before the answer (sent once more when the cell never saw it, or when
     * it is idempotent and its reused connection closed unanswered), or cutting it short.
     */
    void cellClosed(Throwable cause) {
        if (exchange.state() != Http1Exchange.State.FORWARDING) {
            return;
        }
        cell.lost();
        boolean refused = cause instanceof UpstreamResetException reset && reset.refused();
        // Most likely closed as idle while the request was on its way; the cell may have taken it
        // though, so only a request that may be sent twice is sent again, on a new connection.
        boolean idleClosed = !websocket && cause instanceof ReusedConnectionClosed && request.idempotent();
        if (!answer.started() && (refused || idleClosed) && request.replayable()) {
            // Never to another cell; a refused stream after the GOAWAY has been handled by the pool.
            request.retrying();
            responseTimeout.cancel();
            exchange.enter(Http1Exchange.State.CONNECTING);
            ctx.executor().execute(() -> {
                if (!connecting()) {
                    return;
                }
                if (idleClosed) {
                    connectNew();
                } else {
                    connect();
                }
            });
            return;
        }
        String why = cause == null ? "closed" : cause.getMessage();
        if (!answer.started()) {
            exchange.fail(Http1CellConnector.closedBeforeAnswer(log.cell, why));
        } else {
            exchange.abort("cell ended the response early: " + why);
        }
    }

    /**
     * The cell answered 421: the customer is not its own ({@link MisrouteCorrection}). The answer
     * goes no further and the cell side is let go; the exchange waits (as while routing) for the
     * correction's decision. False: not handled here, relay it as any other answer.
     */
    boolean misdirected(HttpResponse response) {
        if (exchange.state() != Http1Exchange.State.FORWARDING) {
            return false;
        }
        cell.abandon();
        responseTimeout.cancel();
        exchange.enter(Http1Exchange.State.ROUTING);
        context.migration()
                .misroutes()
                .misdirected(
                        new Http1MisrouteCorrection(exchange, moves),
                        log,
                        response.headers().get(MisrouteCorrection.OWNER),
                        ctx.executor());
        return true;
    }

    /** The misroute correction chose {@code corrected}: the request goes there, as it was. */
    void resend(Cell corrected) {
        request.redirect(corrected);
        connect(); // the replay buffer holds the request: it is sent as it was
    }

    // ----- ends (Http1Exchange) -----

    /** The cell side cannot be reused (a half-written request or an unanswered one): it is let go. */
    void abandon() {
        responseTimeout.cancel();
        cell.abandon();
    }

    /** The exchange ended: a complete, reusable HTTP/1.1 connection goes back to the pool. */
    void finish(boolean requestComplete) {
        responseTimeout.cancel();
        cell.finish(answer.reusable() && requestComplete);
    }

    /** The client connection is gone: no timer either. */
    void stop() {
        responseTimeout.stop();
    }
}
