package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.config.RouterConfig.Upstream;
import io.cellrouter.router.metrics.RouterMetrics;
import io.cellrouter.router.transport.Buffers;
import io.cellrouter.router.transport.ShutdownInputOnClose;
import io.cellrouter.router.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Connections to cells: keep-alive HTTP/1.1 connections to {@code http://} cells, pooled per
 * event loop and per cell endpoint, and streams on the multiplexed connections of
 * {@link Http2UpstreamPool} for the others and for gRPC.
 *
 * <p>An upstream channel is created on the event loop of the downstream channel that needs it and
 * only ever used by channels of that loop, so a request never crosses threads and the pool needs
 * no locks: each loop has its own idle lists in a {@link FastThreadLocal}. Idle connections are
 * closed after {@code upstream.idleTimeout} and at most {@code maxIdlePerCell} are kept per loop.
 *
 * <p>Concurrency: every method must be called on the event loop it is given or the channel's own.
 */
public final class UpstreamPool {

    static final AttributeKey<String> POOL_KEY = AttributeKey.valueOf("cellrouter.poolKey");

    private final Transport transport;
    private final Upstream config;
    private final RouterMetrics metrics;
    private final AddressResolverGroup<InetSocketAddress> resolver;
    private final int maxInitialLineLength;
    private final int maxHeaderSize;
    private final Http2UpstreamPool http2;
    private final int maxPendingConnects;
    private final java.util.Map<String, AtomicInteger> pendingConnects = new java.util.concurrent.ConcurrentHashMap<>();
    private final EndpointKeys keys = new EndpointKeys(cell -> cell.endpoint().getHost() + ':' + cell.port());
    private final FastThreadLocal<Map<String, ArrayDeque<Channel>>> idle = new FastThreadLocal<>() {
        @Override
        protected Map<String, ArrayDeque<Channel>> initialValue() {
            return new HashMap<>();
        }
    };

    public UpstreamPool(
            Transport transport,
            Upstream config,
            RouterMetrics metrics,
            AddressResolverGroup<InetSocketAddress> resolver,
            int maxInitialLineLength,
            int maxHeaderSize,
            Supplier<SslContext> tls,
            int maxPendingConnects) {
        this.transport = transport;
        this.config = config;
        this.metrics = metrics;
        this.resolver = resolver;
        this.maxInitialLineLength = maxInitialLineLength;
        this.maxHeaderSize = maxHeaderSize;
        this.maxPendingConnects = maxPendingConnects;
        this.http2 = new Http2UpstreamPool(transport, config, metrics, resolver, tls, this::connectStarting);
    }

    /**
     * The cell side for an HTTP/1.1 client's exchange, answering to {@code listener}: an idle
     * pooled connection or a new one for {@code http://} cells, a stream on a multiplexed
     * connection for the others and for gRPC (the future fails with the connect error). Called on
     * {@code loop}.
     */
    Future<CellLeg> acquire(Cell cell, EventLoop loop, boolean grpc, UpstreamListener listener) {
        if (grpc || !"http".equals(cell.scheme())) {
            // h2c:// and https:// cells speak HTTP/2, and gRPC always travels over HTTP/2.
            Http2StreamLeg leg = new Http2StreamLeg("https".equals(cell.scheme()) ? "https" : "http", listener);
            Promise<CellLeg> promise = loop.newPromise();
            http2.openStream(cell, loop, leg).addListener(f -> {
                if (f.isSuccess()) {
                    leg.attach((CellStream) f.getNow());
                    promise.trySuccess(leg);
                } else {
                    promise.tryFailure(f.cause());
                }
            });
            return promise;
        }
        String key = keys.of(cell);
        ArrayDeque<Channel> channels = idle.get().get(key);
        if (channels != null) {
            Channel ch;
            while ((ch = channels.pollLast()) != null) {
                if (reusable(ch)) {
                    return loop.newSucceededFuture(lease(ch, listener));
                }
                ch.close();
            }
        }
        return acquireNew(cell, loop, listener);
    }

    /**
     * A new HTTP/1.1 connection to an {@code http://} cell, never an idle one: for a request sent
     * once more after a reused connection closed under it ({@link ReusedConnectionClosed}), whose
     * idle companions may be closing the same way. It joins the pool afterwards like any other.
     * Other cells: as {@link #acquire}.
     */
    Future<CellLeg> acquireNew(Cell cell, EventLoop loop, UpstreamListener listener) {
        if (!"http".equals(cell.scheme())) {
            return acquire(cell, loop, false, listener);
        }
        String key = keys.of(cell);
        Promise<CellLeg> promise = loop.newPromise();
        Runnable connectDone = connectStarting(cell);
        if (connectDone == null) {
            return promise.setFailure(overloaded(cell));
        }
        ChannelFuture connect = connect(cell, key, loop, CellResponseValidator.HTTP1);
        connect.addListener(f -> {
            connectDone.run();
            if (f.isSuccess()) {
                promise.trySuccess(lease(connect.channel(), listener));
            } else {
                promise.tryFailure(f.cause());
            }
        });
        return promise;
    }

    /**
     * A new HTTP/1.1 connection to an {@code http://} cell for a WebSocket handshake. It never joins
     * the pool: it ends with its tunnel, or with the cell's refusal of the upgrade; and its validator
     * takes the 101 that answers the handshake ({@link CellResponseValidator#UPGRADE}). Counted like
     * any connection being opened to the cell and any open one.
     */
    Future<Channel> connectForUpgrade(Cell cell, EventLoop loop) {
        Runnable connectDone = connectStarting(cell);
        if (connectDone == null) {
            return loop.newFailedFuture(overloaded(cell));
        }
        Promise<Channel> promise = loop.newPromise();
        ChannelFuture connect = connect(cell, keys.of(cell), loop, CellResponseValidator.UPGRADE);
        connect.addListener(f -> {
            connectDone.run();
            if (f.isSuccess()) {
                promise.trySuccess(connect.channel());
            } else {
                promise.tryFailure(f.cause());
            }
        });
        return promise;
    }

    /** A stream to the cell for an HTTP/2 client's exchange: frames relayed as they are. */
    Future<CellStream> openStream(Cell cell, EventLoop loop, CellStreamListener listener) {
        return http2.openStream(cell, loop, listener);
    }

    private Http1CellLeg lease(Channel ch, UpstreamListener listener) {
        UpstreamRelayHandler relay = ch.pipeline().get(UpstreamRelayHandler.class);
        relay.lease(listener);
        return relay.leg();
    }

    /**
     * Returns a connection whose exchange ended at a message boundary; it joins the idle list at
     * the end of the read that carried the answer's end, and only if nothing arrived behind the
     * answer (see {@link UpstreamRelayHandler}). Anything else is closed.
     */
    void release(Http1CellLeg leg) {
        Channel ch = leg.channel;
        if (!leg.relay.attached() || !ch.isActive()) {
            ch.close();
            return;
        }
        // Read on, so that bytes behind the answer, or a close by the cell, are noticed.
        ch.config().setAutoRead(true);
        leg.relay.returnAfterRead();
    }

    private void park(Channel ch) {
        if (!reusable(ch)) {
            ch.close();
            return;
        }
        ArrayDeque<Channel> channels =
                idle.get().computeIfAbsent(ch.attr(POOL_KEY).get(), k -> new ArrayDeque<>());
        if (channels.size() >= config.maxIdlePerCell()) {
            ch.close();
            return;
        }
        channels.addLast(ch);
    }

    /** The relay of a new connection, with the leg its exchanges lease and its way back to the pool. */
    private UpstreamRelayHandler pooled(Channel ch) {
        UpstreamRelayHandler relay = new UpstreamRelayHandler();
        relay.pooledAs(new Http1CellLeg(ch, relay, this), () -> park(ch));
        return relay;
    }

    /** Open, and holding no byte beyond the last answer. */
    private static boolean reusable(Channel ch) {
        CellHttpCodec codec = ch.pipeline().get(CellHttpCodec.class);
        return ch.isActive() && codec != null && !codec.hasUndecodedBytes();
    }

    private ChannelFuture connect(Cell cell, String key, EventLoop loop, CellResponseValidator validator) {
        AtomicInteger gauge = metrics.upstreamConnections(cell);
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .resolver(resolver)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        config.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, Buffers.ALLOCATOR)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .attr(POOL_KEY, key)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ShutdownInputOnClose.install(ch);
                        ch.pipeline()
                                .addLast(
                                        "codec",
                                        new CellHttpCodec(new HttpDecoderConfig()
                                                .setMaxInitialLineLength(maxInitialLineLength)
                                                .setMaxHeaderSize(maxHeaderSize)
                                                .setMaxChunkSize(65536)
                                                .setValidateHeaders(true)
                                                .setAllowDuplicateContentLengths(false)
                                                .setStrictLineParsing(true)
                                                .setUseRfc9112TransferEncoding(true)))
                                .addLast("validator", validator)
                                // Reader idle, not all idle: a pooled channel neither reads nor
                                // writes, so the two are the same there, and watching writes
                                // would cost a promise and a listener on every request.
                                .addLast(
                                        "idle",
                                        new IdleStateHandler(
                                                config.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                                .addLast("relay", pooled(ch));
                    }
                });
        ChannelFuture future = bootstrap.connect(cell.endpoint().getHost(), cell.port());
        future.addListener(f -> {
            if (f.isSuccess()) {
                Channel ch = future.channel();
                gauge.incrementAndGet();
                ch.closeFuture().addListener(c -> {
                    gauge.decrementAndGet();
                    ArrayDeque<Channel> channels = idle.get().get(key);
                    if (channels != null) {
                        channels.remove(ch);
                    }
                });
            }
        });
        return future;
    }

    /**
     * Counts a connection being opened to {@code cell}: returns what to run when it is done, or
     * null when {@code maxPendingConnectsPerCell} are already under way (a cell that accepts
     * slowly must not collect an unbounded pile of half-open sockets).
     */
    Runnable connectStarting(Cell cell) {
        AtomicInteger pending = pendingConnects.computeIfAbsent(cell.name(), k -> new AtomicInteger());
        if (pending.incrementAndGet() > maxPendingConnects) {
            pending.decrementAndGet();
            return null;
        }
        return pending::decrementAndGet;
    }

    static io.cellrouter.router.error.RouterException overloaded(Cell cell) {
        return new io.cellrouter.router.error.RouterException(
                io.cellrouter.router.error.ErrorCode.CELL_OVERLOADED,
                "too many connections being opened to cell " + cell.name(),
                java.time.Duration.ofSeconds(1));
    }
}
