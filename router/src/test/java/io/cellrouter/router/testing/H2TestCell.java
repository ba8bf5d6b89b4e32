package io.cellrouter.router.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/2 (h2c) server playing a misbehaving cell, steered by the request path:
 * <ul>
 *   <li>{@code /goaway-first}: once after {@link #armGoAway()}, answers the stream with GOAWAY
 *       (last stream id 0: "I processed nothing"); later streams are answered normally;
 *   <li>{@code /reset/CODE}: resets the stream with that HTTP/2 error code before any headers;
 *   <li>{@code /stall}: once the request ends, 200 and the first bytes of a body, then nothing more
 *       (the stream stays open: a cell that went quiet mid-answer);
 *   <li>{@code /big/SIZE}: 200 and SIZE zero bytes, as fast as the stream's window lets them go;
 *   <li>{@code /early}: 200 and the first bytes of a body as soon as the request's head arrives,
 *       the rest ({@code bytes=B}) once the request ends: a cell that answers before it has taken
 *       the whole upload;
 *   <li>{@code /whole-early}: 401 and its whole body (END_STREAM) as soon as the request's head
 *       arrives, the request's body never read: a cell that refuses an upload at once;
 *   <li>{@code /data-first}: DATA (END_STREAM) and no HEADERS at all: a broken cell;
 *   <li>{@code /length-no-body}: 200 with {@code content-length: 1000} in a HEADERS frame that ends
 *       the stream: a broken cell, unless the request was a HEAD ({@code /length-no-body/304}: a
 *       304, whose length is that of a body it never carries);
 *   <li>{@code /length-empty-data}: 200 with {@code content-length: 1000}, then an empty DATA frame
 *       that ends the stream; {@code /length-short}: 10 bytes of the 1000 instead;
 *   <li>{@code /interim-end}: a 103 in a HEADERS frame that ends the stream (RFC 9113 section
 *       8.1: malformed), nothing after it;
 *   <li>{@code /bad-header/upper}, {@code /bad-header/connection}: 200 with a header HTTP/2 forbids
 *       in an answer (an upper-case name; {@code connection: close}), then a body: a broken cell;
 *   <li>{@code /drop}: the connection is closed at once, without GOAWAY (a cell that crashed);
 *   <li>anything else: 200 with {@code cell=NAME connection=N bytes=B} after the request ends, or,
 *       after {@link #misdirect(String)}, 421 ("this customer is not mine") naming the owner.
 * </ul>
 */
public final class H2TestCell implements AutoCloseable {

    private final String name;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger resetsReceived = new AtomicInteger();
    private final AtomicInteger streams = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong bigBytesSent = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.Queue<Http2Headers> receivedTrailers = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.Queue<Http2Headers> receivedHeads = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean goAwayArmed =
            new java.util.concurrent.atomic.AtomicBoolean();

    public H2TestCell(String name) throws InterruptedException {
        this(name, Integer.MAX_VALUE);
    }

    /** {@link #H2TestCell(String)}, for a field initialiser. */
    public static H2TestCell started(String name) {
        return started(name, Integer.MAX_VALUE);
    }

    /** A started cell that allows {@code maxConcurrentStreams} streams per connection. */
    public static H2TestCell started(String name, int maxConcurrentStreams) {
        try {
            return new H2TestCell(name, maxConcurrentStreams);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting cell " + name, e);
        }
    }

    /** A cell that allows at most {@code maxConcurrentStreams} streams at once (its SETTINGS). */
    public H2TestCell(String name, int maxConcurrentStreams) throws InterruptedException {
        this.name = name;
        channel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        int connection = connections.incrementAndGet();
                        if (silent.get()) {
                            OutboundGate gate = new OutboundGate();
                            gates.add(gate);
                            ch.pipeline().addLast(gate);
                        }
                        ch.pipeline()
                                .addLast(Http2FrameCodecBuilder.forServer()
                                        .initialSettings(Http2Settings.defaultSettings()
                                                .maxConcurrentStreams(maxConcurrentStreams))
                                        .build())
                                .addLast(new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                                    @Override
                                    protected void initChannel(Channel stream) {
                                        stream.pipeline().addLast(new StreamHandler(connection));
                                    }
                                }));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .syncUninterruptibly()
                .channel();
    }

    private volatile String misdirectedTo;
    private final AtomicInteger misdirected = new AtomicInteger();

    /** From now on every request is answered 421 with {@code x-cell-router-owner: owner} ("" for no header). */
    public void misdirect(String owner) {
        misdirectedTo = owner;
    }

    /** Requests answered 421. */
    public int misdirected() {
        return misdirected.get();
    }

    private final java.util.concurrent.atomic.AtomicBoolean silent = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.Queue<OutboundGate> gates = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * Connections accepted from now on send nothing (not even their SETTINGS, so the router's
     * connection stays "connecting") until {@link #speak()}.
     */
    public void stayQuiet() {
        silent.set(true);
    }

    /** The quiet connections send what they held back, and new ones are no longer held. */
    public void speak() {
        silent.set(false);
        OutboundGate gate;
        while ((gate = gates.poll()) != null) {
            gate.open();
        }
    }

    /** The next {@code /goaway-first} stream gets a GOAWAY instead of an answer. */
    public void armGoAway() {
        goAwayArmed.set(true);
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public int connections() {
        return connections.get();
    }

    /** RST_STREAM frames the router sent, on any connection. */
    public int resetsReceived() {
        return resetsReceived.get();
    }

    public int streams() {
        return streams.get();
    }

    /** The trailers of the requests that had any, in the order they arrived. */
    public java.util.List<Http2Headers> receivedTrailers() {
        return java.util.List.copyOf(receivedTrailers);
    }

    /** Bytes of {@code /big/} and {@code /tiny/} answers the flow control has let go to the router so far. */
    public long bigBytesSent() {
        return bigBytesSent.get();
    }

    /** The request heads it read, in the order they arrived. */
    public java.util.List<Http2Headers> receivedHeads() {
        return java.util.List.copyOf(receivedHeads);
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private void tinyFrame(ChannelHandlerContext ctx, int i, int size) {
        if (i == size || !ctx.channel().isActive()) {
            return;
        }
        byte b = (byte) ('a' + i % 26);
        ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[] {b}), i + 1 == size))
                .addListener(f -> {
                    if (f.isSuccess()) {
                        bigBytesSent.incrementAndGet();
                    }
                });
        ctx.executor().execute(() -> tinyFrame(ctx, i + 1, size));
    }

    /** Holds a connection's writes back until opened (on the connection's event loop). */
    private static final class OutboundGate extends io.netty.channel.ChannelOutboundHandlerAdapter {
        private final java.util.List<Object> held = new java.util.ArrayList<>();
        private final java.util.List<io.netty.channel.ChannelPromise> promises = new java.util.ArrayList<>();
        private ChannelHandlerContext ctx;
        private boolean open;

        @Override
        public void handlerAdded(ChannelHandlerContext context) {
            ctx = context;
        }

        @Override
        public void write(ChannelHandlerContext context, Object msg, io.netty.channel.ChannelPromise promise) {
            if (open) {
                context.write(msg, promise);
            } else {
                held.add(msg);
                promises.add(promise);
            }
        }

        @Override
        public void flush(ChannelHandlerContext context) {
            if (open) {
                context.flush();
            }
        }

        void open() {
            ctx.executor().execute(() -> {
                open = true;
                for (int i = 0; i < held.size(); i++) {
                    ctx.write(held.get(i), promises.get(i));
                }
                held.clear();
                promises.clear();
                ctx.flush();
            });
        }
    }

    private final class StreamHandler extends ChannelInboundHandlerAdapter {
        private final int connection;
        private String path;
        private long bytes;

        StreamHandler(int connection) {
            this.connection = connection;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame) {
                resetsReceived.incrementAndGet();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean end = false;
            try {
                if (msg instanceof Http2HeadersFrame trailers && path != null) {
                    receivedTrailers.add(trailers.headers());
                    end = trailers.isEndStream();
                } else if (msg instanceof Http2HeadersFrame headers) {
                    streams.incrementAndGet();
                    receivedHeads.add(headers.headers());
                    path = String.valueOf(headers.headers().path());
                    end = headers.isEndStream();
                    if (path.equals("/goaway-first") && goAwayArmed.compareAndSet(true, false)) {
                        Channel parent = ctx.channel().parent();
                        Http2FrameCodec codec = parent.pipeline().get(Http2FrameCodec.class);
                        codec.goAway(
                                parent.pipeline().context(codec),
                                0,
                                Http2Error.NO_ERROR.code(),
                                Unpooled.EMPTY_BUFFER,
                                parent.newPromise());
                        parent.flush();
                        return;
                    }
                    if (path.equals("/early")) {
                        ctx.write(new DefaultHttp2HeadersFrame(
                                new DefaultHttp2Headers().status("200").set("x-served-by", name)));
                        ctx.writeAndFlush(new DefaultHttp2DataFrame(
                                Unpooled.copiedBuffer("the first part", StandardCharsets.UTF_8), false));
                    }
                    if (path.equals("/whole-early")) {
                        ctx.write(new DefaultHttp2HeadersFrame(
                                new DefaultHttp2Headers().status("401").set("x-served-by", name)));
                        ctx.writeAndFlush(new DefaultHttp2DataFrame(
                                Unpooled.copiedBuffer("denied", StandardCharsets.UTF_8), true));
                        return;
                    }
                    if (path.equals("/data-first")) {
                        // A broken cell: a body with no answer head before it.
                        ctx.writeAndFlush(new DefaultHttp2DataFrame(
                                Unpooled.copiedBuffer("headless", StandardCharsets.UTF_8), true));
                        return;
                    }
                    if (path.startsWith("/length-no-body")) {
                        String status = path.endsWith("/304") ? "304" : "200";
                        ctx.writeAndFlush(new DefaultHttp2HeadersFrame(
                                new DefaultHttp2Headers().status(status).set("content-length", "1000"), true));
                        return;
                    }
                    if (path.startsWith("/length-")) {
                        ctx.write(new DefaultHttp2HeadersFrame(
                                new DefaultHttp2Headers().status("200").set("content-length", "1000")));
                        int sent = path.equals("/length-short") ? 10 : 0;
                        ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[sent]), true));
                        return;
                    }
                    if (path.equals("/interim-end")) {
                        ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("103"), true));
                        return;
                    }
                    if (path.startsWith("/bad-header/")) {
                        // Unvalidated, so that the cell's own codec lets it through.
                        Http2Headers bad = new DefaultHttp2Headers(false).status("200");
                        if (path.endsWith("/upper")) {
                            bad.add("X-Upper", "v");
                        } else {
                            bad.add("connection", "close");
                        }
                        ctx.write(new DefaultHttp2HeadersFrame(bad));
                        ctx.writeAndFlush(new DefaultHttp2DataFrame(
                                Unpooled.copiedBuffer("after a bad head", StandardCharsets.UTF_8), true));
                        return;
                    }
                    if (path.equals("/drop")) {
                        // Closed below the HTTP/2 codec, which would send GOAWAY first.
                        ctx.channel().parent().pipeline().firstContext().close();
                        return;
                    }
                    if (path.startsWith("/reset/")) {
                        long code = Long.parseLong(path.substring("/reset/".length()));
                        ctx.writeAndFlush(new DefaultHttp2ResetFrame(code));
                        return;
                    }
                } else if (msg instanceof Http2DataFrame data) {
                    bytes += data.content().readableBytes();
                    end = data.isEndStream();
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
            String owner = misdirectedTo;
            if (end && owner != null) {
                misdirected.incrementAndGet();
                DefaultHttp2Headers head = new DefaultHttp2Headers();
                head.status("421");
                if (!owner.isEmpty()) {
                    head.set("x-cell-router-owner", owner);
                }
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(head, true));
                return;
            }
            if (end && path.equals("/stall")) {
                ctx.write(new DefaultHttp2HeadersFrame(
                        new DefaultHttp2Headers().status("200").set("x-served-by", name)));
                ctx.writeAndFlush(new DefaultHttp2DataFrame(
                        Unpooled.copiedBuffer("the first part", StandardCharsets.UTF_8), false));
                return;
            }
            if (end && path.startsWith("/tiny/")) {
                // A faulty cell: the answer in 1-byte DATA frames, each written and flushed in a task
                // of its own (a flush inside a read waits for the read's end, where the frames
                // would be joined), so each leaves as a frame of its own while the window has room.
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(
                        new DefaultHttp2Headers().status("200").set("x-served-by", name)));
                ctx.executor().execute(() -> tinyFrame(ctx, 0, Integer.parseInt(path.substring("/tiny/".length()))));
                return;
            }
            if (end && path.startsWith("/big/")) {
                // The child channel holds back what the stream's window does not take yet.
                int size = Integer.parseInt(path.substring("/big/".length()));
                ctx.write(new DefaultHttp2HeadersFrame(
                        new DefaultHttp2Headers().status("200").set("x-served-by", name)));
                for (int sent = 0; sent < size; sent += 16 * 1024) {
                    int n = Math.min(16 * 1024, size - sent);
                    ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[n]), sent + n == size))
                            .addListener(f -> {
                                if (f.isSuccess()) {
                                    bigBytesSent.addAndGet(n);
                                }
                            });
                }
                ctx.flush();
                return;
            }
            if (end && path.equals("/early")) {
                ctx.writeAndFlush(new DefaultHttp2DataFrame(
                        Unpooled.copiedBuffer(" bytes=" + bytes, StandardCharsets.UTF_8), true));
                return;
            }
            if (end) {
                ByteBuf body = Unpooled.copiedBuffer(
                        "cell=" + name + " connection=" + connection + " bytes=" + bytes, StandardCharsets.UTF_8);
                ctx.write(new DefaultHttp2HeadersFrame(
                        new DefaultHttp2Headers().status("200").set("x-served-by", name)));
                ctx.writeAndFlush(new DefaultHttp2DataFrame(body, true));
            }
        }
    }
}
