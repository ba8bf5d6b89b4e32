package io.cellrouter.router.pipeline;

import io.cellrouter.router.forward.LazyDeadline;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.concurrent.TimeUnit;

/**
 * A client connection's two idle timeouts, as {@link IdleStateEvent}s for the handlers after it:
 * {@code READER_IDLE} when nothing was read for {@code readerIdle} (a request body that stopped
 * arriving), {@code ALL_IDLE} when nothing was read or written for {@code allIdle} (a connection
 * with nothing to do). Each repeats every period while the connection stays idle; the handlers
 * decide what an event means in their state (README: Configuration, {@code proxy.idleTimeout}).
 *
 * <p>Netty's {@code IdleStateHandler} sees a write when it completes, which costs a promise
 * listener on every write: on a busy connection that is more work than the request's routing.
 * Here a read counts when it completes and a write when it is flushed (once per read cycle, not
 * per message); a client that stops reading stops the writes too (the relay waits for
 * writability), so it still goes idle. Timers are {@link LazyDeadline}s: about one per period.
 * Zero or less turns a timeout off.
 *
 * <p>Concurrency: confined to the connection's event loop; time is the loop's ticker.
 */
final class ClientIdleTimeouts extends ChannelDuplexHandler {

    private final long readerIdleNanos;
    private final long allIdleNanos;
    private ChannelHandlerContext ctx;
    private LazyDeadline reader;
    private LazyDeadline all;

    ClientIdleTimeouts(long readerIdle, long allIdle, TimeUnit unit) {
        this.readerIdleNanos = Math.max(0, unit.toNanos(readerIdle));
        this.allIdleNanos = Math.max(0, unit.toNanos(allIdle));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    private void start() {
        if (reader != null || all != null) {
            return;
        }
        if (readerIdleNanos > 0) {
            reader = new LazyDeadline(
                    ctx.executor(), () -> idle(reader, readerIdleNanos, IdleStateEvent.READER_IDLE_STATE_EVENT));
            reader.arm(readerIdleNanos);
        }
        if (allIdleNanos > 0) {
            all = new LazyDeadline(ctx.executor(), () -> idle(all, allIdleNanos, IdleStateEvent.ALL_IDLE_STATE_EVENT));
            all.arm(allIdleNanos);
        }
    }

    private void idle(LazyDeadline deadline, long periodNanos, IdleStateEvent event) {
        if (!ctx.channel().isActive()) {
            return;
        }
        deadline.arm(periodNanos); // the next period, unless activity moves it on
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (reader != null) {
            reader.arm(readerIdleNanos);
        }
        if (all != null) {
            all.arm(allIdleNanos);
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (all != null) {
            all.arm(allIdleNanos);
        }
        ctx.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void stop() {
        if (reader != null) {
            reader.stop();
        }
        if (all != null) {
            all.stop();
        }
    }
}
