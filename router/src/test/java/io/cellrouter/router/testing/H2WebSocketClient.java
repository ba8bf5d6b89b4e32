package io.cellrouter.router.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client over HTTP/2 (RFC 8441), h2c prior knowledge: Netty's HTTP/2 frame codec
 * with a hand-written extended CONNECT, and Netty's WebSocket frame encoder (masking) and decoder
 * on the stream, whose DATA frames carry the WebSocket's bytes.
 */
public final class H2WebSocketClient implements AutoCloseable {

    /** One WebSocket: a stream. */
    public static final class Stream {
        /** The response HEADERS (the router's :status 200, or a refusal). */
        public final CompletableFuture<Http2Headers> response = new CompletableFuture<>();
        /** Completes with true on END_STREAM from the router, false on a reset or a closed stream. */
        public final CompletableFuture<Boolean> ended = new CompletableFuture<>();

        public final BlockingQueue<WsClients.Message> received = new LinkedBlockingQueue<>();
        public volatile long resetCode = -1;
        public volatile int closeStatus = -1;
        /** The body of a refusal (DATA before any WebSocket frame was expected). */
        public final StringBuilder refusalBody = new StringBuilder();

        Http2StreamChannel channel;

        public void sendText(String text) {
            channel.writeAndFlush(new TextWebSocketFrame(text));
        }

        public void sendBinary(byte[] bytes) {
            channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
        }

        /** Ends the client's direction: an empty DATA frame with END_STREAM. */
        public void endStream() {
            channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true));
        }

        public WsClients.Message next(long seconds) throws InterruptedException {
            return received.poll(seconds, TimeUnit.SECONDS);
        }

        public String ask(String text) throws InterruptedException {
            sendText(text);
            WsClients.Message reply = next(10);
            return reply == null ? null : reply.asText();
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    /** The server's first SETTINGS frame. */
    public final CompletableFuture<Http2Settings> serverSettings = new CompletableFuture<>();

    public H2WebSocketClient(InetSocketAddress address) throws InterruptedException {
        channel = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(Http2FrameCodecBuilder.forClient()
                                        .initialSettings(
                                                Http2Settings.defaultSettings().initialWindowSize(1 << 20))
                                        .build())
                                .addLast(new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        if (msg instanceof Http2SettingsFrame settings) {
                                            serverSettings.complete(settings.settings());
                                        }
                                        ctx.fireChannelRead(msg);
                                    }
                                })
                                .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect(address)
                .sync()
                .channel();
    }

    /** An extended CONNECT's headers: {@code :protocol websocket}, version 13, more name-value pairs. */
    public static Http2Headers connect(String path, String... headers) {
        Http2Headers h = new DefaultHttp2Headers()
                .method("CONNECT")
                .path(path)
                .scheme("http")
                .authority("test")
                .set(Http2Headers.PseudoHeaderName.PROTOCOL.value(), "websocket")
                .set("sec-websocket-version", "13");
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1]);
        }
        return h;
    }

    /** Opens a stream with {@code headers} (after the server's SETTINGS have arrived). */
    public Stream open(Http2Headers headers) throws Exception {
        serverSettings.get(10, TimeUnit.SECONDS);
        Stream stream = new Stream();
        Http2StreamChannel child = new Http2StreamChannelBootstrap(channel)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new DataFrames(stream))
                                .addLast(new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                                        .expectMaskedFrames(false)
                                        .allowExtensions(true)
                                        .maxFramePayloadLength(2 << 20)
                                        .build()))
                                .addLast(new WebSocket13FrameEncoder(true))
                                .addLast(new Frames(stream));
                    }
                })
                .open()
                .sync()
                .getNow();
        stream.channel = child;
        child.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false));
        return stream;
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** DATA frames ↔ the WebSocket's bytes; HEADERS, END_STREAM and resets are recorded. */
    private static final class DataFrames extends ChannelDuplexHandler {
        private final Stream stream;

        DataFrames(Stream stream) {
            this.stream = stream;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2HeadersFrame headers) {
                if (!stream.response.complete(headers.headers()) || headers.isEndStream()) {
                    stream.ended.complete(true);
                }
                return;
            }
            if (msg instanceof Http2DataFrame data) {
                boolean end = data.isEndStream();
                Http2Headers response = stream.response.getNow(null);
                if (response != null && !"200".contentEquals(response.status())) {
                    stream.refusalBody.append(data.content().toString(StandardCharsets.UTF_8));
                    data.release();
                } else if (data.content().isReadable()) {
                    ctx.fireChannelRead(data.content().retain());
                    data.release();
                } else {
                    data.release();
                }
                if (end) {
                    stream.ended.complete(true);
                }
                return;
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame reset) {
                stream.resetCode = reset.errorCode();
                stream.ended.complete(false);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            stream.ended.complete(false);
            ctx.fireChannelInactive();
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf bytes) {
                ctx.write(new DefaultHttp2DataFrame(bytes, false), promise);
            } else {
                ctx.write(msg, promise);
            }
        }
    }

    private static final class Frames extends ChannelInboundHandlerAdapter {
        private final Stream stream;

        Frames(Stream stream) {
            this.stream = stream;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof CloseWebSocketFrame close) {
                    stream.closeStatus = close.statusCode();
                } else if (msg instanceof WebSocketFrame frame) {
                    stream.received.add(new WsClients.Message(
                            frame instanceof TextWebSocketFrame, ByteBufUtil.getBytes(frame.content())));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }
}
