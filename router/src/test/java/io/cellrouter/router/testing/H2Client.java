package io.cellrouter.router.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
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
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP/2 client (Netty, h2c prior knowledge) that shows what the router sends frame by
 * frame: every HEADERS frame with its END_STREAM flag, the body's size and SHA-256, a reset.
 * Streams of one client share one connection.
 */
public final class H2Client implements AutoCloseable {

    /** What arrived on one stream. */
    public record Response(
            List<Http2Headers> headers,
            List<Boolean> headersEndStream,
            long bytes,
            String sha256,
            long resetCode,
            String bodyStart) {
        public String status() {
            return headers.isEmpty() ? null : String.valueOf(headers.get(0).status());
        }

        public String header(String name) {
            for (Http2Headers h : headers) {
                CharSequence v = h.get(name);
                if (v != null) {
                    return v.toString();
                }
            }
            return null;
        }

        /** One HEADERS frame that ended the stream: gRPC's trailers-only response. */
        public boolean trailersOnly() {
            return headers.size() == 1 && headersEndStream.get(0) && bytes == 0;
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;

    public H2Client(InetSocketAddress address) throws InterruptedException {
        this(address, 1 << 20);
    }

    public H2Client(InetSocketAddress address, int streamWindow) throws InterruptedException {
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
                                                Http2Settings.defaultSettings().initialWindowSize(streamWindow))
                                        .build())
                                .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect(address)
                .sync()
                .channel();
    }

    public static Http2Headers request(String method, String path, String... headers) {
        Http2Headers h = new DefaultHttp2Headers()
                .method(method)
                .path(path)
                .scheme("http")
                .authority("test");
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1]);
        }
        return h;
    }

    /** Sends the headers (and body, if any) on a new stream. */
    public CompletableFuture<Response> send(Http2Headers headers, byte[] body) {
        return send(headers, body, 0);
    }

    /**
     * {@code pauseMillisPerMiB} > 0 makes a slow reader: the stream is read with auto-read off,
     * pausing that long after each MiB, so the router sees its window fill up.
     */
    public CompletableFuture<Response> send(Http2Headers headers, byte[] body, long pauseMillisPerMiB) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        Collector collector = new Collector(result, pauseMillisPerMiB);
        new Http2StreamChannelBootstrap(channel).handler(collector).open().addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
                return;
            }
            Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
            boolean hasBody = body != null && body.length > 0;
            stream.write(new DefaultHttp2HeadersFrame(headers, !hasBody));
            if (hasBody) {
                stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
            }
            stream.flush();
        });
        return result;
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private static final class Collector extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Response> result;
        private final long pauseMillisPerMiB;
        private final List<Http2Headers> headers = new ArrayList<>();
        private final List<Boolean> endStreams = new ArrayList<>();
        private final MessageDigest digest;
        private long bytes;
        private long nextPause = 1 << 20;
        private long reset = -1;
        private final StringBuilder bodyStart = new StringBuilder();

        Collector(CompletableFuture<Response> result, long pauseMillisPerMiB) {
            this.result = result;
            this.pauseMillisPerMiB = pauseMillisPerMiB;
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (pauseMillisPerMiB > 0) {
                ctx.channel().config().setAutoRead(false);
                ctx.read();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame h) {
                    headers.add(h.headers());
                    endStreams.add(h.isEndStream());
                    if (h.isEndStream()) {
                        finish();
                    }
                } else if (msg instanceof Http2DataFrame d) {
                    ByteBuf content = d.content();
                    bytes += content.readableBytes();
                    digest.update(content.nioBuffer());
                    if (bodyStart.length() < 65536) {
                        bodyStart.append(content.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
                    }
                    if (d.isEndStream()) {
                        finish();
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
            if (pauseMillisPerMiB > 0 && !result.isDone()) {
                long delay = 0;
                if (bytes >= nextPause) {
                    nextPause += 1 << 20;
                    delay = pauseMillisPerMiB;
                }
                ctx.executor().schedule(() -> ctx.read(), delay, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame r) {
                reset = r.errorCode();
                finish();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            finish();
        }

        private void finish() {
            if (!result.isDone()) {
                result.complete(new Response(
                        List.copyOf(headers),
                        List.copyOf(endStreams),
                        bytes,
                        HexFormat.of().formatHex(digest.digest()),
                        reset,
                        bodyStart.toString()));
            }
        }
    }
}
