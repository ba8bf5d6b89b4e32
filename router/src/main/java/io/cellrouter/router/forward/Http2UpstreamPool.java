package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.config.RouterConfig.Upstream;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
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
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Multiplexed HTTP/2 connections to cells ({@code h2c://}, {@code https://}, and gRPC to
 * {@code http://} cells), per event loop and per cell, as for HTTP/1.1 in {@link UpstreamPool}.
 *
 * <p>A request gets its own {@link CellStream} on a connection that has room under the cell's
 * SETTINGS_MAX_CONCURRENT_STREAMS; when every connection is full, another is opened. A connection
 * that received GOAWAY takes no new streams and closes when its last stream ends. Until a new
 * connection's SETTINGS arrive, it takes as many streams as the cell allowed on its last connection
 * to get ready, from 1 to {@link #ASSUMED_MAX_STREAMS} (the assumption before any): a burst to a
 * cell that allows fewer is spread over as many connections as it needs once the first has
 * answered, instead of piling onto one connection and failing.
 *
 * <pre>
 *  connection: [SslHandler] ─ idle ─ Http2Backend (one handler: frames in, frames out)
 * </pre>
 *
 * <p>Concurrency: confined to the event loop; state per loop in a {@link FastThreadLocal}.
 */
final class Http2UpstreamPool {

    /** Until the cell's SETTINGS arrive, assume it allows this many streams (RFC 9113 suggests >= 100). */
    static final int ASSUMED_MAX_STREAMS = 100;

    private final Transport transport;
    private final Upstream config;
    private final RouterMetrics metrics;
    private final AddressResolverGroup<InetSocketAddress> resolver;
    /** The context of the moment: a rotated client certificate is used by new connections. */
    private final Supplier<SslContext> tls;

    private final Function<Cell, Runnable> connectStarting;
    private final EndpointKeys keys =
            new EndpointKeys(cell -> cell.scheme() + "://" + cell.endpoint().getHost() + ':' + cell.port());
    /** Per cell endpoint: the streams its last connection to get ready allowed, from 1 to 100. */
    private final Map<String, Integer> streamLimits = new ConcurrentHashMap<>();

    /** How long a cell whose new connection allowed no stream gets no other connection. */
    static final long NO_STREAMS_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Per cell endpoint: until when (event loop ticker) it is known to allow no stream. */
    private final Map<String, Long> noStreamsUntil = new ConcurrentHashMap<>();

    private final FastThreadLocal<Map<String, List<Http2Backend>>> connections = new FastThreadLocal<>() {
        @Override
        protected Map<String, List<Http2Backend>> initialValue() {
            return new HashMap<>();
        }
    };

    Http2UpstreamPool(
            Transport transport,
            Upstream config,
            RouterMetrics metrics,
            AddressResolverGroup<InetSocketAddress> resolver,
            Supplier<SslContext> tls,
            Function<Cell, Runnable> connectStarting) {
        this.transport = transport;
        this.config = config;
        this.metrics = metrics;
        this.resolver = resolver;
        this.tls = tls;
        this.connectStarting = connectStarting;
    }

    /**
     * A new stream to the cell for {@code listener}, on a ready connection (the future fails with
     * the connect error). Called on {@code loop}.
     */
    Future<CellStream> openStream(Cell cell, EventLoop loop, CellStreamListener listener) {
        String key = keys.of(cell);
        List<Http2Backend> list = connections.get().computeIfAbsent(key, k -> new ArrayList<>(2));
        Http2Backend chosen = null;
        int assumed = streamLimits.getOrDefault(key, ASSUMED_MAX_STREAMS);
        for (Http2Backend backend : list) {
            if (backend.hasRoom(assumed)) {
                chosen = backend;
                break;
            }
        }
        if (chosen == null) {
            Long until = noStreamsUntil.get(key);
            if (until != null) {
                if (loop.ticker().nanoTime() - until < 0) {
                    return loop.newFailedFuture(takesNoStreams(cell));
                }
                noStreamsUntil.remove(key, until);
            }
            Runnable connectDone = connectStarting.apply(cell);
            if (connectDone == null) {
                return loop.newFailedFuture(UpstreamPool.overloaded(cell));
            }
            Http2Backend connecting = connect(cell, loop, list);
            connecting.ready().addListener(f -> {
                connectDone.run();
                if (f.isSuccess()) {
                    // Never 0 (a cell's SETTINGS while it drains: no connection would ever have
                    // room), never above the assumption (a cell that sets no limit: unbounded
                    // streams would wait on one connection that may never get ready).
                    streamLimits.put(key, Math.max(1, Math.min(ASSUMED_MAX_STREAMS, connecting.maxStreams())));
                    if (connecting.maxStreams() == 0) {
                        // A cell that allows no stream (SETTINGS_MAX_CONCURRENT_STREAMS 0: it drains,
                        // or sheds load). Kept, the connection would hold a socket until it idled
                        // out, and every request would open another: one such cell could use up
                        // the router's file descriptors, and every cell would fail with it. It
                        // closes, and for a second the cell's requests fail at once, unopened.
                        noStreamsUntil.put(key, loop.ticker().nanoTime() + NO_STREAMS_NANOS);
                        connecting.retire();
                    }
                }
            });
            chosen = connecting;
        }
        Http2Backend backend = chosen;
        CellStream stream = backend.open(listener);
        if (backend.ready().isSuccess()) {
            return loop.newSucceededFuture(stream);
        }
        Promise<CellStream> promise = loop.newPromise();
        backend.ready().addListener(f -> {
            if (f.isSuccess() && backend.maxStreams() == 0) {
                stream.reset(io.netty.handler.codec.http2.Http2Error.CANCEL);
                promise.tryFailure(takesNoStreams(cell));
            } else if (f.isSuccess()) {
                promise.trySuccess(stream);
            } else {
                stream.reset(io.netty.handler.codec.http2.Http2Error.CANCEL);
                promise.tryFailure(f.cause());
            }
        });
        return promise;
    }

    private Http2Backend connect(Cell cell, EventLoop loop, List<Http2Backend> list) {
        boolean secure = "https".equals(cell.scheme());
        Http2Backend backend = Http2Backend.create(loop.newPromise(), cell.name());
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
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ShutdownInputOnClose.install(ch);
                        if (secure) {
                            ch.pipeline()
                                    .addLast(
                                            "tls",
                                            tls.get()
                                                    .newHandler(
                                                            ch.alloc(),
                                                            cell.endpoint().getHost(),
                                                            cell.port()));
                        }
                        // Reader idle, not all idle: the connection closes when idle only with no
                        // stream open, and watching writes would cost a promise listener per frame.
                        ch.pipeline()
                                .addLast(
                                        "idle",
                                        new IdleStateHandler(
                                                config.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                                .addLast("h2", backend);
                    }
                });
        list.add(backend);
        ChannelFuture connect = bootstrap.connect(cell.endpoint().getHost(), cell.port());
        connect.addListener(f -> {
            if (!loop.inEventLoop()) {
                // A channel that could not even be created (no file descriptor left) fails its
                // future on Netty's global executor: the per-loop list is the loop's alone.
                loop.execute(() -> connectFailed(backend, list, f.cause()));
                return;
            }
            if (!f.isSuccess()) {
                list.remove(backend);
                backend.ready().tryFailure(f.cause());
                return;
            }
            gauge.incrementAndGet();
            // A cell that takes the connection but never speaks HTTP/2 (no SETTINGS) must not hold
            // the streams waiting for it: they fail as unreachable, within connectTimeout again.
            ScheduledFuture<?> handshake = loop.schedule(
                    () -> {
                        if (backend.ready()
                                .tryFailure(new IOException("cell " + cell.name() + " sent no HTTP/2 SETTINGS within "
                                        + config.connectTimeout().toMillis() + " ms"))) {
                            connect.channel().close();
                        }
                    },
                    config.connectTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
            backend.ready().addListener(r -> handshake.cancel(false));
            connect.channel().closeFuture().addListener(c -> {
                gauge.decrementAndGet();
                list.remove(backend);
                backend.ready().tryFailure(new IOException("connection to cell " + cell.name() + " closed"));
            });
        });
        return backend;
    }

    private static void connectFailed(Http2Backend backend, List<Http2Backend> list, Throwable cause) {
        list.remove(backend);
        backend.ready().tryFailure(cause == null ? new IOException("connection to the cell not opened") : cause);
    }

    private static RouterException takesNoStreams(Cell cell) {
        return new RouterException(
                ErrorCode.CELL_OVERLOADED,
                "cell " + cell.name() + " takes no new streams (its SETTINGS_MAX_CONCURRENT_STREAMS is 0)",
                Duration.ofSeconds(1));
    }
}
