package io.cellrouter.router.forward;

import io.cellrouter.router.admission.Bulkheads;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1.1 client's WebSocket tunnel, from the cell's 101 until either side closes: bytes
 * relayed both ways as they come, never parsed as frames.
 *
 * <pre>
 *  client ─▶ [tls] ─▶ ClientSide ──bytes──▶ TunnelCell's connection ─▶ cell
 *         ◀────────── ClientSide ◀──bytes── TunnelCell ◀──────────────
 *  (the client's HTTP/1.1 handlers and Http1ProxyHandler leave the pipeline at the 101)
 * </pre>
 *
 * <p>Backpressure: each side is read only while the other can take more (autoRead follows the
 * other channel's writability, whose buffer the write-buffer water mark bounds), so a tunnel holds
 * at most about one read and one water mark per direction, whatever the peers do. Writes made
 * during a read are flushed once, when the read completes.
 *
 * <p>Ends: either side closing (what was read from it is still delivered, then the other closes);
 * no byte either way for {@code proxy.websocket.idleTimeout}; the customer's move, after the
 * grace period ({@link MovableExchange}); the router's drain, at a random moment in the first half
 * of {@code proxy.drainTimeout}, so that clients do not all reconnect at once. The router ends a
 * tunnel by closing both TCP connections: it sends no close frame of its own (it does not parse
 * frames), so a browser reports code 1006. One access-log line and the meters record the tunnel
 * when it ends (status 101, duration, bytes both ways); its permits and tunnel slot are held until
 * then.
 *
 * <p>Concurrency: both connections live on one event loop, which runs everything here. Time is the
 * loop's ticker.
 */
final class WebSocketTunnel implements MovableExchange, TunnelCell.Peer {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketTunnel.class);

    /** How long the bytes read before one side closed may take to reach the other before it closes anyway. */
    private static final long LINGER_SECONDS = 10;

    private final ProxyContext context;
    private final ExchangeLog log;
    private final ClientSide client = new ClientSide();
    private final CustomerExchanges.Link link = new CustomerExchanges.Link(this);
    private Bulkheads.Permit permit;
    private TunnelCell cell;
    private ChannelHandlerContext clientCtx;
    private CustomerExchanges.Loop exchanges;
    private LazyDeadline idle;
    private long idleNanos;
    private boolean started;
    private boolean ended;
    private boolean draining;

    private WebSocketTunnel(ProxyContext context, ExchangeLog log, Bulkheads.Permit permit) {
        this.context = context;
        this.log = log;
        this.permit = permit;
    }

    /**
     * The cell answered the handshake with its 101: answers the client with it, takes both
     * connections out of HTTP and starts relaying. {@code proxy} is the context of the exchange's
     * {@link Http1ProxyHandler}, which this replaces; the exchange's log, permit and cell
     * connection become the tunnel's. Returns the tunnel, as a move sees it.
     */
    static MovableExchange open(
            ChannelHandlerContext proxy,
            ProxyContext context,
            ExchangeLog log,
            Bulkheads.Permit permit,
            CellLeg leg,
            HttpResponse switching) {
        WebSocketTunnel tunnel = new WebSocketTunnel(context, log, permit);
        log.status = switching.status().code();
        log.tunnel = true;
        WebSocketHandshake.toClient(switching.headers(), log.requestId);
        proxy.write(switching, proxy.voidPromise());
        proxy.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, proxy.voidPromise());
        leaveHttp(proxy.pipeline(), proxy.handler(), tunnel.client);
        tunnel.cell = TunnelCell.take((UpgradeLeg) leg);
        tunnel.start();
        return tunnel;
    }

    /**
     * The client connection's HTTP/1.1 handlers leave: the proxy handler is replaced by the
     * tunnel's, and the head guard, the codec and every handler between the codec and the proxy
     * handler go. The codec goes last, so the bytes it had read go to the tunnel.
     */
    private static void leaveHttp(ChannelPipeline p, ChannelHandler proxy, ClientSide tunnel) {
        p.replace(proxy, "ws-tunnel", tunnel);
        ChannelHandlerContext codec = p.context(HttpServerCodec.class);
        List<ChannelHandler> http = new ArrayList<>();
        boolean afterCodec = false;
        for (Map.Entry<String, ChannelHandler> entry : p) {
            ChannelHandler handler = entry.getValue();
            if (handler == tunnel) {
                break;
            }
            if (afterCodec || entry.getKey().equals(Http1ProxyHandler.HEAD_DEADLINE)) {
                http.add(handler);
            }
            afterCodec |= codec != null && handler == codec.handler();
        }
        for (ChannelHandler handler : http) {
            p.remove(handler);
        }
        if (codec != null) {
            p.remove(codec.handler());
        }
    }

    private void start() {
        Channel ch = clientCtx.channel();
        started = true;
        exchanges = context.exchanges().loop(clientCtx.executor());
        exchanges.link(link);
        idleNanos = context.config().websocket().idleTimeout().toNanos();
        if (idleNanos > 0) {
            idle = new LazyDeadline(clientCtx.executor(), this::idleExpired);
            idle.arm(idleNanos);
        }
        ByteBuf bytes;
        boolean any = false;
        while ((bytes = client.early.poll()) != null) {
            clientBytes(bytes);
            any = true;
        }
        if (any) {
            cell.channel().flush();
        }
        cell.start(this, ch.isWritable());
        if (!ended) {
            readClient(cell.channel().isWritable());
            if (context.drain().draining()) {
                draining();
            }
        }
    }

    // ----- client → cell -----

    private void clientBytes(ByteBuf bytes) {
        log.bytesIn += bytes.readableBytes();
        Channel to = cell.channel();
        to.write(bytes, to.voidPromise());
        if (!to.isWritable()) {
            readClient(false);
        }
    }

    private void clientReadComplete() {
        cell.channel().flush();
        activity();
    }

    private void readClient(boolean on) {
        Channel ch = clientCtx.channel();
        if (ch.config().isAutoRead() != on) {
            ch.config().setAutoRead(on);
        }
    }

    // ----- cell → client (TunnelCell.Peer) -----

    @Override
    public void cellBytes(ByteBuf bytes) {
        if (ended) {
            bytes.release();
            return;
        }
        log.bytesOut += bytes.readableBytes();
        clientCtx.write(bytes, clientCtx.voidPromise());
        if (!clientCtx.channel().isWritable()) {
            cell.readWhile(false);
        }
    }

    @Override
    public void cellReadComplete() {
        clientCtx.flush();
        activity();
    }

    @Override
    public void cellWritable(boolean writable) {
        if (!ended) {
            readClient(writable);
        }
    }

    @Override
    public void cellClosed(Throwable cause) {
        end(cause == null ? "closed by the cell" : "cell connection failed: " + cause.getMessage());
    }

    // ----- ends -----

    private void activity() {
        if (idle != null) {
            idle.arm(idleNanos);
        }
    }

    private void idleExpired() {
        end("idle for " + TimeUnit.NANOSECONDS.toMillis(idleNanos) + " ms");
    }

    /** The router drains: this tunnel ends at a random moment in the first half of the drain timeout. */
    private void draining() {
        if (draining || ended) {
            return;
        }
        draining = true;
        long spread = context.config().drainTimeout().toNanos() / 2;
        long delay = spread > 0 ? ThreadLocalRandom.current().nextLong(spread) : 0;
        clientCtx.executor().schedule(() -> end("router draining"), delay, TimeUnit.NANOSECONDS);
    }

    /**
     * Ends the tunnel once: what either side sent is still flushed to the other before its
     * connection closes (bounded by {@link #LINGER_SECONDS}); then the record, the permits.
     */
    private void end(String why) {
        if (ended) {
            return;
        }
        ended = true;
        LOG.debug("{} tunnel ends: {}", clientCtx.channel(), why);
        if (idle != null) {
            idle.stop();
        }
        closeAfterFlush(clientCtx.channel());
        closeAfterFlush(cell.channel());
        if (started) {
            exchanges.unlink(link);
        }
        if (permit != null) {
            permit.release();
            permit = null;
        }
        log.end(context.recorder(), null, why, clientCtx.executor().ticker().nanoTime());
        context.recorder().metrics().requestEnded();
        context.drain().exchangeEnded();
    }

    private static void closeAfterFlush(Channel ch) {
        if (!ch.isActive()) {
            ch.close();
            return;
        }
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        ch.eventLoop().schedule(() -> ch.close(), LINGER_SECONDS, TimeUnit.SECONDS);
    }

    // ----- moves (MovableExchange) -----

    @Override
    public CustomerExchanges.InFlight inFlight() {
        return ended
                ? null
                : new CustomerExchanges.InFlight(log.customer(), log.cell.name(), this, 0, clientCtx.executor());
    }

    @Override
    public void routingChanged(long sequence) {
        // Nothing until the grace period ends: the tunnel goes on at its cell meanwhile.
    }

    @Override
    public void endForMove(long sequence) {
        end("the customer moved to another cell");
    }

    /** The tunnel's handler in the client connection's pipeline. */
    private final class ClientSide extends ChannelInboundHandlerAdapter {
        /** Bytes read before the tunnel started (the codec's leftovers): relayed at start. */
        final ArrayDeque<ByteBuf> early = new ArrayDeque<>(1);

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            clientCtx = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf bytes)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (ended) {
                bytes.release();
            } else if (!started) {
                early.add(bytes);
            } else {
                clientBytes(bytes);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (started && !ended) {
                clientReadComplete();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (started && !ended) {
                cell.readWhile(ctx.channel().isWritable());
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == DrainState.DRAIN_EVENT) {
                if (started) {
                    draining();
                }
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("{} tunnel to the client failed", ctx.channel(), cause);
            if (started) {
                end("client connection failed: " + cause.getMessage());
            } else {
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (started) {
                end("closed by the client");
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            ByteBuf bytes;
            while ((bytes = early.poll()) != null) {
                bytes.release();
            }
        }
    }
}
