package io.cellrouter.router.admin;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.transport.LingeringClose;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The time limits of an admin connection (README: Admin API and migrations, "Limits of the admin
 * listener"), all {@code admin.requestTimeout}:
 *
 * <pre>
 *  idle     (opened, or every answer written)   ── requestTimeout ──▶ closed, quietly
 *  reading  (a request's first byte arrived)    ── requestTimeout ──▶ 408, closed; or, with an answer
 *                                                                     outstanding, closed quietly after it
 *  answering (request read, answer outstanding) ── none: the endpoint's own bounds (a move's registry call)
 *  closing  (an answer with Connection: close)  ── requestTimeout ──▶ closed (a client that does not read)
 * </pre>
 *
 * A head's and a body's bytes count from the first, however steadily they trickle in (a read timeout
 * restarts on every byte; this does not). CRLFs between requests, which HTTP/1.1 lets a client send
 * and the decoder skips, start nothing. It sits before the HTTP codec, so that it sees the head's
 * first byte; {@link AdminGate} tells it when a request has been read and when an answer is written.
 * Idle or lingering, the connection can be evicted by {@link AdminConnectionLimit}.
 *
 * <p>Concurrency: one per channel, used on its event loop, except {@link #idleSince} and {@link
 * #claimForEviction}, which {@link AdminConnectionLimit} calls from any thread: the idleness word is
 * atomic, and only a compare-and-set leaves an idle value.
 */
final class AdminRequestDeadline extends ChannelInboundHandlerAdapter {

    /** {@link #idleSince}: a request is under way or an answer outstanding. */
    private static final long BUSY = -1;
    /** {@link #idleSince}: evicted, closing. */
    private static final long EVICTED = -2;
    /** {@link #idleSince}: lingering after its last answer (evicted first). */
    private static final long LINGERING = 0;

    private static final long ORIGIN = System.nanoTime();
    private static final AtomicLongFieldUpdater<AdminRequestDeadline> IDLE_SINCE =
            AtomicLongFieldUpdater.newUpdater(AdminRequestDeadline.class, "idle");

    private final Duration timeout;
    private final AdminConnectionLimit limit;
    /** Idle since (nanoseconds after {@link #ORIGIN}, at least 1), or {@link #LINGERING}, {@link #BUSY}, {@link #EVICTED}. */
    private volatile long idle = BUSY;

    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private boolean reading;
    private int outstanding;
    /** The request under way was answered before it was read whole (a 413, say). */
    private boolean answeredEarly;
    /** Out of time: nothing more is read; closes after the outstanding answers. */
    private boolean expired;

    private boolean closing;

    AdminRequestDeadline(Duration timeout, AdminConnectionLimit limit) {
        this.timeout = timeout;
        this.limit = limit;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) {
        if (!limit.admit(this)) {
            expired = true;
            context.close();
            return;
        }
        settle();
        context.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (expired || idle == EVICTED) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!reading
                && msg instanceof ByteBuf bytes
                && bytes.forEachByte(ByteProcessor.FIND_NON_CRLF) >= 0
                && !begin()) {
            ReferenceCountUtil.release(msg); // evicted meanwhile
            return;
        }
        context.fireChannelRead(msg);
    }

    /** A request head was decoded: its deadline runs, if its first byte did not start it already. */
    void requestBegun() {
        begin();
    }

    /** The request under way has been read whole. */
    void requestRead() {
        cancel();
        reading = false;
        if (answeredEarly) {
            answeredEarly = false;
        } else {
            outstanding++;
        }
        settle();
    }

    /**
     * A final answer is being written; {@code last}: the connection closes after it. Returns whether
     * the connection is to close after it, quietly, because the request behind it ran out of time.
     */
    boolean answered(boolean last) {
        if (outstanding > 0) {
            outstanding--;
        } else if (reading) {
            answeredEarly = true;
        }
        if (last) {
            closing = true;
            restart(this::closeIfOpen);
            return false;
        }
        if (expired && outstanding == 0) {
            closing = true;
            restart(this::closeIfOpen);
            return true;
        }
        settle();
        return false;
    }

    /** The connection lingers after its last answer: it may be evicted first. */
    void lingering() {
        long v = idle;
        if (v != EVICTED) {
            IDLE_SINCE.compareAndSet(this, v, LINGERING);
        }
    }

    /** When the connection became idle, ordered; negative: busy or evicted. Any thread. */
    long idleSince() {
        return idle;
    }

    /**
     * Claims the connection for eviction if it is still idle as it was: what it was ({@link
     * #idleSince}), or a negative value when it was not claimed. Any thread.
     */
    long claimForEviction() {
        long v = idle;
        return v >= 0 && IDLE_SINCE.compareAndSet(this, v, EVICTED) ? v : BUSY;
    }

    /** Whether a connection claimed as {@code claimed} was lingering after its last answer: closing anyway. */
    static boolean wasLingering(long claimed) {
        return claimed == LINGERING;
    }

    /** Claimed and its place given away: closes it. Any thread. */
    void evicted() {
        ctx.channel().close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        cancel();
        limit.release(this);
        context.fireChannelInactive();
    }

    /** Busy with a request; false when the connection was evicted. */
    private boolean begin() {
        if (reading) {
            return true;
        }
        while (true) {
            long v = idle;
            if (v == EVICTED) {
                return false;
            }
            if (v == BUSY || IDLE_SINCE.compareAndSet(this, v, BUSY)) {
                break;
            }
        }
        reading = true;
        restart(this::expire);
        return true;
    }

    /** Idle when no request is under way and no answer outstanding: the idle timeout runs. */
    private void settle() {
        if (reading || outstanding > 0 || closing || expired) {
            return;
        }
        long now = Math.max(1, System.nanoTime() - ORIGIN);
        // Only this event loop sets BUSY; an eviction only claims an idle value.
        if (IDLE_SINCE.compareAndSet(this, BUSY, now)) {
            restart(this::closeIfOpen);
        }
    }

    private void expire() {
        timer = null;
        expired = true;
        reading = false;
        if (outstanding > 0) {
            return; // never a 408 before an earlier answer: closed quietly after it (answered)
        }
        FullHttpResponse late = AdminHandler.error(
                ErrorCode.REQUEST_TIMEOUT,
                "an admin request's head and body must arrive within " + timeout.toMillis() + " ms");
        late.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // Through the whole pipeline, so that the codec encodes it and the gate closes the connection
        // after it, in stages: the client may still be sending.
        ctx.channel().writeAndFlush(late);
    }

    /** Closes the connection once {@code lastWrite} is done, draining what the client still sends. */
    void closeLingering(ChannelFuture lastWrite) {
        LingeringClose.closeAfter(lastWrite, true);
        lastWrite.addListener((ChannelFutureListener) f -> lingering());
    }

    private void closeIfOpen() {
        timer = null;
        if (!LingeringClose.isLingering(ctx.channel())) {
            ctx.close(); // idle, or an answer the client does not take
        }
    }

    private void restart(Runnable task) {
        cancel();
        timer = ctx.executor().schedule(task, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
