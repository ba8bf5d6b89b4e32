package io.cellrouter.router.forward;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The waits of one client connection's HTTP/2 exchanges for their cells' answers, behind one
 * timer. Every wait has the connection's one timeout, so they fall due in the order they were
 * armed: a list in arming order, where disarming a wait unlinks it at once and the timer is set
 * for the first wait only. When the timer fires it ends the waits that are due and sets itself for
 * the next one. A timer of the loop's own per request would cost an insertion into and a removal
 * from the loop's task queue per request, more than the rest of a small request's timing.
 *
 * <p>Time is the event loop's ticker, so a test moves an embedded loop's clock instead of waiting.
 *
 * <p>Concurrency: confined to the connection's event loop.
 */
final class Http2ResponseDeadlines implements Runnable {

    private final EventExecutor loop;
    private final long timeoutNanos;
    private Http2ResponseTimeout first;
    private Http2ResponseTimeout last;
    private ScheduledFuture<?> timer;

    Http2ResponseDeadlines(EventExecutor loop, long timeoutNanos) {
        this.loop = loop;
        this.timeoutNanos = timeoutNanos;
    }

    /** {@code wait} ends the timeout from now (counted again if it was armed already). */
    void arm(Http2ResponseTimeout wait) {
        arm(wait, loop.ticker().nanoTime());
    }

    /** How long each wait lasts, in milliseconds. */
    long timeoutMillis() {
        return TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
    }

    /** {@code wait} ends the timeout after {@code nowNanos}, the ticker's time just read. */
    void arm(Http2ResponseTimeout wait, long nowNanos) {
        disarm(wait);
        wait.dueNanos = nowNanos + timeoutNanos;
        wait.armed = true;
        wait.previous = last;
        if (last == null) {
            first = wait;
        } else {
            last.next = wait;
        }
        last = wait;
        if (timer == null) {
            timer = loop.schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** {@code wait} no longer ends (nothing happens if it is not armed). */
    void disarm(Http2ResponseTimeout wait) {
        if (!wait.armed) {
            return;
        }
        if (wait.previous == null) {
            first = wait.next;
        } else {
            wait.previous.next = wait.next;
        }
        if (wait.next == null) {
            last = wait.previous;
        } else {
            wait.next.previous = wait.previous;
        }
        wait.previous = null;
        wait.next = null;
        wait.armed = false;
    }

    /** The timer: the waits that are due end, in arming order; then the timer waits for the next. */
    @Override
    public void run() {
        timer = null;
        long now = loop.ticker().nanoTime();
        while (first != null && first.dueNanos - now <= 0) {
            Http2ResponseTimeout due = first;
            disarm(due);
            due.expired(); // may arm or disarm others
        }
        if (first != null && timer == null) {
            timer = loop.schedule(this, first.dueNanos - now, TimeUnit.NANOSECONDS);
        }
    }

    /** The connection is gone: no timer is left behind. */
    void stop() {
        while (first != null) {
            disarm(first);
        }
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
