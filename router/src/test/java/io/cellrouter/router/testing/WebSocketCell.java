package io.cellrouter.router.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real WebSocket server playing a cell (Netty's HTTP/1.1 codec and WebSocket handshaker): it
 * echoes every frame as it comes (binary, text, continuation), answers {@code whoami} with its
 * name, ends with a close frame on {@code close-me}, and refuses handshakes on {@code /forbidden}
 * with a plain 403; on {@code /page} it answers 200 with a page, as a single-page app's fallback
 * does, on {@code /hangup} it closes the connection without an answer, and on {@code
 * /slow-handshake?ms=N} it accepts N milliseconds late. Subprotocols {@code chat} and {@code superchat}; frames up to 2 MiB.
 * Every handshake request's headers are kept; open tunnels are counted.
 */
public final class WebSocketCell implements AutoCloseable {

    static final int MAX_FRAME = 2 << 20;

    private final String name;
    private final EventLoopGroup group;
    private final Channel server;
    private final ChannelGroup children =
            new DefaultChannelGroup(io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
    private final ConcurrentLinkedQueue<HttpHeaders> handshakes = new ConcurrentLinkedQueue<>();
    private final AtomicInteger open = new AtomicInteger();

    private WebSocketCell(String name, ByteBufAllocator allocator) throws InterruptedException {
        this.name = name;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.ALLOCATOR, allocator)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        children.add(ch);
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(65536))
                                .addLast(new Handshake());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .sync()
                .channel();
    }

    public static WebSocketCell start(String name) throws InterruptedException {
        return new WebSocketCell(name, ByteBufAllocator.DEFAULT);
    }

    /**
     * A cell whose buffers come from {@code allocator}: another than the router's (Netty's default)
     * keeps the cell's memory out of what a test measures of the router's.
     */
    public static WebSocketCell start(String name, ByteBufAllocator allocator) throws InterruptedException {
        return new WebSocketCell(name, allocator);
    }

    public String name() {
        return name;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    /** The headers of every handshake request received, oldest first. */
    public List<HttpHeaders> handshakes() {
        return List.copyOf(handshakes);
    }

    /** WebSocket connections open now (handshake done, not closed yet). */
    public int openTunnels() {
        return open.get();
    }

    /** Closes every open connection, as a cell that goes away does. */
    public void dropConnections() {
        children.close().awaitUninterruptibly();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        children.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private final class Handshake extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            handshakes.add(request.headers().copy());
            if (request.uri().startsWith("/hangup")) {
                ctx.close(); // a cell that dies before it answers
                return;
            }
            if (request.uri().startsWith("/page")) {
                // A single-page app's fallback: index.html to every GET, upgrade or not.
                FullHttpResponse page = new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1,
                        HttpResponseStatus.OK,
                        Unpooled.copiedBuffer("<html>hello</html>", StandardCharsets.UTF_8));
                HttpUtil.setContentLength(page, page.content().readableBytes());
                ctx.writeAndFlush(page);
                return;
            }
            if (request.uri().startsWith("/forbidden")) {
                FullHttpResponse forbidden = new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1,
                        HttpResponseStatus.FORBIDDEN,
                        Unpooled.copiedBuffer("no websocket for you from " + name, StandardCharsets.UTF_8));
                forbidden.headers().set("x-served-by", name);
                HttpUtil.setContentLength(forbidden, forbidden.content().readableBytes());
                ctx.writeAndFlush(forbidden);
                return;
            }
            if (request.uri().startsWith("/slow-handshake")) {
                // A cell slow to accept: the 101 comes ms=N milliseconds after the handshake arrived.
                long delay = Long.parseLong(new QueryStringDecoder(request.uri())
                        .parameters()
                        .getOrDefault("ms", List.of("1000"))
                        .get(0));
                request.retain();
                ctx.executor()
                        .schedule(
                                () -> {
                                    try {
                                        accept(ctx, request);
                                    } finally {
                                        request.release();
                                    }
                                },
                                delay,
                                TimeUnit.MILLISECONDS);
                return;
            }
            accept(ctx, request);
        }

        private void accept(ChannelHandlerContext ctx, FullHttpRequest request) {
            WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
                            "ws://" + request.headers().get(HttpHeaderNames.HOST) + request.uri(),
                            "chat,superchat",
                            WebSocketDecoderConfig.newBuilder()
                                    .allowExtensions(true)
                                    .maxFramePayloadLength(MAX_FRAME)
                                    .build())
                    .newHandshaker(request);
            if (handshaker == null) {
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                return;
            }
            ctx.pipeline().replace(this, "echo", new Echo(handshaker));
            handshaker.handshake(ctx.channel(), request).addListener(f -> {
                if (f.isSuccess()) {
                    open.incrementAndGet();
                    ctx.channel().closeFuture().addListener(c -> open.decrementAndGet());
                }
            });
        }
    }

    private final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final WebSocketServerHandshaker handshaker;

        Echo(WebSocketServerHandshaker handshaker) {
            this.handshaker = handshaker;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof CloseWebSocketFrame close) {
                handshaker.close(ctx, close.retain());
                return;
            }
            if (frame instanceof PingWebSocketFrame ping) {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
                return;
            }
            if (frame instanceof TextWebSocketFrame text && frame.isFinalFragment()) {
                String said = text.text();
                if (said.equals("whoami")) {
                    ctx.writeAndFlush(new TextWebSocketFrame(name));
                    return;
                }
                if (said.equals("close-me")) {
                    ctx.writeAndFlush(new CloseWebSocketFrame(1000, "bye from " + name))
                            .addListener(ChannelFutureListener.CLOSE);
                    return;
                }
            }
            ctx.writeAndFlush(frame.retain());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
