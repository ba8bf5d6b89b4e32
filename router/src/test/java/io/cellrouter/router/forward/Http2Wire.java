package io.cellrouter.router.forward;

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
import java.util.ArrayList;
import java.util.List;

/**
 * The far end of an HTTP/2 connection whose near end is a handler on an {@link EmbeddedChannel}:
 * the frames a test sends are encoded with Netty's frame writer, and what the channel writes is
 * decoded with its frame reader into short strings ("SETTINGS", "HEADERS 1 :status=200
 * x-request-id=r1 end", "DATA 1 5 end", "RST 1 8", "WINDOW_UPDATE 1 32768", "GOAWAY 0 last=3").
 * HPACK state is kept for each direction, as on a real connection.
 */
final class Http2Wire implements AutoCloseable {

    private final EmbeddedChannel scratch = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx = scratch.pipeline().firstContext();
    private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
    private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader();
    private final ByteBuf in = Unpooled.buffer();
    private final List<String> frames = new ArrayList<>();
    /** The channel is a client: what it writes starts with the connection preface. */
    private boolean prefaceToSkip;
    /** Fields of HEADERS frames to show, in this order (all others are left out). */
    private final List<String> shown;

    /** {@code channelIsClient}: the channel writes the client preface first; {@code shown}: header fields to show. */
    Http2Wire(boolean channelIsClient, String... shown) {
        this.prefaceToSkip = channelIsClient;
        this.shown = List.of(shown);
    }

    /** The client's connection preface and SETTINGS (this end is the client). */
    ByteBuf clientPreface(Http2Settings settings) {
        ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
        return Unpooled.wrappedBuffer(preface, settings(settings));
    }

    ByteBuf settings(Http2Settings settings) {
        writer.writeSettings(ctx, settings, scratch.newPromise());
        return written();
    }

    ByteBuf settingsAck() {
        writer.writeSettingsAck(ctx, scratch.newPromise());
        return written();
    }

    ByteBuf headers(int streamId, Http2Headers headers, boolean endStream) {
        writer.writeHeaders(ctx, streamId, headers, 0, endStream, scratch.newPromise());
        return written();
    }

    ByteBuf data(int streamId, int bytes, boolean endStream) {
        writer.writeData(ctx, streamId, Unpooled.wrappedBuffer(new byte[bytes]), 0, endStream, scratch.newPromise());
        return written();
    }

    ByteBuf rst(int streamId, long errorCode) {
        writer.writeRstStream(ctx, streamId, errorCode, scratch.newPromise());
        return written();
    }

    ByteBuf goAway(int lastStreamId, long errorCode) {
        writer.writeGoAway(ctx, lastStreamId, errorCode, Unpooled.EMPTY_BUFFER, scratch.newPromise());
        return written();
    }

    ByteBuf windowUpdate(int streamId, int increment) {
        writer.writeWindowUpdate(ctx, streamId, increment, scratch.newPromise());
        return written();
    }

    private ByteBuf written() {
        scratch.flushOutbound();
        ByteBuf all = Unpooled.buffer();
        Object msg;
        while ((msg = scratch.readOutbound()) != null) {
            ByteBuf part = (ByteBuf) msg;
            all.writeBytes(part);
            part.release();
        }
        return all;
    }

    /** The frames {@code ch} wrote since the last call (its tasks run first). */
    List<String> read(EmbeddedChannel ch) {
        ch.runPendingTasks();
        if (ch.isOpen()) {
            ch.flushOutbound(); // a closed channel has flushed what it wrote before closing
        }
        Object msg;
        while ((msg = ch.readOutbound()) != null) {
            ByteBuf part = (ByteBuf) msg;
            in.writeBytes(part);
            part.release();
        }
        if (prefaceToSkip
                && in.readableBytes() >= Http2CodecUtil.connectionPrefaceBuf().readableBytes()) {
            in.skipBytes(Http2CodecUtil.connectionPrefaceBuf().readableBytes());
            prefaceToSkip = false;
        }
        try {
            reader.readFrame(ctx, in, listener);
        } catch (Http2Exception e) {
            throw new AssertionError("the channel wrote an invalid frame", e);
        }
        in.discardReadBytes();
        List<String> read = List.copyOf(frames);
        frames.clear();
        return read;
    }

    @Override
    public void close() {
        scratch.finishAndReleaseAll();
        in.release();
    }

    private String fields(Http2Headers headers) {
        StringBuilder out = new StringBuilder();
        for (String name : shown) {
            CharSequence value = headers.get(name);
            if (value != null) {
                out.append(' ').append(name).append('=').append(value);
            }
        }
        return out.toString();
    }

    private final Http2FrameAdapter listener = new Http2FrameAdapter() {
        @Override
        public void onHeadersRead(ChannelHandlerContext c, int streamId, Http2Headers h, int padding, boolean end) {
            frames.add("HEADERS " + streamId + fields(h) + (end ? " end" : ""));
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
            frames.add("DATA " + streamId + " " + data.readableBytes() + (end ? " end" : ""));
            return data.readableBytes() + padding;
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext c, int streamId, long errorCode) {
            frames.add("RST " + streamId + " " + errorCode);
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext c, int lastStreamId, long errorCode, ByteBuf debugData) {
            frames.add("GOAWAY " + errorCode + " last=" + lastStreamId);
        }

        @Override
        public void onSettingsRead(ChannelHandlerContext c, Http2Settings settings) {
            frames.add("SETTINGS");
        }

        @Override
        public void onSettingsAckRead(ChannelHandlerContext c) {
            frames.add("SETTINGS_ACK");
        }

        @Override
        public void onWindowUpdateRead(ChannelHandlerContext c, int streamId, int increment) {
            frames.add("WINDOW_UPDATE " + streamId + " " + increment);
        }
    };
}
