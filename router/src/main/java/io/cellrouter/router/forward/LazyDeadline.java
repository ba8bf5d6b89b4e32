package io.cellrouter.router.forward;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A deadline that is set and cleared once per request but schedules about one timer per timeout
 * period: {@link #arm} records when the deadline falls and schedules a timer only when none is
 * pending (or the pending one would fire after the new deadline); {@link #disarm} only forgets the
 * deadline. A timer that fires before the current deadline (it was set for an earlier one) waits
 * for the rest; one that fires with no deadline set does nothing. On a busy keep-alive
 * connection, scheduling and cancelling a timer per request costs more than the request's own
 * routing.
 *
 * <p>Time is the event loop's ticker, so tests that advance an embedded loop's clock see it.
 * Confined to the event loop of {@code executor}.
 */
public final class LazyDeadline {

    private final EventExecutor executor;
    private final Runnable onExpiry;
    private ScheduledFuture<?> timer;
    private boolean armed;
    /** When the deadline falls (ticker time), while {@link #armed}. */
    private long dueNanos;
    /** When the pending {@link #timer} fires (ticker time). */
    private long timerDueNanos;

    /** {@code onExpiry} runs on the event loop when a deadline passes without {@link #disarm}. */
    public LazyDeadline(EventExecutor executor, Runnable onExpiry) {
        this.executor = executor;
        this.onExpiry = onExpiry;
    }

    /** The deadline falls {@code timeoutNanos} from now (replacing any earlier one). */
    public void arm(long timeoutNanos) {
        arm(executor.ticker().nanoTime(), timeoutNanos);
    }

    /** The deadline falls {@code timeoutNanos} after {@code nowNanos}, the ticker's time just read. */
    public void arm(long nowNanos, long timeoutNanos) {
        dueNanos = nowNanos + timeoutNanos;
        armed = true;
        if (timer != null && dueNanos - timerDueNanos < 0) {
            // A shorter deadline than the one the timer was set for (a wait of another kind):
            // rare, so the timer is set again rather than late.
            timer.cancel(false);
            timer = null;
        }
        if (timer == null) {
            timer = executor.schedule(this::fired, timeoutNanos, TimeUnit.NANOSECONDS);
            timerDueNanos = dueNanos;
        }
    }

    /** No deadline any more; a pending timer stays, for the next one. */
    public void disarm() {
        armed = false;
    }

    public boolean isArmed() {
        return armed;
    }

    /** No deadline and no timer: for when the connection goes away. */
    public void stop() {
        armed = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void fired() {
        timer = null;
        if (!armed) {
            return;
        }
        long left = dueNanos - executor.ticker().nanoTime();
        if (left > 0) {
            timer = executor.schedule(this::fired, left, TimeUnit.NANOSECONDS);
            timerDueNanos = dueNanos;
            return;
        }
        armed = false;
        onExpiry.run();
    }
}
