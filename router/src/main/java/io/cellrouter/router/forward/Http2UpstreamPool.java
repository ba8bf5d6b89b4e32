package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.config.RouterConfig.Upstream;
import io.cellrouter.router.metrics.RouterMetrics;
import io.cellrouter.router.pipeline.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Multiplexed HTTP/2 connections to cells ({@code h2c://}, {@code https://}, and gRPC to
 * {@code http://} cells), per event loop and per cell, as for HTTP/1.1 in {@link UpstreamPool}.
 *
 * <p>A request gets its own stream on a connection that has room under the cell's
 * SETTINGS_MAX_CONCURRENT_STREAMS; when every connection is full, another is opened. A connection
 * that received GOAWAY takes no new streams and closes when its last stream ends.
 *
 * <pre>
 *  connection: [SslHandler] ─ Http2FrameCodec ─ Http2MultiplexHandler ─ ConnectionState
 *  stream:     the caller's handler (e.g. Http2StreamFrameToHttpObjectCodec ─ UpstreamRelayHandler)
 * </pre>
 *
 * <p>Concurrency: confined to the event loop; state per loop in a {@link FastThreadLocal}.
 */
final class Http2UpstreamPool {

    private static final Logger LOG = LoggerFactory.getLogger(Http2UpstreamPool.class);

    /** Until the cell's SETTINGS arrive, assume it allows this many streams (RFC 9113 suggests >= 100). */
    static final int ASSUMED_MAX_STREAMS = 100;

    private final Transport transport;
    private final Upstream config;
    private final RouterMetrics metrics;
    private final AddressResolverGroup<InetSocketAddress> resolver;
    private final SslContext tls;
    private final java.util.function.Function<Cell, Runnable> connectStarting;
    private final EndpointKeys keys =
            new EndpointKeys(cell -> cell.scheme() + "://" + cell.endpoint().getHost() + ':' + cell.port());
    private final FastThreadLocal<Map<String, List<Connection>>> connections = new FastThreadLocal<>() {
        @Override
        protected Map<String, List<Connection>> initialValue() {
            return new HashMap<>();
        }
    };

    Http2UpstreamPool(
            Transport transport,
            Upstream config,
            RouterMetrics metrics,
            AddressResolverGroup<InetSocketAddress> resolver,
            SslContext tls,
            java.util.function.Function<Cell, Runnable> connectStarting) {
        this.transport = transport;
        this.config = config;
        this.metrics = metrics;
        this.resolver = resolver;
        this.tls = tls;
        this.connectStarting = connectStarting;
    }

    /** Opens a stream to the cell with {@code handler} on it. Called on {@code loop}. */
    Future<Http2StreamChannel> openStream(Cell cell, EventLoop loop, ChannelHandler handler) {
        String key = keys.of(cell);
        List<Connection> list = connections.get().computeIfAbsent(key, k -> new ArrayList<>(2));
        Connection chosen = null;
        for (Connection c : list) {
            if (c.hasRoom()) {
                chosen = c;
                break;
            }
        }
        if (chosen == null) {
            Runnable connectDone = connectStarting.apply(cell);
            if (connectDone == null) {
                return loop.newFailedFuture(UpstreamPool.overloaded(cell));
            }
            chosen = connect(cell, key, loop, list);
            chosen.ready.addListener(f -> connectDone.run());
        }
        return chosen.open(handler, loop.newPromise());
    }

    private Connection connect(Cell cell, String key, EventLoop loop, List<Connection> list) {
        boolean secure = "https".equals(cell.scheme());
        Connection connection = new Connection(loop.newPromise());
        AtomicInteger gauge = metrics.upstreamConnections(cell);
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .resolver(resolver)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        config.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (secure) {
                            ch.pipeline()
                                    .addLast(
                                            "tls",
                                            tls.newHandler(
                                                    ch.alloc(), cell.endpoint().getHost(), cell.port()));
                        }
                        Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
                                .initialSettings(Http2Settings.defaultSettings()
                                        .pushEnabled(false)
                                        .initialWindowSize(1024 * 1024))
                                .validateHeaders(true)
                                .build();
                        ch.pipeline()
                                .addLast("h2", codec)
                                .addLast("mux", new Http2MultiplexHandler(new RefusePushHandler()))
                                .addLast(
                                        "idle",
                                        new IdleStateHandler(
                                                0, 0, config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                                .addLast("state", connection);
                    }
                });
        list.add(connection);
        ChannelFuture connect = bootstrap.connect(cell.endpoint().getHost(), cell.port());
        connection.channel = connect.channel();
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                list.remove(connection);
                connection.ready.tryFailure(f.cause());
                return;
            }
            gauge.incrementAndGet();
            connect.channel().closeFuture().addListener(c -> {
                gauge.decrementAndGet();
                list.remove(connection);
                connection.ready.tryFailure(new IOException("connection to cell " + cell.name() + " closed"));
            });
        });
        return connection;
    }

    /**
     * One connection: ready once the cell's first SETTINGS arrived (and, over TLS, ALPN chose
     * h2); counts its streams, including those being opened, so that a burst of requests in one
     * event-loop turn does not overshoot the cell's limit.
     */
    private final class Connection extends ChannelInboundHandlerAdapter {
        final Promise<Void> ready;
        Channel channel;
        int streams;
        boolean goingAway;

        Connection(Promise<Void> ready) {
            this.ready = ready;
        }

        boolean hasRoom() {
            if (goingAway || (ready.isDone() && !ready.isSuccess())) {
                return false;
            }
            Http2FrameCodec codec = channel == null ? null : channel.pipeline().get(Http2FrameCodec.class);
            if (codec != null && codec.connection().goAwayReceived()) {
                goingAway = true; // seen by the codec before the GOAWAY frame reaches this handler
                return false;
            }
            return streams < maxStreams();
        }

        int maxStreams() {
            if (!ready.isSuccess() || channel == null) {
                return ASSUMED_MAX_STREAMS;
            }
            Http2FrameCodec codec = channel.pipeline().get(Http2FrameCodec.class);
            return codec == null ? 0 : codec.connection().local().maxActiveStreams();
        }

        Future<Http2StreamChannel> open(ChannelHandler handler, Promise<Http2StreamChannel> promise) {
            streams++;
            promise.addListener(f -> {
                if (f.isSuccess()) {
                    Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
                    stream.closeFuture().addListener(c -> streamEnded());
                } else {
                    streamEnded();
                }
            });
            ready.addListener(f -> {
                if (!f.isSuccess()) {
                    promise.tryFailure(f.cause());
                    return;
                }
                new Http2StreamChannelBootstrap(channel)
                        .option(ChannelOption.AUTO_READ, true)
                        .handler(handler)
                        .open(promise);
            });
            return promise;
        }

        private void streamEnded() {
            streams--;
            if (goingAway && streams == 0 && channel != null) {
                channel.close();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2SettingsFrame) {
                    if (ctx.pipeline().get(SslHandler.class) == null || h2Negotiated(ctx)) {
                        ready.trySuccess(null);
                    }
                } else if (msg instanceof Http2GoAwayFrame goAway) {
                    LOG.debug(
                            "{} cell sent GOAWAY (last stream {}, {})",
                            ctx.channel(),
                            goAway.lastStreamId(),
                            goAway.errorCode());
                    goingAway = true;
                    if (streams == 0) {
                        ctx.close();
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private boolean h2Negotiated(ChannelHandlerContext ctx) {
            String protocol = ctx.pipeline().get(SslHandler.class).applicationProtocol();
            if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                ready.tryFailure(new IOException("cell did not negotiate h2 over TLS (ALPN: " + protocol + ")"));
                ctx.close();
                return false;
            }
            return true;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
                ready.tryFailure(handshake.cause());
                ctx.close();
            } else if (evt instanceof IdleStateEvent && streams == 0) {
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("{} upstream HTTP/2 connection failed", ctx.channel(), cause);
            ready.tryFailure(cause);
            ctx.close();
        }

        @Override
        public boolean isSharable() {
            return false;
        }
    }

    /** Cells may not push: the router asked so in SETTINGS_ENABLE_PUSH=0; a pushed stream is reset. */
    @ChannelHandler.Sharable
    private static final class RefusePushHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRegistered(ChannelHandlerContext ctx) {
            ctx.channel().close();
        }
    }
}
