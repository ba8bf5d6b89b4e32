package io.cellrouter.router.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a client connection after the router's last answer without losing that answer to a reset.
 *
 * <p>A socket closed while the client's bytes sit unread in it (the rest of a refused upload,
 * requests pipelined behind the last answer) makes the kernel send a reset. The client's send
 * then fails, and most clients report "connection reset" instead of reading the answer that did
 * arrive: a 413 becomes an I/O error. So when the client may still be sending, the connection is
 * closed in stages (RFC 9112 section 9.6, nginx's {@code lingering_close}): after the answer, TLS's
 * {@code close_notify} if any and a half-close, which the client reads as the end of the answer;
 * then whatever the client still sends is read and dropped, unparsed, until it closes its side, or
 * nothing came for {@link #QUIET_MILLIS}, or {@link #MAX_MILLIS} have passed.
 *
 * <p>The handler goes first in the pipeline, so nothing behind it (TLS, the HTTP decoder, the
 * exchange) sees a byte of what is dropped. Its bound is time, not bytes: a lingering connection
 * holds no buffer, and the connection limit bounds how many linger at once.
 *
 * <p>Time is the event loop's ticker. Concurrency: confined to the connection's event loop.
 */
public final class LingeringClose extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(LingeringClose.class);

    /** The handler's name in the pipeline. */
    public static final String NAME = "lingering-close";

    /** Nothing arrived for this long: the client has stopped sending. */
    static final long QUIET_MILLIS = 2_000;

    /** The longest a connection lingers, however much the client still sends. */
    static final long MAX_MILLIS = 10_000;

    private static final AttributeKey<Boolean> CLOSING = AttributeKey.valueOf(LingeringClose.class, "closing");

    private final long quietNanos;
    private final long maxNanos;
    private long startedNanos;
    private long lastReadNanos;
    private long droppedBytes;

    LingeringClose(long quietMillis, long maxMillis) {
        this.quietNanos = TimeUnit.MILLISECONDS.toNanos(quietMillis);
        this.maxNanos = TimeUnit.MILLISECONDS.toNanos(maxMillis);
    }

    /**
     * Closes the connection of {@code lastWrite} once that write is done: at once, or lingering
     * when {@code clientMaySend} (part of the client's request, or more requests, may still be on
     * their way or unread).
     */
    public static void closeAfter(ChannelFuture lastWrite, boolean clientMaySend) {
        // Closing from now on, not only once the write is done (on io_uring, a later turn of the
        // loop): a drain that looked in between would close the connection at once, under the
        // answer or the client's upload.
        lastWrite.channel().attr(CLOSING).set(Boolean.TRUE);
        if (clientMaySend) {
            lastWrite.addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    linger(f.channel());
                } else {
                    f.channel().close(); // the answer did not go: nothing to keep the connection for
                }
            });
        } else {
            lastWrite.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Half-closes {@code channel} and drops what it still reads until the client is done. */
    static void linger(Channel channel) {
        if (isLingering(channel)) {
            return;
        }
        if (!canLinger(channel)) {
            channel.close();
            return;
        }
        DuplexChannel duplex = (DuplexChannel) channel;
        LingeringClose lingering = new LingeringClose(QUIET_MILLIS, MAX_MILLIS);
        if (channel.pipeline().get(ShutdownInputOnClose.NAME) != null) {
            // Behind it: the close this handler makes must pass it too.
            channel.pipeline().addAfter(ShutdownInputOnClose.NAME, NAME, lingering);
        } else {
            channel.pipeline().addFirst(NAME, lingering);
        }
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        ChannelFuture notified = tls == null ? channel.newSucceededFuture() : tls.closeOutbound();
        notified.addListener(
                (ChannelFutureListener) f -> duplex.shutdownOutput().addListener(shut -> {
                    if (!shut.isSuccess()) {
                        channel.close();
                    }
                }));
        // Reading may have been off (backpressure, a refused request): the client's bytes must be taken.
        channel.config().setAutoRead(true);
    }

    /** Whether {@code channel} can close in stages: open, both ways, and a socket that half-closes. */
    static boolean canLinger(Channel channel) {
        return channel instanceof DuplexChannel duplex && channel.isActive() && !duplex.isOutputShutdown();
    }

    /**
     * Whether {@code channel} is about to close after its last answer ({@link #closeAfter}),
     * lingering or not: a drain lets it finish.
     */
    public static boolean isClosing(Channel channel) {
        return channel.attr(CLOSING).get() != null || isLingering(channel);
    }

    /** Whether {@code channel} is closing in stages: its own timers, not the connection's, end it. */
    public static boolean isLingering(Channel channel) {
        return channel.pipeline().get(NAME) != null;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        startedNanos = ctx.executor().ticker().nanoTime();
        lastReadNanos = startedNanos;
        schedule(ctx, quietNanos);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            droppedBytes += bytes.readableBytes();
        }
        ReferenceCountUtil.release(msg);
        lastReadNanos = ctx.executor().ticker().nanoTime();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!ctx.channel().config().isAutoRead()) {
            ctx.read(); // someone behind turned reading off: lingering reads on regardless
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close(); // the client is done
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("{} failed while lingering", ctx.channel(), cause);
        ctx.close();
    }

    private void expired(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = ctx.executor().ticker().nanoTime();
        long quietEnds = lastReadNanos + quietNanos;
        long maxEnds = startedNanos + maxNanos;
        if (now - quietEnds >= 0 || now - maxEnds >= 0) {
            LOG.debug(
                    "{} closed after lingering {} ms ({}), {} bytes dropped",
                    ctx.channel(),
                    TimeUnit.NANOSECONDS.toMillis(now - startedNanos),
                    now - quietEnds >= 0 ? "the client went quiet" : "the client was still sending",
                    droppedBytes);
            ctx.close();
            return;
        }
        schedule(ctx, Math.min(quietEnds, maxEnds) - now);
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        ctx.executor().schedule(() -> expired(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }
}
