package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.admission.Bulkheads;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RequestErrors;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.identity.HttpRequestHead;
import io.cellrouter.router.identity.RequestTarget;
import io.cellrouter.router.transport.ClientAddress;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exchange under way on an HTTP/1.1 client connection ({@link Http1ProxyHandler}), reused
 * exchange after exchange: its state, its start, and every way it ends. What it holds (the log,
 * the bulkhead permit, the move link, the cell side, the kept request) is released at its end.
 *
 * <pre>
 *  IDLE ─request head─▶ ROUTING ─route─▶ CONNECTING ─cell side─▶ FORWARDING ─last answer part─▶ IDLE
 *           any step may instead answer with the router's own error (Http1ErrorAnswer) ─▶ IDLE or closed
 *
 *  ROUTING                 RouteStep: identity, route, bulkheads
 *  CONNECTING, FORWARDING  Http1ForwardStep: the cell side, the request to it, its answer to the client
 *                          (a 421 goes back to ROUTING, a refused HTTP/2 stream back to CONNECTING)
 *  the end                 the cell's whole answer │ the router's own error (fail) │ cut short (abort)
 *                          ─▶ IDLE if the connection is kept alive (Http1KeepAlive), else CLOSED
 * </pre>
 *
 * <p>Bodies are streamed part by part, never aggregated. Concurrency: one per client connection;
 * everything, including the cell side, runs on that connection's event loop. The only other
 * thread is the resolver's, whose result is handed back with {@code eventLoop.execute}. Time is
 * the event loop's ticker.
 */
final class Http1Exchange implements RouteStep.Outcome, Http1MisrouteCorrection.Exchange, Http1MoveTracker.Exchange {

    private static final Logger LOG = LoggerFactory.getLogger(Http1Exchange.class);

    enum State {
        IDLE,
        ROUTING,
        CONNECTING,
        FORWARDING,
        CLOSED
    }

    static final String PROTOCOL_HTTP1 = "http1";
    /** The error of an exchange ended without an answer ({@link #abort}). */
    private static final String ABORTED = "aborted";

    private final Http1ProxyHandler connection;
    private final ProxyContext context;
    private final ChannelHandlerContext ctx;
    private final Http1ReadGate reads;
    private final Http1KeepAlive keepAlive;

    private final ExchangeLog log;
    private final Http1RequestRelay request;
    private final Http1MoveTracker moves;
    private final Http1ForwardStep forward;

    private State state = State.IDLE;
    private Bulkheads.Permit permit;
    /** When the last exchange ended, the client could still be sending on the connection. */
    private boolean clientMaySend;
    /** The last exchange ended in the middle of its answer. */
    private boolean cutShort;
    /** A request has begun on this connection. */
    private boolean begunAny;

    Http1Exchange(
            Http1ProxyHandler connection,
            ProxyContext context,
            ChannelHandlerContext ctx,
            Http1ReadGate reads,
            Http1KeepAlive keepAlive,
            Http1CellConnector.Source cells) {
        this.connection = connection;
        this.context = context;
        this.ctx = ctx;
        this.reads = reads;
        this.keepAlive = keepAlive;
        this.log = new ExchangeLog(ClientAddress.of(ctx.channel()), PROTOCOL_HTTP1);
        this.request = new Http1RequestRelay(context, log, ctx.channel().eventLoop());
        this.moves = new Http1MoveTracker(this, log, keepAlive, context.exchanges(), ctx.executor());
        this.forward = new Http1ForwardStep(this, context, ctx, reads, keepAlive, request, moves, cells);
    }

    State state() {
        return state;
    }

    /** A step moves the exchange on ({@link Http1ForwardStep}). */
    void enter(State next) {
        state = next;
    }

    ExchangeLog log() {
        return log;
    }

    Http1ForwardStep forward() {
        return forward;
    }

    /** Whether the client connection is being read now (then what is written to the cell is flushed at its end). */
    boolean inRead() {
        return connection.inRead();
    }

    void updateRead() {
        reads.update(state, request.complete(), forward.leg());
    }

    // ----- the start: from the request's head to its route -----

    /** A request's head arrived while no exchange ran. */
    void start(HttpRequest req) {
        log.start(now(), req.method().name(), req.uri());
        log.requestId = RequestIds.accept(req.headers());
        log.traceId = RequestIds.traceId(req.headers().get(RequestIds.TRACEPARENT));
        log.userAgent = req.headers().get(HttpHeaderNames.USER_AGENT);
        boolean websocket = WebSocketHandshake.requested(req);
        log.protocol = websocket ? WebSocketHandshake.PROTOCOL : PROTOCOL_HTTP1;
        cutShort = false;
        keepAlive.begin(req);
        request.begin(req);
        forward.begin(websocket);
        context.drain().exchangeStarted();
        if (!begunAny) {
            begunAny = true;
            DrainState.firstRequestBegan(ctx.channel());
        }
        context.recorder().metrics().requestStarted();
        state = State.ROUTING;
        updateRead();

        if (req.decoderResult().isFailure()) {
            fail(RequestErrors.decoding(req.decoderResult().cause()));
            return;
        }
        RequestTarget target;
        try {
            target = request.parseTarget();
        } catch (RouterException e) {
            fail(e);
            return;
        }
        log.path = target.path();
        RouteStep.start(context, new HttpRequestHead(req, target), log, ctx.executor(), this);
    }

    @Override
    public boolean routing() {
        return state == State.ROUTING;
    }

    @Override
    public void refused(RouterException error) {
        fail(error);
    }

    @Override
    public void routed(Bulkheads.Permit admitted) {
        permit = admitted;
        moves.track();
        forward.connect();
    }

    @Override
    public boolean correctable() {
        return request.correctable();
    }

    @Override
    public Bulkheads.Permit permit() {
        return permit;
    }

    @Override
    public void correctTo(Cell corrected, Bulkheads.Permit admitted) {
        permit.release();
        permit = admitted;
        log.cell = corrected;
        forward.resend(corrected);
    }

    /** The exchange leaves HTTP (a WebSocket tunnel): its permit goes with it. */
    Bulkheads.Permit handOverPermit() {
        Bulkheads.Permit held = permit;
        permit = null;
        return held;
    }

    // ----- ends -----

    /** Answers with the router's own error, unless the answer has begun (then closes). */
    @Override
    public void fail(RouterException error) {
        if (state == State.CLOSED) {
            return;
        }
        if (forward.answerStarted()) {
            abort(error.getMessage());
            return;
        }
        forward.abandon();
        request.dropUnsent(reads);
        boolean close = Http1ErrorAnswer.closes(error, request.bodyToCome(), keepAlive.keeps());
        if (close) {
            keepAlive.closeAfterAnswer();
        }
        Http1ErrorAnswer.send(ctx, error, close, log);
        end(error.code().code(), error.detail());
    }

    /**
     * Ends the exchange without an answer: the answer is cut short and must never look complete,
     * so the client sees its connection close.
     */
    void abort(String why) {
        LOG.debug("{} aborting exchange: {}", ctx.channel(), why);
        cutShort = forward.answerStarted();
        forward.abandon();
        keepAlive.closeAfterAnswer();
        end(ABORTED, why);
    }

    /** The cell's whole answer has been relayed. */
    void answered() {
        end(null, null);
    }

    /**
     * The customer's move is over its grace period and this exchange still runs on the old cell:
     * unanswered, the router's own 503 {@code customer_moved}; under way, the connection closes.
     */
    @Override
    public void endForMove() {
        if (state == State.IDLE || state == State.CLOSED) {
            return;
        }
        keepAlive.closeAfterAnswer();
        if (!forward.answerStarted()) {
            fail(new RouterException(ErrorCode.CUSTOMER_MOVED, "the customer moved to another cell; retry"));
            return;
        }
        abort("the customer moved to another cell");
    }

    /** The client connection closed: the exchange under way, if any, is cut short. */
    void clientClosed() {
        if (state != State.IDLE && state != State.CLOSED) {
            abort("client closed the connection");
        }
        state = State.CLOSED;
        forward.stop();
    }

    /**
     * When the last exchange ended, the client could still be sending: its request's last part had
     * not arrived, or it had asked to keep the connection. False after an answer cut short.
     */
    boolean clientMaySend() {
        return clientMaySend;
    }

    /** The last exchange ended in the middle of its answer: what the client has must not look whole. */
    boolean cutShort() {
        return cutShort;
    }

    /** {@code error} null: the cell answered; else the router's error code, or "aborted". */
    private void end(String error, String detail) {
        // The rest of this request, or the next ones of a client that asked to keep the connection,
        // may be on their way; an answer cut short is not worth keeping the connection for.
        clientMaySend = !ABORTED.equals(error) && (request.bodyToCome() || keepAlive.clientAsked());
        request.end(error == null);
        moves.untrack();
        if (permit != null) {
            permit.release();
            permit = null;
        }
        log.end(context.recorder(), error, detail, now());
        context.recorder().metrics().requestEnded();
        try {
            forward.finish(request.complete());
            state = keepAlive.keeps() ? State.IDLE : State.CLOSED;
            connection.exchangeEnded();
        } finally {
            // Only now: a drain that sees no exchange in flight must see the connection closing
            // (LingeringClose.isClosing) or idle, not in between.
            context.drain().exchangeEnded();
        }
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }
}
