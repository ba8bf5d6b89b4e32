package io.cellrouter.registry.cache;

import io.cellrouter.registry.cache.RegistryHealth.Origin;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a resolver's registry in and keeps it current: the first load (retried every {@code
 * pollInterval} until it succeeds), the last-known-good snapshot when that load fails, then the
 * change feed every {@code pollInterval} and the {@link SnapshotKeeper}. Everything runs on one
 * scheduler thread, which it owns unless it was given one.
 *
 * <p>Its state is the resolver's {@link Origin} and readiness; the decisions themselves are the
 * {@link CachingResolver}'s, over the table and cache that {@link RegistrySync} keeps.
 */
final class RegistryFollower implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RegistryFollower.class);

    private final RegistrySync sync;
    private final SnapshotKeeper snapshot;
    private final LongSupplier cachedPlacements;
    private final Duration pollInterval;
    private final String storeKind;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;

    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final AtomicBoolean startRequested = new AtomicBoolean();
    private final AtomicInteger failedStarts = new AtomicInteger();
    private volatile Origin origin = Origin.NONE;
    private volatile boolean ready;
    private volatile boolean closed;
    private volatile ScheduledFuture<?> nextTask;

    /** {@code snapshot} may be null; {@code scheduler} null: one daemon thread of its own. */
    RegistryFollower(
            RegistrySync sync,
            SnapshotKeeper snapshot,
            LongSupplier cachedPlacements,
            Duration pollInterval,
            String storeKind,
            Clock clock,
            ScheduledExecutorService scheduler) {
        this.sync = sync;
        this.snapshot = snapshot;
        this.cachedPlacements = cachedPlacements;
        this.pollInterval = pollInterval;
        this.storeKind = storeKind;
        this.clock = clock;
        this.ownsScheduler = scheduler == null;
        this.scheduler = ownsScheduler
                ? Executors.newSingleThreadScheduledExecutor(daemonThreads("cell-router-registry-follower"))
                : scheduler;
    }

    /** The first start loads; later calls return the same future (see {@link Resolver#start()}). */
    CompletableFuture<Void> start() {
        if (startRequested.compareAndSet(false, true)) {
            attemptStart();
        }
        return started;
    }

    /** The thread the follower runs on; the resolver's timers run there too. */
    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    Origin origin() {
        return origin;
    }

    boolean isReady() {
        return ready;
    }

    /** Stops following; writes the snapshot once more if something changed since the last write. */
    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> task = nextTask;
        if (task != null) {
            task.cancel(false);
        }
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
        if (snapshot != null) {
            snapshot.close();
        }
    }

    private void attemptStart() {
        if (closed) {
            return;
        }
        sync.loadAll().whenComplete((ignored, error) -> {
            if (error == null) {
                loaded();
                return;
            }
            if (failedStarts.getAndIncrement() == 0 && !startFromSnapshot(error)) {
                log.warn(
                        "{} registry: the initial load failed; not ready, retrying every {}: {}",
                        storeKind,
                        pollInterval,
                        RegistrySync.describe(error));
            }
            started.completeExceptionally(unwrap(error));
            schedule(this::attemptStart);
        });
    }

    private void loaded() {
        Origin before = origin;
        origin = Origin.STORE;
        ready = true;
        if (before == Origin.SNAPSHOT) {
            log.info(
                    "{} registry: reachable again after {} failed attempts; caught up with the store"
                            + " ({} cached placements), no longer serving the snapshot",
                    storeKind,
                    failedStarts.get(),
                    cachedPlacements.getAsLong());
        } else if (failedStarts.get() > 0) {
            log.info("{} registry: loaded after {} failed attempts; ready", storeKind, failedStarts.get());
        }
        started.complete(null);
        schedule(this::poll);
        if (snapshot != null) {
            snapshot.follow(scheduler);
        }
    }

    /**
     * After a failed first load: serve the last-known-good snapshot if there is one. True when it
     * logged what happened (served or not), false when there is no snapshot to speak of.
     */
    private boolean startFromSnapshot(Throwable loadError) {
        if (snapshot == null || origin != Origin.NONE) {
            return false;
        }
        if (!snapshot.exists()) {
            log.warn(
                    "{} registry: the initial load failed and there is no snapshot at {} yet; not ready,"
                            + " retrying every {}: {}",
                    storeKind,
                    snapshot.path(),
                    pollInterval,
                    RegistrySync.describe(loadError));
            return true;
        }
        try {
            var document = snapshot.read();
            Instant writtenAt = snapshot.writtenAt().orElse(null);
            sync.install(document, clock.instant());
            origin = Origin.SNAPSHOT;
            ready = true;
            log.warn(
                    "{} registry: unreachable at start ({}); serving the last-known-good snapshot {} written at {}"
                            + " ({} cells, {} customers, {} overrides); retrying the store every {} and catching"
                            + " up when it returns",
                    storeKind,
                    RegistrySync.describe(loadError),
                    snapshot.path(),
                    writtenAt,
                    document.cells().size(),
                    document.customers().size(),
                    document.overrides().size(),
                    pollInterval);
        } catch (IOException | RuntimeException e) {
            log.warn(
                    "{} registry: unreachable at start ({}) and the snapshot {} cannot be used ({}); not ready,"
                            + " retrying every {}",
                    storeKind,
                    RegistrySync.describe(loadError),
                    snapshot.path(),
                    e.getMessage(),
                    pollInterval);
        }
        return true;
    }

    private void poll() {
        try {
            sync.pollOnce().whenComplete((ignored, error) -> schedule(this::poll));
        } catch (RuntimeException e) {
            log.warn("{} registry: scheduling a poll failed", storeKind, e);
            schedule(this::poll);
        }
    }

    private void schedule(Runnable task) {
        if (closed) {
            return;
        }
        try {
            nextTask = scheduler.schedule(task, pollInterval.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            if (!closed) {
                log.warn(
                        "{} registry: the scheduler rejected the follower; the registry is no longer followed",
                        storeKind);
            }
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
