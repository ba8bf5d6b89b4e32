package io.cellrouter.registry.cache;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Ticker;
import io.cellrouter.registry.cache.Resolution.Outcome;
import io.cellrouter.registry.cache.Resolution.Source;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import io.cellrouter.registry.store.RegistryStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

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
 *          ├─ failed ──► hint? TOKEN : REGISTRY_UNAVAILABLE
 *          ├─ busy (too many misses in flight: no read) ──► hint? TOKEN : REGISTRY_UNAVAILABLE
 *          └─ recent, overrides unreadable (or not read within 3 s) ──► REGISTRY_UNAVAILABLE (a freeze may be in force)
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
 * ResolverBuilder#snapshot snapshot file} a {@link SnapshotKeeper} (kept by the {@link RegistryFollower}) writes what the resolver knows after the
 * first load, within about two seconds of every change it learns, and at {@link #close()}; when the
 * first load fails it serves the snapshot ({@link RegistryHealth.Origin#SNAPSHOT}, ready) and keeps retrying the load
 * every {@code pollInterval}, replacing the snapshot's data with the store's once it succeeds.
 *
 * <p>Built with {@link ResolverBuilder}; {@link #start()} loads the registry and starts following it
 * ({@link RegistryFollower}). This class is the decision tree.
 */
final class CachingResolver implements Resolver {

    /** The longest a known-down store waits between two probing misses. */
    private static final Duration MAXIMUM_PROBE_INTERVAL = Duration.ofSeconds(1);

    private static final CompletableFuture<Resolution> UNKNOWN_CUSTOMER =
            CompletableFuture.completedFuture(new Resolution(Outcome.UNKNOWN_CUSTOMER, null, Source.NONE, null, null));

    /** How far the clocks of the router that wrote a placement and of this one may differ. */
    static final Duration CLOCK_SKEW = Duration.ofSeconds(2);

    /** Retry-After is in whole seconds; a freeze about to end still asks for one. */
    private static final Duration MINIMUM_FROZEN_RETRY = Duration.ofSeconds(1);

    private final ResolverConfig config;
    private final Clock clock;
    private final Ticker ticker;
    private final ResolverListener listener;
    private final String storeKind;
    private final PlacementCache placements;
    private final RegistrySync sync;
    private final CompletableFuture<Resolution> registryUnavailable;
    private final StoreHealth health;
    private final SnapshotKeeper snapshot;
    private final RegistryFollower follower;

    CachingResolver(ResolverBuilder builder) {
        this.config = builder.config;
        this.clock = builder.clock;
        this.ticker = builder.ticker;
        this.listener = builder.listener;
        this.storeKind = builder.store.kind();
        Executor executor = builder.executor == null ? Runnable::run : builder.executor;
        Duration probe = config.pollInterval().compareTo(MAXIMUM_PROBE_INTERVAL) < 0
                ? config.pollInterval()
                : MAXIMUM_PROBE_INTERVAL;
        this.health = new StoreHealth(ticker, probe.toNanos());
        MeteredStore store = new MeteredStore(builder.store, listener, ticker, health);
        this.placements = new PlacementCache(config, store, ticker, executor);
        this.sync = new RegistrySync(store, placements, config, listener, ticker, clock);
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
                        sync::reroutes,
                        storeKind);
        this.follower = new RegistryFollower(
                sync, snapshot, placements::size, config.pollInterval(), storeKind, clock, builder.scheduler);
        // A placement read on a miss may be newer than this router's last poll: it waits for the
        // move's freeze (FreezeGuard), at most SettleDeadline.MAX_WAIT, and fails when the overrides
        // cannot be read in that time.
        SettleDeadline deadline = new SettleDeadline(follower.scheduler());
        placements.settleWith(placement -> deadline.bound(sync.guard().settle(placement)));
    }

    static ResolverBuilder builder() {
        return new ResolverBuilder();
    }

    @java.lang.Override
    public CompletableFuture<Void> start() {
        return follower.start();
    }

    @java.lang.Override
    public CompletableFuture<Void> recheck(Collection<String> customers) {
        return sync.recheck(customers);
    }

    @java.lang.Override
    public CompletableFuture<Resolution> resolve(String customer, String cellHint) {
        requireNonNull(customer, "customer");
        if (!follower.isReady()) {
            // Nothing loaded yet, cells included: a placement read now would name a cell this
            // router does not know (502), where the truth is that its registry cannot answer yet.
            return registryUnavailable;
        }
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
            count(cached.stale() ? LookupKind.STALE : LookupKind.HIT);
            return decide(cached, cellHint, Source.CACHE, table);
        }
        count(LookupKind.MISS);
        return placements.load(customer).thenApply(loaded -> afterRead(customer, loaded, cellHint));
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
        return placements.reread(customer, disowningCell).thenApply(loaded -> afterRead(customer, loaded, cellHint));
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
    @java.lang.Override
    public CompletableFuture<Void> catchUp() {
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
        return follower.isReady();
    }

    @java.lang.Override
    public Optional<Duration> cacheAge(String customer) {
        return placements.age(customer);
    }

    @java.lang.Override
    public void invalidate(String customer) {
        placements.invalidate(customer);
    }

    @java.lang.Override
    public RegistryHealth health() {
        return new RegistryHealth(
                follower.origin(),
                health.isDown(),
                snapshot == null ? Optional.empty() : snapshot.writtenAt(),
                snapshot == null ? 0 : snapshot.failures(),
                sync.failedPolls(),
                sync.cursor());
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
        follower.close();
    }

    private CompletableFuture<Resolution> overridden(
            String customer, RoutingOverride override, Instant now, RoutingTable table) {
        if (override.freeze()) {
            Duration remaining = Duration.between(now, override.expiresAt());
            Duration retryAfter = remaining.compareTo(MINIMUM_FROZEN_RETRY) < 0 ? MINIMUM_FROZEN_RETRY : remaining;
            // The cell the customer is frozen on, when cached: its meters count the refusals. When
            // it is not (a cold router, or this instance's own admin write dropped it), it is read
            // in the background, once, for the refusals after this one.
            String placed = placements.cellQuietly(customer);
            if (placed == null) {
                placements.load(customer);
            }
            Cell cell = placed == null
                    ? null
                    : table.route(placed, Source.OVERRIDE).join().cell();
            return CompletableFuture.completedFuture(
                    new Resolution(Outcome.FROZEN, cell, Source.OVERRIDE, null, retryAfter));
        }
        return table.route(override.cell(), Source.OVERRIDE);
    }

    private Resolution afterRead(String customer, CachedPlacement loaded, String cellHint) {
        // The table may have changed while the read was in flight (an override among the changes):
        // decide on the current one.
        RoutingTable table = sync.table();
        RoutingOverride override = table.override(customer);
        if (override != null) {
            Instant now = clock.instant();
            if (override.isActiveAt(now)) {
                return overridden(customer, override, now, table).join();
            }
        }
        // The read failed, or the store is known down, or too many misses were in flight (BUSY).
        if (loaded == null || loaded == CachedPlacement.UNSETTLED || loaded == CachedPlacement.BUSY) {
            count(loaded == CachedPlacement.BUSY ? LookupKind.BUSY : LookupKind.ERROR);
            // A token's cell stands in for a registry that cannot be read, not for overrides that
            // cannot be read after a recent placement: a freeze may hold the customer (UNSETTLED).
            boolean hintUsable = cellHint != null && loaded != CachedPlacement.UNSETTLED;
            return (hintUsable ? table.route(cellHint, Source.TOKEN) : registryUnavailable).join();
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
}
