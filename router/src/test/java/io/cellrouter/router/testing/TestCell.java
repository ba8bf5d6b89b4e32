package io.cellrouter.router.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.stream.ChunkedInput;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 server that plays a cell in tests. It streams (never aggregates) request bodies,
 * answering with its name, the request's byte count and SHA-256 and the headers it received;
 * {@code GET /download?size=N[&chunked=false]} streams N deterministic bytes ({@link #pattern}),
 * with backpressure. Every request's headers are kept for assertions.
 */
public final class TestCell implements AutoCloseable {

    private final String name;
    private final EventLoopGroup group;
    private final Channel channel;
    private final ConcurrentLinkedQueue<HttpHeaders> received = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<HttpHeaders> receivedTrailers = new ConcurrentLinkedQueue<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger bodyParts = new AtomicInteger();
    private final io.netty.channel.group.ChannelGroup children =
            new io.netty.channel.group.DefaultChannelGroup(io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);

    private TestCell(String name, int port) throws InterruptedException {
        this.name = name;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.channel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        children.add(ch);
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new ChunkedWriteHandler())
                                .addLast(new Handler());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", port))
                .sync()
                .channel();
    }

    public static TestCell start(String name) throws InterruptedException {
        return new TestCell(name, 0);
    }

    /** Restarts on a given port (to bring a stopped cell back where the registry expects it). */
    public static TestCell start(String name, int port) throws InterruptedException {
        return new TestCell(name, port);
    }

    public String name() {
        return name;
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    /** Request body parts its decoder read (a chunk of a chunked body is one at least), on every request. */
    public int bodyPartCount() {
        return bodyParts.get();
    }

    public int requestCount() {
        return requests.get();
    }

    public List<HttpHeaders> receivedHeaders() {
        return List.copyOf(received);
    }

    /** The trailers of the requests that had any, in the order they arrived. */
    public List<HttpHeaders> receivedTrailers() {
        return List.copyOf(receivedTrailers);
    }

    @Override
    public void close() {
        // Like a process that exits: the listener and every accepted connection are closed.
        channel.close().awaitUninterruptibly();
        children.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** The deterministic content of {@code /download}: byte i of any download. */
    public static byte pattern(long i) {
        return (byte) ((i * 2654435761L) >>> 13);
    }

    public static String sha256OfPattern(long size) {
        MessageDigest digest = sha256();
        byte[] block = new byte[8192];
        for (long offset = 0; offset < size; offset += block.length) {
            int n = (int) Math.min(block.length, size - offset);
            for (int i = 0; i < n; i++) {
                block[i] = pattern(offset + i);
            }
            digest.update(block, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<HttpObject> {
        private HttpRequest request;
        private MessageDigest digest;
        private long bytes;
        private boolean slowDone;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest req) {
                request = req;
                digest = sha256();
                bytes = 0;
                requests.incrementAndGet();
                received.add(req.headers().copy());
            }
            if (msg instanceof HttpContent content) {
                if (content.content().isReadable()) {
                    bodyParts.incrementAndGet();
                }
                ByteBuf buf = content.content();
                bytes += buf.readableBytes();
                digest.update(buf.nioBuffer());
                if (content instanceof LastHttpContent last) {
                    if (!last.trailingHeaders().isEmpty()) {
                        receivedTrailers.add(last.trailingHeaders().copy());
                    }
                    respond(ctx);
                }
            }
        }

        private void respond(ChannelHandlerContext ctx) {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (uri.path().equals("/slow") && !slowDone) {
                // Answers after ms milliseconds: requests that stay in flight for a while.
                long ms = Long.parseLong(first(uri.parameters(), "ms"));
                slowDone = true;
                ctx.executor().schedule(() -> respond(ctx), ms, java.util.concurrent.TimeUnit.MILLISECONDS);
                return;
            }
            slowDone = false;
            if (uri.path().equals("/download")) {
                long size = Long.parseLong(uri.parameters().get("size").get(0));
                boolean chunked = !"false".equals(first(uri.parameters(), "chunked"));
                HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                response.headers().set("x-served-by", name);
                if (chunked) {
                    HttpUtil.setTransferEncodingChunked(response, true);
                } else {
                    HttpUtil.setContentLength(response, size);
                }
                HttpUtil.setKeepAlive(response, keepAlive);
                ctx.write(response);
                ctx.writeAndFlush(new HttpChunkedInput(new PatternInput(size)));
                return;
            }
            StringBuilder json = new StringBuilder();
            json.append("{\"cell\":\"")
                    .append(name)
                    .append("\",\"path\":\"")
                    .append(request.uri())
                    .append("\",\"bytes\":")
                    .append(bytes)
                    .append(",\"sha256\":\"")
                    .append(HexFormat.of().formatHex(digest.digest()))
                    .append("\"}");
            FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
            response.headers()
                    .set("x-served-by", name)
                    .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .set("connection", "keep-alive, x-cell-secret")
                    .set("x-cell-secret", "hop")
                    .set("keep-alive", "timeout=30")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            if (!keepAlive) {
                response.headers().set("connection", "close");
            }
            var f = ctx.writeAndFlush(response);
            if (!keepAlive) {
                f.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
            }
        }

        private static String first(Map<String, List<String>> params, String key) {
            List<String> values = params.get(key);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /** Streams {@code size} bytes of {@link #pattern} in 64 KiB parts. */
    private static final class PatternInput implements ChunkedInput<ByteBuf> {
        private final long size;
        private long offset;

        PatternInput(long size) {
            this.size = size;
        }

        @Override
        public boolean isEndOfInput() {
            return offset >= size;
        }

        @Override
        public void close() {}

        @Override
        @Deprecated
        public ByteBuf readChunk(ChannelHandlerContext ctx) {
            return readChunk(ctx.alloc());
        }

        @Override
        public ByteBuf readChunk(ByteBufAllocator allocator) {
            if (isEndOfInput()) {
                return null;
            }
            int n = (int) Math.min(65536, size - offset);
            ByteBuf buf = allocator.buffer(n);
            for (int i = 0; i < n; i++) {
                buf.writeByte(pattern(offset + i));
            }
            offset += n;
            return buf;
        }

        @Override
        public long length() {
            return size;
        }

        @Override
        public long progress() {
            return offset;
        }
    }
}
