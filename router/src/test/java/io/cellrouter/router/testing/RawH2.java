package io.cellrouter.router.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A deliberately dumb HTTP/2 client on a plain socket: it writes exactly the frames a test asks
 * for (ignoring the server's limits, as an attacker would) and records every frame it reads as a
 * short string ("RST 5 7", "GOAWAY 11", "HEADERS 1 end", "DATA 3 12", "SETTINGS", "PING_ACK 9"). Frames are
 * encoded and decoded with Netty's frame writer and reader, nothing else of Netty's HTTP/2 stack.
 */
public final class RawH2 implements AutoCloseable {

    private final Socket socket;
    private final EmbeddedChannel scratch = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx = scratch.pipeline().firstContext();
    private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
    private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader();
    private final ByteBuf in = Unpooled.buffer();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final Map<Integer, StringBuilder> bodies = new ConcurrentHashMap<>();
    private boolean closed;
    private boolean reset;

    public RawH2(InetSocketAddress address) throws IOException {
        this(address, new Http2Settings());
    }

    /** A connection whose first SETTINGS are {@code settings} (e.g. an initial window of 0). */
    public RawH2(InetSocketAddress address, Http2Settings settings) throws IOException {
        this(new Socket(address.getAddress(), address.getPort()), settings);
    }

    /**
     * A connection that starts as HTTP/1.1 and switches to h2c by {@code Upgrade}: writes {@code
     * upgradeRequest} (which becomes stream 1), reads the server's 101, then sends the preface and
     * SETTINGS. Throws if the answer is not a 101, with the head that came instead.
     */
    public static RawH2 upgrade(InetSocketAddress address, String upgradeRequest) throws IOException {
        Socket socket = RawHttp.connect(address, 10_000);
        try {
            RawHttp.write(socket, upgradeRequest);
            String head = RawHttp.readUntil(socket.getInputStream(), "\r\n\r\n");
            if (!head.startsWith("HTTP/1.1 101 ")) {
                throw new IOException("not upgraded: " + head);
            }
            return new RawH2(socket, new Http2Settings());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private RawH2(Socket socket, Http2Settings settings) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(200);
        socket.getOutputStream().write(bytes(Http2CodecUtil.connectionPrefaceBuf()));
        writer.writeSettings(ctx, settings, scratch.newPromise());
        flush();
    }

    public RawH2 headers(int streamId, Http2Headers headers, boolean endStream) {
        writer.writeHeaders(ctx, streamId, headers, 0, endStream, scratch.newPromise());
        return this;
    }

    public RawH2 data(int streamId, byte[] bytes, boolean endStream) {
        writer.writeData(ctx, streamId, Unpooled.wrappedBuffer(bytes), 0, endStream, scratch.newPromise());
        return this;
    }

    /**
     * Acknowledges the server's SETTINGS (read them first): only then does it apply the windows it
     * announced (until then a stream may take 65,535 bytes).
     */
    public RawH2 settingsAck() {
        writer.writeSettingsAck(ctx, scratch.newPromise());
        return this;
    }

    public RawH2 ping(long payload) {
        writer.writePing(ctx, false, payload, scratch.newPromise());
        return this;
    }

    public RawH2 windowUpdate(int streamId, int increment) {
        writer.writeWindowUpdate(ctx, streamId, increment, scratch.newPromise());
        return this;
    }

    /** Writes raw bytes (for frames the writer refuses to produce). */
    public RawH2 raw(byte[] bytes) throws IOException {
        flush();
        socket.getOutputStream().write(bytes);
        return this;
    }

    public RawH2 reset(int streamId, long errorCode) {
        writer.writeRstStream(ctx, streamId, errorCode, scratch.newPromise());
        return this;
    }

    /** Sends everything written so far. */
    public RawH2 flush() throws IOException {
        scratch.flushOutbound();
        Object msg;
        while ((msg = scratch.readOutbound()) != null) {
            socket.getOutputStream().write(bytes((ByteBuf) msg));
        }
        socket.getOutputStream().flush();
        return this;
    }

    /**
     * Reads until {@code streamId} ends (DATA with END_STREAM, or RST_STREAM), the peer closes, or
     * {@code timeoutMillis} pass; then its HEADERS, DATA and RST_STREAM events, in order.
     */
    public List<String> readStream(int streamId, long timeoutMillis) throws IOException, Http2Exception {
        String end = "(DATA " + streamId + " .*end|RST " + streamId + " .*)";
        readUntil(seen -> seen.stream().anyMatch(e -> e.matches(end)), timeoutMillis);
        return stream(streamId);
    }

    /** The HEADERS, DATA and RST_STREAM events read so far on {@code streamId}, in order. */
    public List<String> stream(int streamId) {
        String prefix = "(HEADERS|DATA|RST) " + streamId + "\\b.*";
        return events.stream().filter(e -> e.matches(prefix)).toList();
    }

    /** The DATA read so far on {@code streamId}, as UTF-8 text. */
    public String body(int streamId) {
        StringBuilder body = bodies.get(streamId);
        return body == null ? "" : body.toString();
    }

    public List<String> events() {
        return List.copyOf(events);
    }

    public boolean closed() {
        return closed;
    }

    /** Whether reading ended with an error (a reset), not an end of stream. */
    public boolean wasReset() {
        return reset;
    }

    /**
     * The socket's output, for a second thread that writes frames it encoded itself while this one
     * reads; the frame methods above are not for such a thread.
     */
    public java.io.OutputStream rawOutput() throws IOException {
        return socket.getOutputStream();
    }

    /** Reads frames until {@code done} holds for the events so far, the peer closes, or time runs out. */
    public boolean readUntil(Predicate<List<String>> done, long timeoutMillis) throws IOException, Http2Exception {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        byte[] buf = new byte[16384];
        while (!done.test(events) && !closed && System.nanoTime() < deadline) {
            int n;
            try {
                n = socket.getInputStream().read(buf);
            } catch (SocketTimeoutException nothingYet) {
                continue;
            } catch (IOException reset) {
                closed = true;
                this.reset = true;
                break;
            }
            if (n < 0) {
                closed = true;
                break;
            }
            in.writeBytes(buf, 0, n);
            reader.readFrame(ctx, in, listener);
            in.discardReadBytes();
        }
        return done.test(events);
    }

    @Override
    public void close() throws IOException {
        socket.close();
        scratch.finishAndReleaseAll();
        in.release();
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        buf.release();
        return out;
    }

    private final Http2FrameAdapter listener = new Http2FrameAdapter() {
        @Override
        public void onHeadersRead(ChannelHandlerContext c, int streamId, Http2Headers h, int padding, boolean end) {
            events.add("HEADERS " + streamId + (end ? " end" : "") + " " + h.status());
        }

        @Override
        public void onHeadersRead(
                ChannelHandlerContext c,
                int streamId,
                Http2Headers h,
                int dependency,
                short weight,
                boolean exclusive,
                int padding,
                boolean end) {
            onHeadersRead(c, streamId, h, padding, end);
        }

        @Override
        public int onDataRead(ChannelHandlerContext c, int streamId, ByteBuf data, int padding, boolean end) {
            events.add("DATA " + streamId + " " + data.readableBytes() + (end ? " end" : ""));
            bodies.computeIfAbsent(streamId, id -> new StringBuilder()).append(data.toString(StandardCharsets.UTF_8));
            return data.readableBytes() + padding;
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext c, int streamId, long errorCode) {
            events.add("RST " + streamId + " " + errorCode);
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext c, int lastStreamId, long errorCode, ByteBuf debugData) {
            events.add("GOAWAY " + errorCode + " last=" + lastStreamId);
        }

        @Override
        public void onSettingsRead(ChannelHandlerContext c, Http2Settings settings) {
            events.add("SETTINGS " + settings);
        }

        @Override
        public void onPingAckRead(ChannelHandlerContext c, long data) {
            events.add("PING_ACK " + data);
        }
    };
}
