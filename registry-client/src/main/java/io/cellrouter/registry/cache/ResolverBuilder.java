package io.cellrouter.registry.cache;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Ticker;
import io.cellrouter.registry.store.RegistryStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Builds the {@link Resolver} over a {@link RegistryStore} (placements cached with Caffeine, the
 * registry followed through its change feed); only {@link #store} is required.
 */
public final class ResolverBuilder {

    /**
     * How often the snapshot file is checked for changes to write by default: a change reaches the
     * file within about two of these.
     */
    public static final Duration DEFAULT_SNAPSHOT_INTERVAL = Duration.ofSeconds(1);

    RegistryStore store;
    ResolverConfig config = ResolverConfig.defaults();
    Clock clock = Clock.systemUTC();
    Ticker ticker = Ticker.systemTicker();
    Executor executor;
    ScheduledExecutorService scheduler;
    ResolverListener listener = ResolverListener.NO_OP;
    java.nio.file.Path snapshot;
    Duration snapshotInterval = DEFAULT_SNAPSHOT_INTERVAL;

    ResolverBuilder() {}

    /**
     * The last-known-good snapshot file: written after every full load, within about two {@code
     * snapshotInterval}s of every change the resolver learns, and when the resolver closes; served when
     * the store cannot be read at start.
     */
    public ResolverBuilder snapshot(java.nio.file.Path file) {
        this.snapshot = requireNonNull(file, "file");
        return this;
    }

    public ResolverBuilder snapshotInterval(Duration interval) {
        requireNonNull(interval, "interval");
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("snapshotInterval must be positive, was " + interval);
        }
        this.snapshotInterval = interval;
        return this;
    }

    public ResolverBuilder store(RegistryStore store) {
        this.store = requireNonNull(store, "store");
        return this;
    }

    public ResolverBuilder config(ResolverConfig config) {
        this.config = requireNonNull(config, "config");
        return this;
    }

    /** Wall-clock time, for override expiry. */
    public ResolverBuilder clock(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
        return this;
    }

    /** Elapsed time, for cache refresh, negative-entry expiry, cache age and store-call timing. */
    public ResolverBuilder ticker(Ticker ticker) {
        this.ticker = requireNonNull(ticker, "ticker");
        return this;
    }

    /**
     * Runs the cache's maintenance; not shut down by the resolver. Default: the calling thread
     * ({@code Runnable::run}), which adds nothing to a hit but the amortised bookkeeping.
     */
    public ResolverBuilder executor(Executor executor) {
        this.executor = requireNonNull(executor, "executor");
        return this;
    }

    /** Runs the follower; not shut down by the resolver. Default: one daemon thread of its own. */
    public ResolverBuilder scheduler(ScheduledExecutorService scheduler) {
        this.scheduler = requireNonNull(scheduler, "scheduler");
        return this;
    }

    public ResolverBuilder listener(ResolverListener listener) {
        this.listener = requireNonNull(listener, "listener");
        return this;
    }

    /** The resolver; {@link Resolver#start()} then loads the registry and follows it. */
    public Resolver build() {
        return buildCaching();
    }

    CachingResolver buildCaching() {
        if (store == null) {
            throw new IllegalStateException("store is required");
        }
        return new CachingResolver(this);
    }
}
