package io.cellrouter.registry.cache;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Ticker;
import io.cellrouter.registry.cache.Resolution.Outcome;
import io.cellrouter.registry.cache.Resolution.Source;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import io.cellrouter.registry.store.RegistryStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Resolver} (README "How a request is routed") over any {@link RegistryStore}: placements in a Caffeine
 * cache ({@link PlacementCache}), cells and overrides in memory ({@link RoutingTable}), both kept
 * current by following the store's change feed ({@link RegistrySync}).
 *
 * <pre>
 * resolve(customer, hint)
 *   ├─ active override? ── freeze ──► FROZEN (Retry-After: until it expires)
 *   │                   └─ cell ────► route(cell, OVERRIDE)
 *   ├─ cached? ─────────── placed ──► route(cell, CACHE)          (completed future, no allocation)
 *   │                   └─ not ─────► hint? TOKEN : default? DEFAULT : UNKNOWN_CUSTOMER
 *   └─ one shared registry read
 *          ├─ placed ──► route(cell, REGISTRY)
 *          ├─ not ─────► hint? TOKEN : default? DEFAULT : UNKNOWN_CUSTOMER
 *          └─ failed ──► hint? TOKEN : REGISTRY_UNAVAILABLE
 * route(cell): unknown cell ► UNKNOWN_CELL; offline ► CELL_OFFLINE; active or draining ► ROUTE
 * </pre>
 *
 * <p>Threads: {@code resolve} runs on the caller's thread and never blocks it; a miss completes on
 * the thread that completes the store's read. The cache runs its maintenance (Caffeine's policy
 * bookkeeping and eviction, short and amortised) on {@code executor}, by default on the thread that
 * triggers it: handing it to another thread cost a wake-up on the read path. The follower is
 * scheduled on {@code scheduler} (by default one daemon thread of its own). The store is not
 * owned: {@link #close()} leaves it open.
 *
 * <p>Static stability: a failed refresh keeps the cached placement; cells and overrides stay as last
 * read; when the store is known to be down ({@link StoreHealth}) a miss answers {@code
 * REGISTRY_UNAVAILABLE} at once instead of waiting for a call that will fail. With a {@linkplain
 * Builder#snapshot snapshot file} a {@link SnapshotKeeper} writes what the resolver knows after the
 * first load, within about two seconds of every change it learns, and at {@link #close()}; when the
 * first load fails it serves the snapshot ({@link Origin#SNAPSHOT}, ready) and keeps retrying the load
 * every {@code pollInterval}, replacing the snapshot's data with the store's once it succeeds.
 *
 * <p>Built with {@link #builder()}; {@link #start()} loads the registry and starts following it.
 */
public final class CachingResolver implements Resolver {

    private static final Logger log = LoggerFactory.getLogger(CachingResolver.class);

    /** Where the resolver's cells, overrides and placements came from. */
    public enum Origin {
        /** Nothing loaded yet: not ready. */
        NONE,
        /** The last-known-good snapshot, because the store could not be read at start. */
        SNAPSHOT,
        /** The store, and the resolver follows its change feed. */
        STORE
    }

    /** The longest a known-down store waits between two probing misses. */
    private static final Duration MAXIMUM_PROBE_INTERVAL = Duration.ofSeconds(1);

    /**
     * How often the snapshot keeper looks for a change to write by default: a routing change is on
     * disk within about two of these (a write happens only when something changed).
     */
    public static final Duration DEFAULT_SNAPSHOT_INTERVAL = Duration.ofSeconds(1);

    private static final CompletableFuture<Resolution> UNKNOWN_CUSTOMER =
            CompletableFuture.completedFuture(new Resolution(Outcome.UNKNOWN_CUSTOMER, null, Source.NONE, null, null));

    /** Retry-After is in whole seconds; a freeze about to end still asks for one. */
    private static final Duration MINIMUM_FROZEN_RETRY = Duration.ofSeconds(1);

    private final ResolverConfig config;
    private final Clock clock;
    private final Ticker ticker;
    private final ResolverListener listener;
    private final long refreshAfterNanos;
    private final String storeKind;
    private final PlacementCache placements;
    private final RegistrySync sync;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final CompletableFuture<Resolution> registryUnavailable;
    private final StoreHealth health;
    private final SnapshotKeeper snapshot;
    private volatile Origin origin = Origin.NONE;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final AtomicBoolean startRequested = new AtomicBoolean();
    private final AtomicInteger failedStarts = new AtomicInteger();
    private volatile boolean ready;
    private volatile boolean closed;
    private volatile ScheduledFuture<?> nextTask;

    private CachingResolver(Builder builder) {
        this.config = builder.config;
        this.clock = builder.clock;
        this.ticker = builder.ticker;
        this.listener = builder.listener;
        this.refreshAfterNanos = config.refreshAfter().toNanos();
        this.storeKind = builder.store.kind();
        Executor executor = builder.executor == null ? Runnable::run : builder.executor;
        this.ownsScheduler = builder.scheduler == null;
        this.scheduler = ownsScheduler
                ? Executors.newSingleThreadScheduledExecutor(daemonThreads("cell-router-registry-follower"))
                : builder.scheduler;
        Duration probe = config.pollInterval().compareTo(MAXIMUM_PROBE_INTERVAL) < 0
                ? config.pollInterval()
                : MAXIMUM_PROBE_INTERVAL;
        this.health = new StoreHealth(ticker, probe.toNanos());
        MeteredStore store = new MeteredStore(builder.store, listener, ticker, health);
        this.placements = new PlacementCache(config, store, ticker, executor);
        this.sync = new RegistrySync(store, placements, config, listener);
        this.registryUnavailable = CompletableFuture.completedFuture(
                new Resolution(Outcome.REGISTRY_UNAVAILABLE, null, Source.NONE, null, config.retryAfter()));
        this.snapshot = builder.snapshot == null
                ? null
                : new SnapshotKeeper(
                        builder.snapshot,
                        builder.snapshotInterval,
                        sync::document,
                        sync::cursor,
                        placements::size,
                        storeKind);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads cells, overrides and (with {@code preload}) every placement, then follows the change
     * feed every {@code pollInterval}. When the load fails the returned future fails, but loading is
     * retried every {@code pollInterval} until it succeeds and {@link #isReady()} turns true.
     * Calling it again returns the same future.
     */
    public CompletableFuture<Void> start() {
        if (startRequested.compareAndSet(false, true)) {
            attemptStart();
        }
        return started;
    }

    @java.lang.Override
    public CompletableFuture<Resolution> resolve(String customer, String cellHint) {
        requireNonNull(customer, "customer");
        RoutingTable table = sync.table();
        RoutingOverride override = table.override(customer);
        if (override != null) {
            Instant now = clock.instant();
            if (override.isActiveAt(now)) {
                return overridden(customer, override, now, table);
            }
        }
        long now = ticker.read();
        CachedPlacement cached = placements.ready(customer, now);
        if (cached != null) {
            count(now - cached.loadedAt() >= refreshAfterNanos ? LookupKind.STALE : LookupKind.HIT);
            return decide(cached, cellHint, Source.CACHE, table);
        }
        count(LookupKind.MISS);
        return placements.load(customer).thenApply(loaded -> afterRead(loaded, cellHint));
    }

    /**
     * The decision after a misroute ({@link PlacementCache#reread}: one registry read shared by the
     * concurrent misroutes of the customer, none when the cache already knows better).
     */
    @java.lang.Override
    public CompletableFuture<Resolution> misrouted(String customer, String cellHint, String disowningCell) {
        requireNonNull(customer, "customer");
        requireNonNull(disowningCell, "disowningCell");
        RoutingTable table = sync.table();
        RoutingOverride override = table.override(customer);
        if (override != null) {
            Instant now = clock.instant();
            if (override.isActiveAt(now)) {
                return overridden(customer, override, now, table);
            }
        }
        return placements.reread(customer, disowningCell).thenApply(loaded -> afterRead(loaded, cellHint));
    }

    @java.lang.Override
    public Shadow shadow(String customer) {
        Shadow shadow = sync.table().shadow(customer);
        return shadow != null && shadow.isActiveAt(clock.instant()) ? shadow : null;
    }

    /** Every shadow this resolver knows, expired or not. */
    public Collection<Shadow> shadows() {
        return sync.table().shadows();
    }

    /** Reads the change feed once and applies it; the follower calls this every {@code pollInterval}. */
    public CompletableFuture<Void> pollOnce() {
        return sync.pollOnce();
    }

    @java.lang.Override
    public Collection<Cell> cells() {
        return sync.table().cells();
    }

    @java.lang.Override
    public long cacheSize() {
        return placements.size();
    }

    @java.lang.Override
    public boolean isReady() {
        return ready;
    }

    @java.lang.Override
    public Optional<Duration> cacheAge(String customer) {
        return placements.age(customer);
    }

    @java.lang.Override
    public void invalidate(String customer) {
        placements.invalidate(customer);
    }

    /** Where what the resolver serves came from: nothing yet, the snapshot, or the store. */
    public Origin origin() {
        return origin;
    }

    /** True after several store calls in a row failed: misses then fail fast (see {@link StoreHealth}). */
    public boolean storeDown() {
        return health.isDown();
    }

    /** When the snapshot in use ({@link Origin#SNAPSHOT}) or the last one written was written. */
    public Optional<Instant> snapshotWrittenAt() {
        return snapshot == null ? Optional.empty() : snapshot.writtenAt();
    }

    /** Snapshot writes that failed since start. */
    public long snapshotFailures() {
        return snapshot == null ? 0 : snapshot.failures();
    }

    /** Polls of the change feed that failed since start (each outage is logged once). */
    public long failedPolls() {
        return sync.failedPolls();
    }

    /** The change-feed position up to which this resolver has applied every change. */
    public long feedCursor() {
        return sync.cursor();
    }

    public ResolverConfig config() {
        return config;
    }

    /**
     * Stops following the registry and the threads the resolver owns, after writing the snapshot
     * once more if something changed since the last write; the store stays open.
     */
    @java.lang.Override
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

    private CompletableFuture<Resolution> overridden(
            String customer, RoutingOverride override, Instant now, RoutingTable table) {
        if (override.freeze()) {
            Duration remaining = Duration.between(now, override.expiresAt());
            Duration retryAfter = remaining.compareTo(MINIMUM_FROZEN_RETRY) < 0 ? MINIMUM_FROZEN_RETRY : remaining;
            // The cell the customer is frozen on, when cached: its meters count the refusals.
            String placed = placements.cellQuietly(customer);
            Cell cell = placed == null
                    ? null
                    : table.route(placed, Source.OVERRIDE).join().cell();
            return CompletableFuture.completedFuture(
                    new Resolution(Outcome.FROZEN, cell, Source.OVERRIDE, null, retryAfter));
        }
        return table.route(override.cell(), Source.OVERRIDE);
    }

    private Resolution afterRead(CachedPlacement loaded, String cellHint) {
        // The table may have changed while the read was in flight: decide on the current one.
        RoutingTable table = sync.table();
        if (loaded == null) { // the read failed, or the store is known down
            count(LookupKind.ERROR);
            return (cellHint != null ? table.route(cellHint, Source.TOKEN) : registryUnavailable).join();
        }
        return decide(loaded, cellHint, Source.REGISTRY, table).join();
    }

    private CompletableFuture<Resolution> decide(
            CachedPlacement placement, String cellHint, Source source, RoutingTable table) {
        if (placement.isPlaced()) {
            if (cellHint != null && !cellHint.equals(placement.cell())) {
                hintOverruled(cellHint, placement.cell());
            }
            return table.route(placement.cell(), source);
        }
        if (cellHint != null) {
            return table.route(cellHint, Source.TOKEN);
        }
        if (config.unknownCustomerCell() != null) {
            return table.route(config.unknownCustomerCell(), Source.DEFAULT);
        }
        return UNKNOWN_CUSTOMER;
    }

    /** The registry places the customer elsewhere than its token says: the registry wins, the listener counts it. */
    private void hintOverruled(String hintedCell, String placedCell) {
        try {
            listener.hintOverruled(hintedCell, placedCell);
        } catch (RuntimeException e) {
            // A broken metrics listener must not break routing.
        }
    }

    private void count(LookupKind kind) {
        try {
            listener.lookup(kind);
        } catch (RuntimeException e) {
            // A broken metrics listener must not break routing.
        }
    }

    private void attemptStart() {
        if (closed) {
            return;
        }
        sync.loadAll().whenComplete((ignored, error) -> {
            if (error == null) {
                Origin before = origin;
                origin = Origin.STORE;
                ready = true;
                if (before == Origin.SNAPSHOT) {
                    log.info(
                            "{} registry: reachable again after {} failed attempts; caught up with the store"
                                    + " ({} cached placements), no longer serving the snapshot",
                            storeKind,
                            failedStarts.get(),
                            placements.size());
                } else if (failedStarts.get() > 0) {
                    log.info("{} registry: loaded after {} failed attempts; ready", storeKind, failedStarts.get());
                }
                started.complete(null);
                schedule(this::poll);
                if (snapshot != null) {
                    snapshot.follow(scheduler);
                }
                return;
            }
            if (failedStarts.getAndIncrement() == 0) {
                if (!startFromSnapshot(error)) {
                    log.warn(
                            "{} registry: the initial load failed; not ready, retrying every {}: {}",
                            storeKind,
                            config.pollInterval(),
                            RegistrySync.describe(error));
                }
            }
            started.completeExceptionally(unwrap(error));
            schedule(this::attemptStart);
        });
    }

    /** After a failed first load: serve the last-known-good snapshot if there is one. */
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
                    config.pollInterval(),
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
                    config.pollInterval());
            return true;
        } catch (IOException | RuntimeException e) {
            log.warn(
                    "{} registry: unreachable at start ({}) and the snapshot {} cannot be used ({}); not ready,"
                            + " retrying every {}",
                    storeKind,
                    RegistrySync.describe(loadError),
                    snapshot.path(),
                    e.getMessage(),
                    config.pollInterval());
            return true;
        }
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
            nextTask = scheduler.schedule(task, config.pollInterval().toNanos(), TimeUnit.NANOSECONDS);
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

    /** Builds a {@link CachingResolver}; only {@link #store} is required. */
    public static final class Builder {
        private RegistryStore store;
        private ResolverConfig config = ResolverConfig.defaults();
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.systemTicker();
        private Executor executor;
        private ScheduledExecutorService scheduler;
        private ResolverListener listener = ResolverListener.NO_OP;
        private java.nio.file.Path snapshot;
        private Duration snapshotInterval = DEFAULT_SNAPSHOT_INTERVAL;

        private Builder() {}

        /**
         * The last-known-good snapshot file: written after every full load, within about two {@code
         * snapshotInterval}s of every change the resolver learns, and at {@link #close()}; served when
         * the store cannot be read at start.
         */
        public Builder snapshot(java.nio.file.Path file) {
            this.snapshot = requireNonNull(file, "file");
            return this;
        }

        public Builder snapshotInterval(Duration interval) {
            requireNonNull(interval, "interval");
            if (interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("snapshotInterval must be positive, was " + interval);
            }
            this.snapshotInterval = interval;
            return this;
        }

        public Builder store(RegistryStore store) {
            this.store = requireNonNull(store, "store");
            return this;
        }

        public Builder config(ResolverConfig config) {
            this.config = requireNonNull(config, "config");
            return this;
        }

        /** Wall-clock time, for override expiry. */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** Elapsed time, for cache refresh, negative-entry expiry, cache age and store-call timing. */
        public Builder ticker(Ticker ticker) {
            this.ticker = requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Runs the cache's maintenance; not shut down by the resolver. Default: the calling thread
         * ({@code Runnable::run}), which adds nothing to a hit but the amortised bookkeeping.
         */
        public Builder executor(Executor executor) {
            this.executor = requireNonNull(executor, "executor");
            return this;
        }

        /** Runs the follower; not shut down by the resolver. Default: one daemon thread of its own. */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = requireNonNull(scheduler, "scheduler");
            return this;
        }

        public Builder listener(ResolverListener listener) {
            this.listener = requireNonNull(listener, "listener");
            return this;
        }

        public CachingResolver build() {
            if (store == null) {
                throw new IllegalStateException("store is required");
            }
            return new CachingResolver(this);
        }
    }
}
