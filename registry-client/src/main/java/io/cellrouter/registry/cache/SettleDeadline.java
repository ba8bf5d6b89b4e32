package io.cellrouter.registry.cache;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounds how long a placement read outside the polls (a miss, a refresh, a misroute's re-read)
 * waits for the freeze guard ({@link FreezeGuard#settle}).
 *
 * <p>Why: a placement written moments ago waits for a read of the overrides queued behind the
 * change feed's current poll ({@link RegistrySync#refreshOverrides}), and that poll may be a gap's
 * full reload or thousands of re-reads: minutes, during which the request would hang. Past {@link
 * #MAX_WAIT} the read fails as the freeze guard fails when the overrides cannot be read ({@link
 * FreezeGuard.Unsettled}): the request gets 503 {@code registry_unavailable} (never the placement's
 * cell, nor a token's: a freeze may hold the customer), nothing is cached, and no store call failed,
 * so the store is not counted down. The shared read of the overrides goes on for everyone else.
 *
 * <p>The timer runs on the resolver's scheduler (the follower's), so tests drive it by hand. A
 * placement that need not wait (not recent) costs nothing here.
 *
 * <p>Concurrency: stateless apart from its final fields; safe from any thread. A wait that ends by
 * the timer completes on the scheduler's thread.
 */
final class SettleDeadline {

    /**
     * The longest a placement read waits for the overrides after it: a few store calls' worth
     * (three default {@code callTimeout}s), far longer than a poll that is not reloading.
     */
    static final Duration MAX_WAIT = Duration.ofSeconds(3);

    private final ScheduledExecutorService scheduler;

    SettleDeadline(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    /** {@code settle}, failed with {@link FreezeGuard.Unsettled} if it has not completed within {@link #MAX_WAIT}. */
    CompletableFuture<Void> bound(CompletableFuture<Void> settle) {
        if (settle.isDone()) {
            return settle;
        }
        // A future of this caller's own: the read of the overrides is shared, and must not fail for all.
        CompletableFuture<Void> bounded = new CompletableFuture<>();
        ScheduledFuture<?> timer;
        try {
            Runnable expire = () -> bounded.completeExceptionally(new FreezeGuard.Unsettled(new TimeoutException(
                    "not read within " + MAX_WAIT + ": the change feed's poll ahead of the read is slow")));
            timer = scheduler.schedule(expire, MAX_WAIT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return settle; // the resolver is closing: no timer, the wait is what it was
        }
        settle.whenComplete((ignored, error) -> {
            timer.cancel(false);
            if (error == null) {
                bounded.complete(null);
            } else {
                bounded.completeExceptionally(error);
            }
        });
        return bounded;
    }
}
