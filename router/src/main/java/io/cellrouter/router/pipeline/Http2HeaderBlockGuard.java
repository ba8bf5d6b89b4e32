package io.cellrouter.router.pipeline;

import io.cellrouter.router.forward.LazyDeadline;
import io.cellrouter.router.transport.LingeringClose;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The HTTP/2 side of the slow-loris guard: a request's header block (HEADERS and its
 * CONTINUATION frames, up to END_HEADERS) must arrive whole within {@code
 * proxy.requestHeaderTimeout}. Netty's codec holds an incomplete block (or a frame arriving a byte
 * at a time) without a clock, and while a block is open no other frame of the connection may be
 * read, so a client trickling one could hold the connection and its stream slot forever.
 *
 * <pre>
 *  socket ─▶ [tls] ─▶ Http2HeaderBlockGuard (reads frame headers only; passes every byte on) ─▶ Http2FrameCodec
 * </pre>
 *
 * <p>It follows the frame layout of the raw bytes (the 24-byte client preface, then 9-byte frame
 * headers and payloads it skips by length) and runs a deadline while a header block or a frame
 * header is incomplete. When it passes, the stream is reset (RST_STREAM CANCEL), the connection
 * gets GOAWAY with the last stream it processed, and it is closed: a connection stuck inside a
 * header block cannot carry anything else.
 *
 * <p>Concurrency: confined to the connection's event loop.
 */
final class Http2HeaderBlockGuard extends ChannelInboundHandlerAdapter {

    private static final int PREFACE_LENGTH = 24;
    private static final int FRAME_HEADER_LENGTH = 9;
    private static final int END_HEADERS = 0x4;
    /** How long the reset and GOAWAY of a timed-out header block may take to leave before the close. */
    static final long CLOSE_AFTER_MILLIS = 1_000;

    private final long timeoutNanos;
    private final Consumer<String> onReject;
    private final byte[] frameHeader = new byte[FRAME_HEADER_LENGTH];
    private LazyDeadline deadline;

    private int prefaceLeft = PREFACE_LENGTH;
    private int headerFill;
    private long payloadLeft;
    /** The frame being read is HEADERS or CONTINUATION with END_HEADERS: the block ends with it. */
    private boolean blockEndsWithFrame;
    /** A header block has begun and its END_HEADERS frame has not arrived whole. */
    private boolean inBlock;
    /** RST_STREAM and GOAWAY sent for a timed-out block: the connection is closing. */
    private boolean rejected;

    private int blockStream;

    /** {@code onReject}: counts a rejection by its error code (metrics). */
    Http2HeaderBlockGuard(long timeoutMillis, Consumer<String> onReject) {
        this.timeoutNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.onReject = onReject;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        deadline = new LazyDeadline(ctx.executor(), () -> expired(ctx));
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        deadline.stop();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (rejected) {
            // Told RST_STREAM and GOAWAY, closing: nothing more reaches the codec (no stream opened
            // after the GOAWAY's last stream id, no second GOAWAY, no second timeout).
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf buf) {
            scan(buf);
            boolean waiting = inBlock || headerFill > 0;
            if (waiting && !deadline.isArmed()) {
                deadline.arm(timeoutNanos);
            } else if (!waiting) {
                deadline.disarm();
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        deadline.stop();
        ctx.fireChannelInactive();
    }

    /** Follows the frame layout over {@code buf} without consuming it. */
    private void scan(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            if (prefaceLeft > 0) {
                int n = Math.min(prefaceLeft, end - i);
                prefaceLeft -= n;
                i += n;
            } else if (payloadLeft > 0) {
                int n = (int) Math.min(payloadLeft, end - i);
                payloadLeft -= n;
                i += n;
                if (payloadLeft == 0) {
                    frameDone();
                }
            } else {
                frameHeader[headerFill++] = buf.getByte(i++);
                if (headerFill == FRAME_HEADER_LENGTH) {
                    headerFill = 0;
                    frameHeaderDone();
                }
            }
        }
    }

    private void frameHeaderDone() {
        int length = (frameHeader[0] & 0xff) << 16 | (frameHeader[1] & 0xff) << 8 | (frameHeader[2] & 0xff);
        byte type = frameHeader[3];
        int flags = frameHeader[4] & 0xff;
        int stream = (frameHeader[5] & 0x7f) << 24
                | (frameHeader[6] & 0xff) << 16
                | (frameHeader[7] & 0xff) << 8
                | (frameHeader[8] & 0xff);
        blockEndsWithFrame = false;
        if (type == Http2FrameTypes.HEADERS || type == Http2FrameTypes.CONTINUATION) {
            if (type == Http2FrameTypes.HEADERS) {
                inBlock = true;
                blockStream = stream;
            }
            blockEndsWithFrame = (flags & END_HEADERS) != 0;
        }
        payloadLeft = length;
        if (length == 0) {
            frameDone();
        }
    }

    private void frameDone() {
        if (blockEndsWithFrame) {
            inBlock = false;
            blockEndsWithFrame = false;
        }
    }

    private void expired(ChannelHandlerContext ctx) {
        if (rejected || !(inBlock || headerFill > 0) || !ctx.channel().isActive()) {
            return;
        }
        rejected = true;
        onReject.accept("request_timeout");
        DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
        if (inBlock && blockStream > 0) {
            writer.writeRstStream(ctx, blockStream, Http2Error.CANCEL.code(), ctx.newPromise());
        }
        Http2ConnectionHandler codec = ctx.pipeline().get(Http2ConnectionHandler.class);
        int lastStream =
                codec == null ? 0 : Math.max(0, codec.connection().remote().lastStreamCreated());
        ByteBuf debug = Unpooled.copiedBuffer("request header timeout", StandardCharsets.US_ASCII);
        ChannelFuture sent = writer.writeGoAway(ctx, lastStream, Http2Error.NO_ERROR.code(), debug, ctx.newPromise());
        ctx.flush();
        // Closed in stages once the frames are written (LingeringClose, the close of every answer
        // that ends a connection), not at once: closed with the write still pending (on io_uring,
        // until a later turn of the loop) they were dropped, and the client saw only the close. The
        // half-close goes below the codec (no graceful wait, no GOAWAY of its own, for a connection
        // that is stuck). A client that takes nothing gets the close a moment later.
        ScheduledFuture<?> stuck =
                ctx.executor().schedule(() -> ctx.close(), CLOSE_AFTER_MILLIS, TimeUnit.MILLISECONDS);
        sent.addListener(f -> {
            if (f.isSuccess()) {
                stuck.cancel(false); // lingering now, within LingeringClose's own bounds
            }
        });
        LingeringClose.closeAfter(sent, true);
    }
}
