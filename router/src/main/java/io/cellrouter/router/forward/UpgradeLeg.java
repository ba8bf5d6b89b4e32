package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cell side of a WebSocket handshake: a connection of its own to an {@code http://} cell
 * ({@link UpstreamPool#connectForUpgrade}), never taken from the pool nor returned to it. If the
 * cell switches protocols it becomes the tunnel's cell connection ({@link TunnelCell}); if it
 * answers anything else, the answer is relayed like any other and the connection closes.
 *
 * <p>It records the {@code Sec-WebSocket-Key} it sends ({@link WebSocketHandshake#SENT_KEY}), which
 * the connection's validator requires the 101 to answer.
 *
 * <p>Tunnels per cell: {@code proxy.websocket.maxTunnelsPerCell} connections of this kind may be
 * open (or opening) to one cell at once; each holds its slot until it closes. Concurrency: confined
 * to the exchange's event loop, except the slot counter (an atomic shared by every loop).
 */
final class UpgradeLeg extends ConnectionLeg {

    private static final Duration RETRY_OVERLOADED = Duration.ofSeconds(1);

    private UpgradeLeg(Channel channel, UpstreamRelayHandler relay) {
        super(channel, relay);
    }

    /**
     * Opens the handshake's connection to {@code cell}, answering to {@code listener}; the future
     * fails with a {@link RouterException} when the cell takes no WebSocket (not {@code http://})
     * or has its tunnels' worth, else with the connect error.
     */
    static Future<CellLeg> open(ProxyContext context, Cell cell, EventLoop loop, UpstreamListener listener) {
        if (!"http".equals(cell.scheme())) {
            return loop.newFailedFuture(new RouterException(
                    ErrorCode.WEBSOCKET_UNSUPPORTED,
                    "cell " + cell.name() + " takes no WebSocket: only http:// cells do"));
        }
        int max = context.config().websocket().maxTunnelsPerCell();
        AtomicInteger open = context.recorder().metrics().websocketTunnels(cell);
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            return loop.newFailedFuture(new RouterException(
                    ErrorCode.CELL_OVERLOADED,
                    "cell " + cell.name() + " has " + max + " WebSocket tunnels open",
                    RETRY_OVERLOADED));
        }
        Promise<CellLeg> leg = loop.newPromise();
        context.pool().connectForUpgrade(cell, loop).addListener((Future<Channel> f) -> {
            if (!f.isSuccess()) {
                open.decrementAndGet();
                leg.tryFailure(f.cause());
                return;
            }
            Channel ch = f.getNow();
            ch.closeFuture().addListener(closed -> open.decrementAndGet());
            UpstreamRelayHandler relay = ch.pipeline().get(UpstreamRelayHandler.class);
            relay.lease(listener);
            if (!leg.trySuccess(new UpgradeLeg(ch, relay))) {
                ch.close();
            }
        });
        return leg;
    }

    Channel channel() {
        return channel;
    }

    /** The upgrade is done: nothing of HTTP is read from this connection any more. */
    void detach() {
        relay.release();
    }

    @Override
    public void write(HttpObject part) {
        if (part instanceof HttpRequest request) {
            channel.attr(WebSocketHandshake.SENT_KEY).set(request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY));
        }
        super.write(part);
    }

    /** Never pooled: a connection that carried a handshake ends with it. */
    @Override
    public void finish(boolean reusable) {
        abandon();
    }
}
