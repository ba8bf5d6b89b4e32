package io.cellrouter.router.forward;

import io.cellrouter.router.admission.Bulkheads;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.ErrorResponses;
import io.cellrouter.router.error.RequestErrors;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.identity.HttpRequestHead;
import io.cellrouter.router.identity.RequestTarget;
import io.cellrouter.router.transport.ClientAddress;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays HTTP/1.1 exchanges from one client connection to the customers' cells: the request side
 * and the exchange's life; the answer is relayed by {@link Http1ResponseRelay}.
 *
 * <pre>
 *  client ──HttpServerCodec──▶ Http1ProxyHandler ──CellLeg (pooled HTTP/1.1, or an HTTP/2 stream)──▶ cell
 *         ◀──────────────────  Http1ResponseRelay ◀────────────────────────────────────────────────
 *
 *  IDLE ─request head─▶ ROUTING ─route─▶ CONNECTING ─cell side─▶ FORWARDING ─last answer part─▶ IDLE
 *           any step may instead answer with the router's own error (ErrorResponses) ─▶ IDLE or closed
 * </pre>
 *
 * <p>Bodies are streamed part by part, never aggregated. Backpressure: the client is read only
 * while the cell side is writable (and not at all while routing, so at most one socket read waits
 * in {@link #pending}); the cell is read only while the client is writable. Parts are written in
 * {@code channelRead} and flushed in {@code channelReadComplete}.
 *
 * <p>Concurrency: one instance per client connection; everything, including the cell side, runs on
 * that connection's event loop. The only other thread is the resolver's, whose result is handed
 * back with {@code eventLoop.execute}. Time is the event loop's ticker.
 */
public final class Http1ProxyHandler extends ChannelInboundHandlerAdapter
        implements MovableExchange, RouteStep.Outcome {

    private static final Logger LOG = LoggerFactory.getLogger(Http1ProxyHandler.class);

    private enum State {
        IDLE,
        ROUTING,
        CONNECTING,
        FORWARDING,
        CLOSED
    }

    private static final String PROTOCOL_HTTP1 = "http1";

    /** Messages that may wait while routing or while a response is on its way (see updateRead). */
    private static final int MAX_PENDING = 4;

    /** The pipeline's name of the slow-loris guard, told when heads arrive. */
    public static final String HEAD_DEADLINE = "head-deadline";

    private final ProxyContext context;
    private final ArrayDeque<HttpObject> pending = new ArrayDeque<>(4);
    /** This handler's node in its loop's list of exchanges in flight (for moves). */
    private final CustomerExchanges.Link inFlightLink = new CustomerExchanges.Link(this);

    private ChannelHandlerContext ctx;
    private RequestHeadListener headDeadline;
    private ExchangeLog log;
    private Http1ResponseRelay answer;
    private State state = State.IDLE;
    private long connectedNanos;

    // The current exchange; reset by endExchange().
    private HttpRequest request;
    /** The normalised target: what identity read and what the cell receives. */
    private RequestTarget target;

    private boolean keepAlive;
    /** The client spoke HTTP/1.1 (the request is forwarded as HTTP/1.1 whatever it was). */
    private boolean clientHttp11;

    private boolean requestComplete;
    private boolean headForwarded;
    /** The exchange is a WebSocket handshake (README: WebSocket): a 101 turns it into a tunnel. */
    private boolean websocket;
    /** The cell side of the exchange: a pooled HTTP/1.1 connection or an HTTP/2 stream. */
    private CellLeg leg;
    /** The response timeout: one lazily re-armed timer per connection, not one per request. */
    private LazyDeadline responseDeadline;

    private ReplayBuffer replay;
    private boolean retried;
    /** The copy of this request for the customer's shadow, if it was sampled ({@link ShadowSender}). */
    private ShadowCapture shadow;

    private boolean inRead;
    private Bulkheads.Permit permit;
    private CustomerExchanges.Loop exchanges;
    /** Linked into {@link #exchanges} while the exchange has a cell (for moves). */
    private boolean linked;

    private long exchangeSequence;

    public Http1ProxyHandler(ProxyContext context) {
        this.context = context;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        connectedNanos = now();
        // Added before this handler (HTTP/1.1 only); looked up once, not per request.
        headDeadline = ctx.pipeline().get(HEAD_DEADLINE) instanceof RequestHeadListener l ? l : null;
        log = new ExchangeLog(ClientAddress.of(ctx.channel()), PROTOCOL_HTTP1);
        answer = new Http1ResponseRelay(this, ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inRead = true;
        try {
            if (msg instanceof HttpObject http) {
                handle(http);
            } else {
                ReferenceCountUtil.release(msg);
            }
        } finally {
            inRead = false;
        }
    }

    private void handle(HttpObject msg) {
        switch (state) {
            case IDLE -> {
                if (msg instanceof HttpRequest req) {
                    startExchange(req);
                } else {
                    // The tail of a request that was answered already (e.g. by an error); drop it.
                    ReferenceCountUtil.release(msg);
                }
            }
            case ROUTING, CONNECTING -> {
                pending.add(msg);
                updateRead();
            }
            case FORWARDING -> {
                if (!requestComplete && msg instanceof HttpContent content) {
                    forwardContent(content);
                } else {
                    pending.add(msg); // a pipelined request: served after this exchange
                    updateRead();
                }
            }
            case CLOSED -> ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Parts written to the cell during a read are flushed here, once per socket read: cheaper, and
     * if a later part of the same read turns out malformed, the exchange fails and the cell side is
     * abandoned before the cell has been sent anything.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (leg != null) {
            leg.flush();
        }
    }

    private void startExchange(HttpRequest req) {
        request = req;
        log.start(now(), req.method().name(), req.uri());
        log.requestId = RequestIds.accept(req.headers());
        log.traceId = RequestIds.traceId(req.headers().get(RequestIds.TRACEPARENT));
        log.userAgent = req.headers().get(HttpHeaderNames.USER_AGENT);
        websocket = WebSocketHandshake.requested(req);
        log.protocol = websocket ? WebSocketHandshake.PROTOCOL : PROTOCOL_HTTP1;
        keepAlive = HttpUtil.isKeepAlive(req) && !context.drain().draining() && !tooOld();
        clientHttp11 = HttpVersion.HTTP_1_1.equals(req.protocolVersion());
        answer.reset();
        if (headDeadline != null) {
            headDeadline.headReceived();
        }
        requestComplete = req instanceof LastHttpContent;
        context.drain().exchangeStarted();
        context.recorder().metrics().requestStarted();
        state = State.ROUTING;
        updateRead();

        if (req.decoderResult().isFailure()) {
            fail(RequestErrors.decoding(req.decoderResult().cause()));
            return;
        }
        try {
            target = RequestTarget.parse(req.uri());
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
        exchangeSequence++;
        if (exchanges == null) {
            exchanges = context.exchanges().loop(ctx.executor());
        }
        exchanges.link(inFlightLink);
        linked = true;
        connect();
    }

    private void connect() {
        state = State.CONNECTING;
        updateRead();
        Future<CellLeg> connect = websocket
                ? UpgradeLeg.open(context, log.cell, ctx.channel().eventLoop(), new WebSocketAnswer(this, answer))
                : context.pool().acquire(log.cell, ctx.channel().eventLoop(), false, answer);
        if (connect.isDone()) {
            connected(connect);
        } else {
            connect.addListener((FutureListener<CellLeg>) this::connected);
        }
    }

    private void connected(Future<CellLeg> future) {
        if (state != State.CONNECTING) {
            if (future.isSuccess()) {
                future.getNow().finish(true); // unused: an HTTP/1.1 connection goes back to the pool
            }
            return;
        }
        if (!future.isSuccess()) {
            Throwable cause = future.cause();
            if (cause instanceof RouterException refused) {
                fail(refused); // e.g. too many connections being opened to the cell
                return;
            }
            String why = cause instanceof ConnectTimeoutException ? "connect timed out" : cause.getMessage();
            fail(new RouterException(ErrorCode.CELL_UNREACHABLE, "cell " + log.cell.name() + " is unreachable")
                    .withDetail(why));
            return;
        }
        leg = future.getNow();
        leg.readAnswer(ctx.channel().isWritable());
        state = State.FORWARDING;
        if (replay != null) {
            replay.replayTo(leg); // a retry: the first stream was refused by the cell
        } else {
            ForwardHeaders.toCell(request.headers(), log.client, context.scheme(), log.cell.name());
            if (websocket) {
                WebSocketHandshake.toCell(request.headers()); // its Upgrade, which toCell removed
            }
            request.setUri(target.originForm());
            // The cell connection stays keep-alive even when the client's does not (Connection was
            // removed as a hop-by-hop header), so the pooled connection can serve the next one.
            request.setProtocolVersion(HttpVersion.HTTP_1_1);
            headForwarded = true;
            if (!retried && !(request instanceof HttpContent)) {
                replay = new ReplayBuffer(request); // a refused HTTP/2 stream, or a misroute (421)
            }
            shadow = context.migration().shadows().sample(log);
            if (shadow != null) {
                shadow.head(request);
            }
            leg.write(request);
            log.forwarded(now());
        }
        armResponseTimeout();
        while (state == State.FORWARDING
                && !requestComplete
                && pending.peek() instanceof HttpContent content
                && !(content instanceof HttpRequest)) {
            pending.poll();
            forwardContent(content);
        }
        if (leg != null && !inRead) {
            leg.flush();
        }
        updateRead();
    }

    private void forwardContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            content.release();
            fail(RequestErrors.decoding(content.decoderResult().cause()));
            return;
        }
        log.bytesIn += content.content().readableBytes();
        if (log.bytesIn > context.config().limits().maxBodySize()) {
            content.release();
            fail(new RouterException(
                    ErrorCode.PAYLOAD_TOO_LARGE,
                    "request body larger than " + context.config().limits().maxBodySize() + " bytes"));
            return;
        }
        if (content instanceof LastHttpContent) {
            requestComplete = true;
        }
        if (replay != null) {
            replay.add(content);
        }
        if (shadow != null) {
            shadow.add(content);
        }
        leg.write(content);
        if (requestComplete || !leg.isWritable()) {
            updateRead();
        }
    }

    private void armResponseTimeout() {
        if (responseDeadline == null) {
            responseDeadline = new LazyDeadline(ctx.executor(), this::responseTimedOut);
        }
        responseDeadline.arm(context.config().upstream().responseTimeout().toNanos());
    }

    private void responseTimedOut() {
        if (state == State.FORWARDING && !answer.started()) {
            fail(new RouterException(
                    ErrorCode.CELL_TIMEOUT,
                    "cell " + log.cell.name() + " did not answer within "
                            + context.config().upstream().responseTimeout().toMillis() + " ms"));
        }
    }

    // ----- called by the response side (Http1ResponseRelay) -----

    ExchangeLog log() {
        return log;
    }

    boolean keepAlive() {
        return keepAlive;
    }

    boolean clientHttp11() {
        return clientHttp11;
    }

    /** The answer needs the connection to end with it (an unframed answer to an HTTP/1.0 client). */
    void closeAfterAnswer() {
        keepAlive = false;
    }

    void answerStarted(int status) {
        cancelResponseTimeout();
        dropReplay();
        log.status = status;
    }

    void pauseAnswer() {
        if (leg != null) {
            leg.readAnswer(false);
        }
    }

    void answerComplete() {
        if (!requestComplete) {
            // The cell answered before the whole request body arrived: the rest of the body is
            // still on the client connection, so neither connection can be reused.
            keepAlive = false;
        }
        endExchange(null, null);
    }

    /**
     * The cell accepted the WebSocket handshake with its 101 (checked by the connection's
     * validator): the connection leaves HTTP and becomes a byte tunnel ({@link WebSocketTunnel}),
     * which takes the exchange's log, permit and cell connection, and replaces this handler.
     */
    void upgraded(HttpResponse switching) {
        if (!pending.isEmpty()) {
            abort("the client sent more than its handshake before the cell's 101");
            return;
        }
        cancelResponseTimeout();
        if (responseDeadline != null) {
            responseDeadline.stop();
        }
        if (linked) {
            exchanges.unlink(inFlightLink);
            linked = false;
        }
        Bulkheads.Permit held = permit;
        permit = null;
        CellLeg tunnelLeg = leg;
        leg = null;
        state = State.CLOSED;
        WebSocketTunnel.open(ctx, context, log, held, tunnelLeg, switching);
    }

    void cellWritabilityChanged() {
        updateRead();
    }

    /** The cell's answer is not valid HTTP: 502 if nothing was sent yet, else the connection closes. */
    void cellFailed(RouterException error) {
        CellLeg doomed = leg;
        leg = null;
        if (doomed != null) {
            doomed.abandon();
        }
        if (!answer.started()) {
            fail(error);
        } else {
            abort(error.code().code() + ": " + error.detail());
        }
    }

    /** The cell side closed: before the answer (maybe refused: sent once more), or cutting it short. */
    void cellClosed(Throwable cause) {
        if (state != State.FORWARDING) {
            return;
        }
        leg = null;
        UpstreamResetException reset = cause instanceof UpstreamResetException r ? r : null;
        boolean refused = reset != null && reset.refused();
        if (!answer.started() && refused && replay != null && replay.replayable() && !retried) {
            // The cell never saw this stream: send it once more on another connection to the
            // same cell (never another cell), after the GOAWAY has been handled by the pool.
            retried = true;
            cancelResponseTimeout();
            state = State.CONNECTING;
            ctx.executor().execute(() -> {
                if (state == State.CONNECTING) {
                    connect();
                }
            });
            return;
        }
        String why = cause == null ? "closed" : cause.getMessage();
        if (!answer.started()) {
            fail(new RouterException(
                            ErrorCode.CELL_UNREACHABLE,
                            "cell " + log.cell.name() + " closed the connection before responding")
                    .withDetail(why));
        } else {
            abort("cell ended the response early: " + why);
        }
    }

    /**
     * The cell answered 421: the customer is not its own ({@link MisrouteCorrection}). The answer
     * goes no further and the cell side is let go; the exchange waits (as while routing) for the
     * correction's decision. False: not handled here, relay it as any other answer.
     */
    boolean misdirected(io.netty.handler.codec.http.HttpResponse response) {
        if (state != State.FORWARDING) {
            return false;
        }
        CellLeg doomed = leg;
        leg = null;
        if (doomed != null) {
            doomed.abandon();
        }
        cancelResponseTimeout();
        state = State.ROUTING;
        context.migration()
                .misroutes()
                .misdirected(
                        new Correction(exchangeSequence),
                        log,
                        response.headers().get(MisrouteCorrection.OWNER),
                        ctx.executor());
        return true;
    }

    /** This exchange's side of a misroute correction; stale once the exchange has ended. */
    private final class Correction implements MisrouteCorrection.Exchange {
        private final long sequence;

        Correction(long sequence) {
            this.sequence = sequence;
        }

        @Override
        public boolean correctable() {
            return requestComplete && replay != null && replay.replayable() && !retried;
        }

        @Override
        public boolean waiting() {
            return sequence == exchangeSequence && linked && state == State.ROUTING;
        }

        @Override
        public void correctTo(io.cellrouter.registry.model.Cell cell, Bulkheads.Permit admitted) {
            permit.release();
            permit = admitted;
            log.cell = cell;
            retried = true;
            request.headers().set(ForwardHeaders.X_CELL_ROUTER_CELL, cell.name());
            ForwardHeaders.removeConversionHeaders(request.headers());
            connect(); // the replay buffer holds the request: it is sent as it was
        }

        @Override
        public void misrouted(RouterException error) {
            fail(error);
        }
    }

    // ----- ends -----

    /** Answers with the router's own error, unless the answer has begun (then closes). */
    private void fail(RouterException error) {
        if (state == State.CLOSED) {
            return;
        }
        if (answer.started()) {
            abort(error.getMessage());
            return;
        }
        cancelResponseTimeout();
        if (leg != null) {
            // A half-written request or an unanswered one: the cell side cannot be reused.
            leg.abandon();
            leg = null;
        }
        if (!headForwarded) {
            ReferenceCountUtil.release(request);
        }
        // Parts of this request that were read already are not forwarded anywhere.
        while (!requestComplete && pending.peek() instanceof HttpContent content && !(content instanceof HttpRequest)) {
            pending.poll();
            requestComplete = content instanceof LastHttpContent;
            content.release();
        }
        // A request without a body is complete at its head: its empty last part, still in the
        // decoder, is dropped when it arrives (IDLE ignores content), so the connection stays usable.
        boolean close = !(requestComplete || bodyless(request))
                || !keepAlive
                || error.code().closesConnection();
        if (close) {
            keepAlive = false;
        }
        log.status = error.code().status().code();
        FullHttpResponse response = ErrorResponses.http1(ctx.alloc(), error, close);
        response.headers().set(RequestIds.X_REQUEST_ID, log.requestId);
        log.bytesOut = response.content().readableBytes();
        ctx.writeAndFlush(response);
        endExchange(error.code().code(), error.detail());
    }

    /**
     * Ends the exchange without an answer: the answer is cut short and must never look complete,
     * so the client sees its connection close.
     */
    private void abort(String why) {
        LOG.debug("{} aborting exchange: {}", ctx.channel(), why);
        if (leg != null) {
            leg.abandon();
            leg = null;
        }
        keepAlive = false;
        endExchange("aborted", why);
    }

    private void endExchange(String error, String detail) {
        if (shadow != null) {
            shadow.end(
                    error == null && requestComplete ? log.status : -1,
                    ctx.channel().eventLoop());
            shadow = null;
        }
        if (linked) {
            exchanges.unlink(inFlightLink);
            linked = false;
        }
        cancelResponseTimeout();
        if (permit != null) {
            permit.release();
            permit = null;
        }
        dropReplay();
        retried = false;
        log.end(context.recorder(), error, detail, now());
        context.recorder().metrics().requestEnded();
        context.drain().exchangeEnded();
        if (leg != null) {
            CellLeg done = leg;
            leg = null;
            done.finish(answer.reusable() && requestComplete);
        }
        request = null;
        target = null;
        headForwarded = false;
        if (!keepAlive) {
            state = State.CLOSED;
            releasePending();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        state = State.IDLE;
        if (headDeadline != null) {
            headDeadline.awaitNextHead();
        }
        while (state == State.IDLE && !pending.isEmpty()) {
            handle(pending.poll());
        }
        updateRead();
    }

    private void dropReplay() {
        if (replay != null) {
            replay.release();
            replay = null;
        }
    }

    // ----- moves -----

    /** The exchange in flight, as a move sees it; null when there is none with a cell. */
    @Override
    public CustomerExchanges.InFlight inFlight() {
        return linked
                ? new CustomerExchanges.InFlight(
                        log.customer(), log.cell.name(), this, exchangeSequence, ctx.executor())
                : null;
    }

    /**
     * The customer of exchange {@code sequence} now routes elsewhere ({@link MovedCustomerCloser}):
     * the connection ends after the current answer instead of carrying the next request.
     */
    @Override
    public void routingChanged(long sequence) {
        if (sequence == exchangeSequence && linked) {
            keepAlive = false;
        }
    }

    /**
     * The grace period after the customer's move is over and exchange {@code sequence} still runs
     * on the old cell: end it so that the client reconnects and reaches the new one. Unanswered: the
     * router's own 503 {@code customer_moved}; under way: the connection closes.
     */
    @Override
    public void endForMove(long sequence) {
        if (sequence != exchangeSequence || !linked || state == State.IDLE || state == State.CLOSED) {
            return;
        }
        keepAlive = false;
        if (!answer.started()) {
            fail(new RouterException(ErrorCode.CUSTOMER_MOVED, "the customer moved to another cell; retry"));
            return;
        }
        abort("the customer moved to another cell");
    }

    // ----- the connection -----

    /**
     * Reads from the client while there is somewhere for the data to go. Turning reads off and on
     * costs a system call each (epoll_ctl), so the common exchange (head and body in one read,
     * route from the cache, no pipelining) never toggles: while routing or waiting for the
     * response, a few messages may wait in {@link #pending}; only a body arriving while routing is
     * slow, or a client that pipelines, fills it and turns reading off.
     */
    private void updateRead() {
        boolean read =
                switch (state) {
                    case IDLE -> true;
                    case ROUTING, CONNECTING -> pending.size() < MAX_PENDING;
                    case FORWARDING ->
                        requestComplete
                                ? pending.size() < MAX_PENDING
                                : leg != null && leg.isWritable() && pending.isEmpty();
                    case CLOSED -> false;
                };
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (leg != null) {
            leg.readAnswer(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.ALL_IDLE && state == State.IDLE) {
                ctx.close();
            } else if (idle.state() == IdleState.READER_IDLE
                    && state == State.FORWARDING
                    && !requestComplete
                    && ctx.channel().config().isAutoRead()) {
                // The client stopped sending its body although the router was reading it.
                fail(new RouterException(ErrorCode.REQUEST_TIMEOUT, "request body stopped arriving"));
            }
        } else if (evt == DrainState.DRAIN_EVENT) {
            if (state == State.IDLE) {
                ctx.close();
            } else {
                keepAlive = false;
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state != State.IDLE && state != State.CLOSED) {
            abort("client closed the connection");
        }
        state = State.CLOSED;
        if (responseDeadline != null) {
            responseDeadline.stop();
        }
        releasePending();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && !answer.started() && state != State.CLOSED) {
            // The decoder gave up on the bytes (e.g. an unparseable Content-Length): framing is in
            // doubt, so answer 400 and close; nothing of this request was flushed to a cell.
            LOG.debug("{} undecodable request", ctx.channel(), cause);
            RouterException error = RequestErrors.decoding(cause.getCause() == null ? cause : cause.getCause());
            if (state == State.IDLE) {
                state = State.CLOSED;
                context.recorder().rejected(PROTOCOL_HTTP1, error.code().code());
                ctx.writeAndFlush(ErrorResponses.http1(ctx.alloc(), error, true))
                        .addListener(ChannelFutureListener.CLOSE);
            } else {
                keepAlive = false;
                fail(error);
            }
            return;
        }
        LOG.debug("{} connection failed", ctx.channel(), cause);
        ctx.close();
    }

    private void releasePending() {
        HttpObject msg;
        while ((msg = pending.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    /** No response is awaited any more; the timer, if any, stays for the next exchange. */
    private void cancelResponseTimeout() {
        if (responseDeadline != null) {
            responseDeadline.disarm();
        }
    }

    private boolean tooOld() {
        long maxAge = context.config().limits().maxConnectionAge().toNanos();
        return maxAge > 0 && now() - connectedNanos > maxAge;
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    private static boolean bodyless(HttpRequest request) {
        if (request.decoderResult().isFailure() || request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            return false;
        }
        String length = request.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        return length == null || "0".equals(length.trim());
    }
}
