package io.cellrouter.router.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Real WebSocket clients (Netty's HTTP/1.1 codec and WebSocket client handshaker) sharing one
 * event loop, so that a test can hold a thousand of them. The handshake request goes to the
 * router's address whatever the URI names, so the URI's host is the {@code Host} the router sees.
 */
public final class WsClients implements AutoCloseable {

    /** A frame as received: text or binary, with its bytes. */
    public record Message(boolean text, byte[] bytes) {
        public String asText() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** One client connection. */
    public static final class Client {
        private final Channel channel;
        /** Completes with the 101 (the handshake is done), or fails with the refusal's status. */
        public final CompletableFuture<FullHttpResponse> handshake = new CompletableFuture<>();

        public final BlockingQueue<Message> received = new LinkedBlockingQueue<>();
        /** Completes when the connection closes (the router or the cell ended it). */
        public final CompletableFuture<Void> closed = new CompletableFuture<>();
        /** The status of a close frame received, or -1. */
        public volatile int closeStatus = -1;

        Client(Channel channel) {
            this.channel = channel;
            channel.closeFuture().addListener(f -> {
                closed.complete(null);
                handshake.completeExceptionally(new IllegalStateException("closed before the handshake ended"));
            });
        }

        /** Returns the write's future: it fails when the frame could not be written. */
        public ChannelFuture sendText(String text) {
            return channel.writeAndFlush(new TextWebSocketFrame(text));
        }

        public void sendBinary(byte[] bytes) {
            channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
        }

        public Message next(long seconds) throws InterruptedException {
            return received.poll(seconds, TimeUnit.SECONDS);
        }

        /** Sends {@code text} and returns the next message's text (null on timeout). */
        public String ask(String text) throws InterruptedException {
            sendText(text);
            Message reply = next(10);
            return reply == null ? null : reply.asText();
        }

        public void close() {
            channel.close();
        }

        public Channel channel() {
            return channel;
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ByteBufAllocator allocator;

    public WsClients() {
        this(ByteBufAllocator.DEFAULT);
    }

    /**
     * Clients whose buffers come from {@code allocator}: another than the router's (Netty's
     * default) keeps the clients' memory out of what a test measures of the router's.
     */
    public WsClients(ByteBufAllocator allocator) {
        this.allocator = allocator;
    }

    /**
     * Opens a WebSocket to {@code uri} through {@code router}: {@code headers} name-value pairs are
     * sent with the handshake ({@code host} among them replaces the URI's).
     */
    public Client connect(InetSocketAddress router, URI uri, String... headers) throws InterruptedException {
        HttpHeaders custom = new DefaultHttpHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            custom.add(headers[i], headers[i + 1]);
        }
        WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(
                uri, WebSocketVersion.V13, "chat", true, custom, 2 << 20, true, false, 1000, false, false);
        Handler handler = new Handler(handshaker);
        Channel channel = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, allocator)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new HttpClientCodec())
                                .addLast(new HttpObjectAggregator(65536))
                                .addLast(handler);
                    }
                })
                .connect(router)
                .sync()
                .channel();
        Client client = new Client(channel);
        handler.client = client;
        // On the event loop: the handshaker adds its frame encoder when the request's write
        // completes, and removes the HTTP codec when the 101 arrives. Started from another thread,
        // a fast 101 can remove the codec before that listener runs, which then finds no codec,
        // adds no encoder, and leaves a client that can never send a frame.
        channel.eventLoop().execute(() -> handshaker.handshake(channel).addListener(f -> {
            if (!f.isSuccess()) {
                client.handshake.completeExceptionally(f.cause());
            }
        }));
        return client;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<Object> {
        private final WebSocketClientHandshaker handshaker;
        volatile Client client;

        Handler(WebSocketClientHandshaker handshaker) {
            this.handshaker = handshaker;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (!handshaker.isHandshakeComplete() && msg instanceof FullHttpResponse response) {
                try {
                    handshaker.finishHandshake(ctx.channel(), response);
                    // The 101's head only (a 101 has no body): nothing for the test to release.
                    client.handshake.complete(response.replace(Unpooled.EMPTY_BUFFER));
                } catch (WebSocketClientHandshakeException refused) {
                    client.handshake.completeExceptionally(new Refused(
                            response.status().code(),
                            response.headers().copy(),
                            response.content().toString(StandardCharsets.UTF_8)));
                    ctx.close();
                }
                return;
            }
            if (msg instanceof CloseWebSocketFrame close) {
                client.closeStatus = close.statusCode();
                return;
            }
            if (msg instanceof WebSocketFrame frame) {
                client.received.add(
                        new Message(frame instanceof TextWebSocketFrame, ByteBufUtil.getBytes(frame.content())));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** A handshake the router or the cell answered with something else than 101. */
    public static final class Refused extends RuntimeException {
        public final int status;
        public final HttpHeaders headers;
        public final String body;

        Refused(int status, HttpHeaders headers, String body) {
            super("handshake refused with " + status + ": " + body);
            this.status = status;
            this.headers = headers;
            this.body = body;
        }
    }
}
