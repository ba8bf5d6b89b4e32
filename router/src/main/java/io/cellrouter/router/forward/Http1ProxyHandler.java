package io.cellrouter.router.forward;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RequestErrors;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.transport.ConnectionReset;
import io.cellrouter.router.transport.LingeringClose;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an HTTP/1.1 client connection: the connection carries its exchanges to the
 * customers' cells one after the other ({@link Http1Exchange}), and its own events become what
 * they mean for the exchange under way.
 *
 * <pre>
 *  client ──HttpServerCodec──▶ Http1ProxyHandler ─▶ Http1Exchange ──CellLeg (pooled HTTP/1.1, or an HTTP/2 stream)──▶ cell
 *         ◀───────────────────────────────────────  Http1ResponseRelay ◀──────────────────────────────────────────────
 *
 *  a request head, no exchange ─▶ a new exchange     its body parts ─▶ the exchange, or wait (Http1ReadGate)
 *  a pipelined request ─▶ waits for the exchange's end, then served; the connection closes instead unless
 *                         it is kept alive (Http1KeepAlive)
 *  end of a socket read ─▶ what was written to the cell is flushed
 *  client writable or not ─▶ the cell's answer is read or not
 *  all idle, no exchange ─▶ close          reader idle while a body is relayed ─▶ 408 request_timeout
 *  drain, no exchange ─▶ close             drain during an exchange ─▶ close after its answer
 *  undecodable bytes ─▶ 400 and close      client gone ─▶ the exchange is cut short
 *  closing while the client may still send ─▶ LingeringClose (its last answer is not lost to a reset)
 * </pre>
 *
 * <p>Concurrency: one instance per client connection, confined to its event loop.
 */
public final class Http1ProxyHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(Http1ProxyHandler.class);

    /** The pipeline's name of the slow-loris guard, told when heads arrive. */
    public static final String HEAD_DEADLINE = "head-deadline";

    private final ProxyContext context;
    private final Http1CellConnector.Source cells;
    private ChannelHandlerContext ctx;
    /** The slow-loris guard in front of the decoder; null if there is none. */
    private RequestHeadListener headDeadline;

    private Http1ReadGate reads;
    private Http1KeepAlive keepAlive;
    private Http1Exchange exchange;
    private Http1ForwardStep forward;
    private boolean inRead;
    /** Too many requests waited: nothing more that arrives is served. */
    private boolean refusing;

    public Http1ProxyHandler(ProxyContext context) {
        this(context, Http1CellConnector.Source.of(context));
    }

    /** {@code cells}: where the exchanges' cell sides come from (tests give their own). */
    Http1ProxyHandler(ProxyContext context, Http1CellConnector.Source cells) {
        this.context = context;
        this.cells = cells;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        // Added before this handler (HTTP/1.1 only); looked up once, not per request.
        headDeadline = ctx.pipeline().get(HEAD_DEADLINE) instanceof RequestHeadListener l ? l : null;
        reads = new Http1ReadGate(ctx.channel());
        keepAlive =
                new Http1KeepAlive(context.drain(), context.config().limits().maxConnectionAge(), ctx.executor());
        exchange = new Http1Exchange(this, context, ctx, reads, keepAlive, cells);
        forward = exchange.forward();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject http)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        inRead = true;
        try {
            handle(http);
        } finally {
            inRead = false;
        }
    }

    private void handle(HttpObject msg) {
        if (refusing) {
            ReferenceCountUtil.release(msg); // after too many waiting requests: the connection is ending
            return;
        }
        switch (exchange.state()) {
            case IDLE -> {
                if (!reads.isEmpty()
                        || (msg instanceof HttpRequest && !ctx.channel().isWritable())) {
                    // The client has not taken its last answers: the next request waits for it to.
                    if (msg instanceof HttpRequest && headDeadline != null) {
                        headDeadline.headReceived();
                    }
                    hold(msg);
                } else {
                    serve(msg);
                }
            }
            case ROUTING, CONNECTING -> hold(msg);
            case FORWARDING -> {
                if (forward.awaitingBody() && msg instanceof HttpContent content) {
                    forward.forwardContent(content);
                } else {
                    hold(msg); // a pipelined request: served after this exchange
                }
            }
            case CLOSED -> ReferenceCountUtil.release(msg);
        }
    }

    /** {@code msg} arrived, or waited, while no exchange ran. */
    private void serve(HttpObject msg) {
        if (msg instanceof HttpRequest req) {
            if (headDeadline != null) {
                headDeadline.headReceived();
            }
            exchange.start(req);
        } else {
            // The tail of a request that was answered already (e.g. by an error); drop it.
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * {@code msg} waits for the exchange under way, or for the client to take its answers. A client
     * with more requests waiting than that allows gets no more answers: the connection closes after
     * the exchange under way (at once when there is none), and the rest of what it sent is dropped.
     */
    private void hold(HttpObject msg) {
        if (reads.hold(msg)) {
            exchange.updateRead();
            return;
        }
        ReferenceCountUtil.release(msg);
        refusing = true;
        LOG.debug("{} more than {} requests waiting: closing", ctx.channel(), Http1ReadGate.MAX_WAITING_REQUESTS);
        if (exchange.state() == Http1Exchange.State.IDLE) {
            exchange.enter(Http1Exchange.State.CLOSED);
            exchangeEnded();
        } else {
            keepAlive.closeAfterAnswer();
            exchange.updateRead();
        }
    }

    /** Whether the connection is being read now (what is written to the cell is flushed at the end of the read). */
    boolean inRead() {
        return inRead;
    }

    /** The exchange ended: the connection closes, or serves the next request (a pipelined one at once). */
    void exchangeEnded() {
        if (exchange.state() == Http1Exchange.State.CLOSED) {
            // More of the client's bytes may be on their way: the rest of a body, or requests behind.
            boolean clientMaySend = refusing || !reads.isEmpty() || exchange.clientMaySend();
            reads.releaseAll();
            if (exchange.cutShort()) {
                // A reset, not an end: what the client has must not look whole.
                ConnectionReset.now(ctx.channel());
                return;
            }
            LingeringClose.closeAfter(ctx.writeAndFlush(Unpooled.EMPTY_BUFFER), clientMaySend);
            return;
        }
        if (headDeadline != null && !reads.requestWaiting()) {
            // Only when the next head is still to come: with a pipelined request already decoded,
            // the next raw bytes may be its body, which the guard would scan as a head.
            headDeadline.awaitNextHead();
        }
        serveWaiting();
    }

    /** Serves the requests that wait, in order, while no exchange runs and the client takes its answers. */
    private void serveWaiting() {
        HttpObject next;
        while (exchange.state() == Http1Exchange.State.IDLE
                && ctx.channel().isWritable()
                && (next = reads.next()) != null) {
            serve(next);
        }
        exchange.updateRead();
    }

    /**
     * Parts written to the cell during a read are flushed here, once per socket read: cheaper, and
     * if a later part of the same read turns out malformed, the exchange fails and the cell side is
     * abandoned before the cell has been sent anything.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        forward.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        forward.clientWritabilityChanged(writable);
        if (writable && exchange.state() == Http1Exchange.State.IDLE) {
            serveWaiting();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * Nothing was read or written for {@code proxy.idleTimeout}. A connection with nothing to do, or
     * whose last answer the client never took, is closed. A client that took none of its answer
     * while the router held more of it gives up the exchange: the cell's connection and its place
     * in the cell's budget are not held for a client that does not read.
     */
    private void allIdle(ChannelHandlerContext ctx) {
        Http1Exchange.State state = exchange.state();
        if (LingeringClose.isLingering(ctx.channel())) {
            return; // it reads and drops what the client still sends, on timers of its own
        }
        if (state == Http1Exchange.State.IDLE || state == Http1Exchange.State.CLOSED) {
            ctx.close();
        } else if (forward.answerStarted() && !ctx.channel().isWritable()) {
            exchange.abort("the client took none of its answer for "
                    + context.config().idleTimeout().toMillis() + " ms");
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.ALL_IDLE) {
                allIdle(ctx);
            } else if (idle.state() == IdleState.READER_IDLE && forward.awaitingClient()) {
                // The client stopped sending its body although the router was reading it (and
                // the client was not waiting for the cell's 100 Continue: that wait is the cell's).
                exchange.fail(new RouterException(ErrorCode.REQUEST_TIMEOUT, "request body stopped arriving")
                        .withDetail("proxy.requestBodyTimeout ran out"));
            }
        } else if (evt == DrainState.DRAIN_EVENT) {
            if (exchange.state() == Http1Exchange.State.IDLE) {
                if (!DrainState.awaitingFirstRequest(ctx.channel())) {
                    ctx.close(); // between requests: closed now, like nginx's and Go's idle ones
                }
                // Else its first request may already be in the socket: it gets its answer, with
                // Connection: close (the drain waits a while for it: ConnectionDrain).
            } else {
                keepAlive.closeAfterAnswer();
            }
        } else if (evt == DrainState.DRAIN_TIMEOUT_EVENT) {
            cutShortIfAnswering("the drain ran out of time"); // the close comes next anyway
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        exchange.clientClosed();
        reads.releaseAll();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Http1Exchange.State state = exchange.state();
        if (cause instanceof DecoderException && !forward.answerStarted() && state != Http1Exchange.State.CLOSED) {
            // The decoder gave up on the bytes (e.g. an unparseable Content-Length): framing is in
            // doubt, so answer 400 and close; nothing of this request was flushed to a cell.
            LOG.debug("{} undecodable request", ctx.channel(), cause);
            RouterException error = RequestErrors.decoding(cause.getCause() == null ? cause : cause.getCause());
            if (state == Http1Exchange.State.IDLE) {
                exchange.enter(Http1Exchange.State.CLOSED);
                Http1ErrorAnswer.reject(ctx, error, context.recorder(), Http1Exchange.PROTOCOL_HTTP1);
            } else {
                keepAlive.closeAfterAnswer();
                exchange.fail(error);
            }
            return;
        }
        LOG.debug("{} connection failed", ctx.channel(), cause);
        if (!cutShortIfAnswering("the client connection failed: " + cause)) {
            ctx.close();
        }
    }

    /**
     * Cuts the answer under way short, if one is (the connection then ends with a reset, not an end
     * that could pass for the answer's); whether there was one.
     */
    private boolean cutShortIfAnswering(String why) {
        if (exchange.state() == Http1Exchange.State.FORWARDING && forward.answerStarted()) {
            exchange.abort(why);
            return true;
        }
        return false;
    }
}
