package io.cellrouter.router.forward;

import io.cellrouter.registry.cache.Resolution;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.admission.Bulkheads;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.ErrorResponses;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.identity.HttpRequestHead;
import io.cellrouter.router.identity.Identity;
import io.cellrouter.router.identity.RequestTarget;
import io.cellrouter.router.routing.RequestRouter;
import io.cellrouter.router.routing.Route;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays HTTP/1.1 exchanges from one client connection to the customers' cells.
 *
 * <pre>
 *  client ──HttpServerCodec──▶ Http1ProxyHandler ──(pooled, same event loop)──▶ HttpClientCodec ──▶ cell
 *         ◀──────────────────  (UpstreamListener)  ◀── UpstreamRelayHandler ◀───────────────────
 *
 *  IDLE ─request head─▶ ROUTING ─route─▶ CONNECTING ─upstream─▶ FORWARDING ─last response part─▶ IDLE
 *           any step may instead answer with the router's own error (ErrorResponses) ─▶ IDLE or closed
 * </pre>
 *
 * <p>Bodies are streamed part by part, never aggregated. Backpressure: the client is read only
 * while the upstream channel is writable (and not at all while routing, so at most one socket
 * read waits in {@link #pending}); the cell is read only while the client is writable. Parts are
 * written in {@code channelRead} and flushed in {@code channelReadComplete}.
 *
 * <p>Concurrency: one instance per client connection; everything, including the upstream channel,
 * runs on that connection's event loop. The only other thread is the resolver's, whose result is
 * handed back with {@code eventLoop.execute}.
 */
public final class Http1ProxyHandler extends ChannelInboundHandlerAdapter implements UpstreamListener, MovableExchange {

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

    /** Handlers of an HTTP/1.1 connection that go when it upgrades to HTTP/2. */
    private static final String[] HTTP1_ONLY_HANDLERS = {HEAD_DEADLINE, "http1-strict"};

    private final ProxyContext context;
    private final ArrayDeque<HttpObject> pending = new ArrayDeque<>(4);
    private ChannelHandlerContext ctx;
    private RequestHeadListener headDeadline;
    private String remote;
    private State state = State.IDLE;

    // The current exchange; reset by endExchange().
    private HttpRequest request;
    private String method;
    private String uri;
    /** The normalised target: what identity read and what the cell receives. */
    private RequestTarget target;

    private Identity identity;
    private Cell cell;
    private boolean keepAlive;
    /** The client spoke HTTP/1.1 (the request is forwarded as HTTP/1.1 whatever it was). */
    private boolean clientHttp11;

    private boolean requestComplete;
    private boolean headForwarded;
    private boolean responseStarted;
    private boolean informational;
    private boolean upstreamReusable;
    private long startNanos;
    private long routerNanos;
    private long bytesIn;
    private long bytesOut;
    private int status;
    /** The cell side of the exchange: a pooled HTTP/1.1 connection or an HTTP/2 stream. */
    private CellLeg leg;
    /** The response timeout: one lazily re-armed timer per connection, not one per request. */
    private LazyDeadline responseDeadline;

    private ReplayBuffer replay;
    private boolean retried;
    private boolean inRead;
    private Bulkheads.Permit permit;
    private long connectedNanos;
    /** Linked into {@link #exchanges} while the exchange has a cell (for moves). */
    private boolean linked;

    private boolean firstExchangeDone;

    private CustomerExchanges.Loop exchanges;
    private long exchangeSequence;
    /** This handler's node in its loop's list of exchanges in flight (for moves). */
    private final CustomerExchanges.Link inFlightLink = new CustomerExchanges.Link(this);

    public Http1ProxyHandler(ProxyContext context) {
        this.context = context;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        connectedNanos = System.nanoTime();
        // Added before this handler (HTTP/1.1 only); looked up once, not per request.
        headDeadline = ctx.pipeline().get(HEAD_DEADLINE) instanceof RequestHeadListener l ? l : null;
        remote = ctx.channel().remoteAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress()
                : String.valueOf(ctx.channel().remoteAddress());
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
     * Parts written upstream during a read are flushed here, once per socket read: cheaper, and
     * if a later part of the same read turns out malformed, the exchange fails and the upstream
     * connection is closed before the cell has been sent anything.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (leg != null) {
            leg.flush();
        }
    }

    private void startExchange(HttpRequest req) {
        startNanos = System.nanoTime();
        routerNanos = -1;
        request = req;
        method = req.method().name();
        uri = req.uri();
        keepAlive = HttpUtil.isKeepAlive(req) && !context.drain().draining() && !tooOld();
        clientHttp11 = HttpVersion.HTTP_1_1.equals(req.protocolVersion());
        if (headDeadline != null) {
            headDeadline.headReceived();
        }
        requestComplete = req instanceof LastHttpContent;
        context.drain().exchangeStarted();
        context.recorder().metrics().requestStarted();
        state = State.ROUTING;
        updateRead();

        if (req.decoderResult().isFailure()) {
            fail(decoderError(req.decoderResult().cause()));
            return;
        }
        try {
            target = RequestTarget.parse(uri);
            if (target.isAdminPath()) {
                // The admin API is served on the admin listener only; no spelling of it reaches a cell.
                throw new RouterException(ErrorCode.NOT_FOUND, "no such path on the proxy listener");
            }
            identity = context.router().identify(new HttpRequestHead(req, target));
        } catch (RouterException e) {
            fail(e);
            return;
        }
        CompletableFuture<Resolution> resolution = context.router().resolve(identity);
        if (resolution.isDone()) {
            routed(resolution);
        } else {
            resolution.whenComplete((r, e) -> ctx.executor().execute(() -> routed(resolution)));
        }
    }

    private void routed(CompletableFuture<Resolution> future) {
        if (state != State.ROUTING) {
            return; // the client went away meanwhile
        }
        Route route;
        try {
            Resolution resolution = future.join();
            cell = resolution.cell(); // also for cell_offline and customer_frozen: their cell's meters
            route = RequestRouter.toRoute(identity, resolution);
        } catch (RouterException e) {
            fail(e);
            return;
        } catch (CompletionException e) {
            fail(e.getCause() instanceof RouterException re ? re : internal(e.getCause()));
            return;
        }
        cell = route.cell();
        exchangeSequence++;
        if (exchanges == null) {
            exchanges = context.exchanges().loop(ctx.executor());
        }
        exchanges.link(inFlightLink);
        linked = true;
        try {
            permit = context.bulkheads().admit(identity.customer(), cell);
        } catch (RouterException e) {
            fail(e);
            return;
        }
        state = State.CONNECTING;
        Future<CellLeg> connect = context.pool().acquire(cell, ctx.channel().eventLoop(), false, this);
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
            fail(new RouterException(ErrorCode.CELL_UNREACHABLE, "cell " + cell.name() + " is unreachable")
                    .withDetail(why));
            return;
        }
        leg = future.getNow();
        leg.readAnswer(ctx.channel().isWritable());

        state = State.FORWARDING;
        if (replay != null) {
            replay.replayTo(leg); // a retry: the first stream was refused by the cell
        } else {
            ForwardHeaders.toCell(request.headers(), remote, context.scheme(), cell.name());
            request.setUri(target.originForm());
            // The upstream connection stays keep-alive even when the client's does not (Connection
            // was removed as a hop-by-hop header), so the pooled connection can serve the next one.
            request.setProtocolVersion(HttpVersion.HTTP_1_1);
            headForwarded = true;
            if (leg.replayable() && !retried) {
                replay = new ReplayBuffer(request);
            }
            leg.write(request);
            routerNanos = System.nanoTime() - startNanos;
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
            fail(decoderError(content.decoderResult().cause()));
            return;
        }
        bytesIn += content.content().readableBytes();
        if (bytesIn > context.config().limits().maxBodySize()) {
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
        if (state == State.FORWARDING && !responseStarted) {
            fail(new RouterException(
                    ErrorCode.CELL_TIMEOUT,
                    "cell " + cell.name() + " did not answer within "
                            + context.config().upstream().responseTimeout().toMillis() + " ms"));
        }
    }

    @Override
    public void upstreamRead(HttpObject msg) {
        if (msg instanceof HttpResponse response) {
            if (response.decoderResult().isFailure()) {
                Throwable why = response.decoderResult().cause();
                ReferenceCountUtil.release(msg);
                upstreamFailed(badResponse(why));
                return;
            }
            int code = response.status().code();
            informational = code >= 100 && code < 200;
            if (!informational) {
                cancelResponseTimeout();
                responseStarted = true;
                dropReplay();
                status = code;
                upstreamReusable = HttpUtil.isKeepAlive(response);
                frameForClient(response);
            }
            ForwardHeaders.toClient(response.headers());
            if (!keepAlive && !informational) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
        }
        if (msg instanceof HttpContent content) {
            if (content.decoderResult().isFailure()) {
                Throwable why = content.decoderResult().cause();
                ReferenceCountUtil.release(msg);
                upstreamFailed(badResponse(why));
                return;
            }
            bytesOut += content.content().readableBytes();
        }
        ctx.write(msg);
        if (msg instanceof LastHttpContent) {
            if (informational) {
                informational = false;
            } else {
                responseComplete();
                return;
            }
        }
        if (!ctx.channel().isWritable() && leg != null) {
            leg.readAnswer(false);
        }
    }

    @Override
    public void upstreamReadComplete() {
        ctx.flush();
    }

    @Override
    public void upstreamWritabilityChanged(boolean writable) {
        updateRead();
    }

    @Override
    public void upstreamClosed(Throwable cause) {
        if (state != State.FORWARDING) {
            return;
        }
        leg = null;
        UpstreamResetException reset = cause instanceof UpstreamResetException r ? r : null;
        if (!responseStarted && reset != null && reset.refused() && replay != null && replay.replayable() && !retried) {
            // The cell never saw this stream: send it once more on another connection to the
            // same cell (never another cell). After the GOAWAY has been handled by the pool.
            retried = true;
            cancelResponseTimeout();
            state = State.CONNECTING;
            updateRead();
            ctx.executor().execute(() -> {
                if (state != State.CONNECTING) {
                    return;
                }
                Future<CellLeg> again =
                        context.pool().acquire(cell, ctx.channel().eventLoop(), false, this);
                again.addListener((FutureListener<CellLeg>) this::connected);
            });
            return;
        }
        if (!responseStarted) {
            fail(new RouterException(
                            ErrorCode.CELL_UNREACHABLE,
                            "cell " + cell.name() + " closed the connection before responding")
                    .withDetail(cause == null ? "closed" : cause.getMessage()));
        } else {
            abort("cell ended the response early: " + (cause == null ? "closed" : cause.getMessage()));
        }
    }

    private RouterException badResponse(Throwable why) {
        return new RouterException(ErrorCode.BAD_CELL_RESPONSE, "cell " + cell.name() + " sent an invalid response")
                .withDetail(why == null ? "undecodable" : why.getMessage());
    }

    private void upstreamFailed(RouterException error) {
        CellLeg doomed = leg;
        leg = null;
        if (doomed != null) {
            doomed.abandon();
        }
        if (!responseStarted) {
            fail(error);
        } else {
            abort(error.code().code() + ": " + error.detail());
        }
    }

    /**
     * A response whose end is the cell closing the connection (no Content-Length, not chunked, and
     * a status and method that allow a body) cannot be relayed as is on a connection that stays
     * open: the client would wait for a close that never comes. An HTTP/1.1 client gets it
     * re-framed as chunked; an HTTP/1.0 client gets it followed by a close. HTTP/2 streams end
     * with END_STREAM anyway. The connection to the cell is not reused either way.
     */
    private void frameForClient(HttpResponse response) {
        int code = response.status().code();
        if (HttpUtil.isContentLengthSet(response)
                || HttpUtil.isTransferEncodingChunked(response)
                || code == 204
                || code == 304
                || "HEAD".equals(method)) {
            return;
        }
        upstreamReusable = false;
        if (clientHttp11) {
            HttpUtil.setTransferEncodingChunked(response, true);
        } else {
            keepAlive = false;
        }
    }

    private void responseComplete() {
        ctx.flush();
        if (!requestComplete) {
            // The cell answered before the whole request body arrived: the rest of the body is
            // still on the client connection, so neither connection can be reused.
            keepAlive = false;
            upstreamReusable = false;
        }
        endExchange(null);
    }

    /** Answers with the router's own error, unless the response has begun (then closes). */
    private void fail(RouterException error) {
        if (state == State.CLOSED) {
            return;
        }
        if (responseStarted) {
            abort(error.getMessage());
            return;
        }
        cancelResponseTimeout();
        if (leg != null) {
            // A half-written request or an unanswered one: the connection cannot be reused.
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
        status = error.code().status().code();
        ctx.writeAndFlush(ErrorResponses.http1(ctx.alloc(), error, close));
        endExchange(error.code().code(), error.detail());
    }

    /**
     * Ends the exchange without an answer: the response is cut short and must never look complete,
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

    private void dropReplay() {
        if (replay != null) {
            replay.release();
            replay = null;
        }
    }

    /** The exchange in flight, as a move sees it; null when there is none with a cell. */
    @Override
    public CustomerExchanges.InFlight inFlight() {
        return linked
                ? new CustomerExchanges.InFlight(
                        identity.customer(), cell.name(), this, exchangeSequence, ctx.executor())
                : null;
    }

    /**
     * The customer of exchange {@code sequence} now routes elsewhere ({@link MovedCustomerCloser}):
     * an HTTP/1.1 connection ends after the current response instead of carrying the next request.
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
     * router's own 503 {@code customer_moved} (gRPC UNAVAILABLE). Under way: gRPC gets trailers
     * with UNAVAILABLE, another HTTP/2 stream a RST_STREAM(CANCEL), HTTP/1.1 a closed connection.
     */
    @Override
    public void endForMove(long sequence) {
        if (sequence != exchangeSequence || !linked || state == State.IDLE || state == State.CLOSED) {
            return;
        }
        keepAlive = false;
        if (!responseStarted) {
            fail(new RouterException(ErrorCode.CUSTOMER_MOVED, "the customer moved to another cell; retry"));
            return;
        }
        abort("the customer moved to another cell");
    }

    private void endExchange(String error) {
        endExchange(error, null);
    }

    private void endExchange(String error, String detail) {
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
        context.recorder()
                .record(
                        remote,
                        identity == null ? null : identity.customer(),
                        cell,
                        PROTOCOL_HTTP1,
                        method,
                        target != null ? target.path() : uri,
                        status,
                        error,
                        detail,
                        bytesIn,
                        bytesOut,
                        System.nanoTime() - startNanos,
                        routerNanos);
        context.recorder().metrics().requestEnded();
        context.drain().exchangeEnded();

        if (leg != null) {
            CellLeg done = leg;
            leg = null;
            done.finish(upstreamReusable && requestComplete);
        }
        boolean close = !keepAlive;
        request = null;
        target = null;
        identity = null;
        cell = null;
        responseStarted = false;
        headForwarded = false;
        informational = false;
        upstreamReusable = false;
        bytesIn = 0;
        bytesOut = 0;
        status = 0;

        if (close) {
            state = State.CLOSED;
            releasePending();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        state = State.IDLE;
        if (headDeadline != null) {
            headDeadline.awaitNextHead();
        }
        if (!firstExchangeDone) {
            firstExchangeDone = true;
            // A cleartext connection that did not upgrade with its first request stays HTTP/1.1
            // (clients upgrade on the first request only; RFC 9113 retired h2c Upgrade): the
            // upgrade handler would otherwise inspect every later request for nothing.
            HttpServerUpgradeHandler upgrade = ctx.pipeline().get(HttpServerUpgradeHandler.class);
            if (upgrade != null) {
                ctx.pipeline().remove(upgrade);
            }
        }
        while (state == State.IDLE && !pending.isEmpty()) {
            handle(pending.poll());
        }
        updateRead();
    }

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
        } else if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent
                || evt instanceof CleartextHttp2ServerUpgradeHandler.PriorKnowledgeUpgradeEvent) {
            // The connection now speaks HTTP/2: its streams get handlers of their own.
            for (String http1Only : HTTP1_ONLY_HANDLERS) {
                if (ctx.pipeline().get(http1Only) != null) {
                    ctx.pipeline().remove(http1Only);
                }
            }
            ctx.pipeline().remove(this);
            ctx.fireUserEventTriggered(evt);
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
        stopResponseTimer();
        releasePending();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && !responseStarted && state != State.CLOSED) {
            // The decoder gave up on the bytes (e.g. an unparseable Content-Length): framing is in
            // doubt, so answer 400 and close; nothing of this request was flushed to a cell.
            LOG.debug("{} undecodable request", ctx.channel(), cause);
            RouterException error = decoderError(cause.getCause() == null ? cause : cause.getCause());
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

    private void stopResponseTimer() {
        if (responseDeadline != null) {
            responseDeadline.stop();
        }
    }

    private boolean tooOld() {
        long maxAge = context.config().limits().maxConnectionAge().toNanos();
        return maxAge > 0 && System.nanoTime() - connectedNanos > maxAge;
    }

    private static boolean bodyless(HttpRequest request) {
        if (request.decoderResult().isFailure() || request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            return false;
        }
        String length = request.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        return length == null || "0".equals(length.trim());
    }

    private static RouterException decoderError(Throwable cause) {
        if (cause instanceof RouterException routerException) {
            return routerException; // from Http1RequestValidator
        }
        if (cause instanceof TooLongHttpLineException) {
            return new RouterException(ErrorCode.URI_TOO_LONG, "request line too long");
        } else if (cause instanceof TooLongHttpHeaderException) {
            return new RouterException(ErrorCode.HEADERS_TOO_LARGE, "request headers too large");
        } else if (cause instanceof TooLongFrameException) {
            return new RouterException(ErrorCode.MALFORMED_REQUEST, "request too large");
        }
        return new RouterException(
                ErrorCode.MALFORMED_REQUEST, "malformed request: " + (cause == null ? "unknown" : cause.getMessage()));
    }

    private static RouterException internal(Throwable cause) {
        LOG.warn("routing failed unexpectedly", cause);
        return new RouterException(ErrorCode.REGISTRY_UNAVAILABLE, "routing failed; retry shortly");
    }
}
