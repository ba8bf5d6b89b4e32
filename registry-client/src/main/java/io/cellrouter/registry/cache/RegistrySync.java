package io.cellrouter.registry.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import io.cellrouter.registry.store.Change;
import io.cellrouter.registry.store.ChangeBatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the resolver's cells, overrides, shadows and cached placements in step with the registry
 * (README "What a fleet costs"): one full load at start, then the change feed.
 *
 * <p>A poll reads the feed once and touches only what changed: a changed placement is re-read only
 * if that customer is cached, a changed override, shadow or cell re-reads the (few) overrides,
 * shadows or cells. So the steady-state cost per poll is one feed read, whatever the size of the
 * cache. Every {@link #TABLE_REFRESH} the cells, overrides and shadows are read whole anyway, so a
 * change whose feed entry was lost is followed within that time. When the feed no
 * longer reaches back to the cursor (a gap), everything is loaded again (without preload: the
 * cached customers are read again). The cursor only moves once
 * everything a batch asked for was applied, so a poll that fails half way is replayed whole; a
 * changed customer whose re-read fails counts as applied once it is dropped from the cache ({@link
 * PlacementRereads}: bounded, and never stuck on one customer).
 *
 * <p>An override's end is a change too, though no writer announces it: every poll takes the
 * overrides that expired since the last one out of the table, re-reads those customers'
 * placements (a move's placement whose feed entry was lost is picked up when its freeze ends,
 * not at {@code refreshAfter}) and tells the listener, which ends streams still on a cell the
 * override had sent them to ({@link TableKeeper}: the table never holds an expired override).
 *
 * <p>Concurrency: loads and polls are chained, never overlapping; each runs on whichever thread
 * completes the store's futures. The table is swapped atomically, the cache is concurrent.
 */
final class RegistrySync {

    private static final Logger log = LoggerFactory.getLogger(RegistrySync.class);

    /** How often cells, overrides and shadows are read whole, feed entries or not. */
    static final Duration TABLE_REFRESH = Duration.ofSeconds(60);

    private final MeteredStore store;
    private final PlacementCache placements;
    private final PlacementRereads rereads;
    private final FreezeGuard guard;
    private final boolean preload;
    /** The routing table (cells, overrides, shadows) and its reads from the store. */
    private final TableKeeper tables;

    private final AtomicLong failedPolls = new AtomicLong();
    /** Tells the listener whose routing changed, and counts it for the snapshot. */
    private final Reroutes reroutes;

    private final AtomicBoolean failing = new AtomicBoolean();
    private volatile long failedPollsBeforeOutage;
    private volatile long cursor;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null); // guarded by this
    /** The last {@link #refreshOverrides} queued, and whether it has still to start. Guarded by this. */
    private CompletableFuture<Void> lastRefresh;

    private boolean refreshWaiting;
    private final Ticker ticker;
    /** When cells, overrides and shadows were last read whole (the ticker's nanoseconds). */
    private volatile long tablesRead;

    RegistrySync(
            MeteredStore store,
            PlacementCache placements,
            ResolverConfig config,
            ResolverListener listener,
            Ticker ticker,
            Clock clock) {
        this.store = store;
        this.placements = placements;
        this.guard = new FreezeGuard(
                clock,
                config.pollInterval().plus(CachingResolver.CLOCK_SKEW),
                this::refreshOverrides,
                this::readOverridesNow);
        this.rereads = new PlacementRereads(store, placements, guard);
        this.reroutes = new Reroutes(listener, store.kind());
        this.preload = config.preload();
        this.ticker = ticker;
        this.tablesRead = ticker.read();
        this.tables = new TableKeeper(store, clock, RoutingTable.empty(config.retryAfter()));
        placements.tellMovesTo(this::tellRerouted);
    }

    RoutingTable table() {
        return tables.table();
    }

    /** What a placement read from the store waits for before it is used. */
    FreezeGuard guard() {
        return guard;
    }

    /** The feed position up to which every change has been applied. */
    long cursor() {
        return cursor;
    }

    long failedPolls() {
        return failedPolls.get();
    }

    /** Loads cells, overrides and (with preload) every placement, and starts the feed from there. */
    CompletableFuture<Void> loadAll() {
        return enqueue(this::loadAllNow);
    }

    /**
     * Serves {@code document} (a last-known-good snapshot) until a full load succeeds: cells,
     * overrides and placements as written there. The cursor is left alone: no feed is followed until
     * {@link #loadAll} has read the store.
     */
    void install(RegistryDocument document, Instant now) {
        tables.install(document);
        List<Placement> loaded = new ArrayList<>(document.customers().size());
        document.customers()
                .forEach((customer, cell) -> loaded.add(
                        new Placement(customer, cell, document.versions().getOrDefault(customer, 1L), now)));
        placements.replaceAll(loaded);
    }

    /** What this resolver knows, as a registry document: for the last-known-good snapshot. */
    RegistryDocument document() {
        RoutingTable current = tables.table();
        // A document names only listed cells: a placement on a cell the registry lacks routes nowhere
        // (unknown cell) and is left out, so the snapshot always reads back.
        Set<String> cells = new HashSet<>();
        current.cells().forEach(cell -> cells.add(cell.name()));
        Map<String, String> customers = new LinkedHashMap<>();
        Map<String, Long> versions = new LinkedHashMap<>();
        for (PlacementCache.Placed placement : placements.placed()) {
            if (cells.contains(placement.cell())) {
                customers.put(placement.customer(), placement.cell());
                if (placement.version() > 1) {
                    versions.put(placement.customer(), placement.version());
                }
            }
        }
        List<RoutingOverride> overrides = current.overrides().stream()
                .filter(override -> override.cell() == null || cells.contains(override.cell()))
                .toList();
        List<Shadow> shadows = current.shadows().stream()
                .filter(shadow -> cells.contains(shadow.toCell()))
                .toList();
        return new RegistryDocument(current.cells(), customers, overrides, versions, shadows);
    }

    /** Reads the change feed once and applies it. */
    CompletableFuture<Void> pollOnce() {
        return enqueue(() -> pollNow().whenComplete((ignored, error) -> recordPoll(error)));
    }

    /**
     * Reads the overrides whole now, in turn with the polls and loads: a placement read just before
     * is then decided against every override written before it (a move's freeze), however far this
     * router's feed is behind. Fails when they cannot be read, rather than let the placement be used
     * without its freeze. Customers whose override this changes are rerouted, as after a poll.
     *
     * <p>Callers share a read that is queued and not started yet: it reads after every one of
     * their placements, which is all each needs. So a burst of misses (after an import) queues one
     * read, not one each.
     */
    synchronized CompletableFuture<Void> refreshOverrides() {
        if (refreshWaiting) {
            return lastRefresh;
        }
        refreshWaiting = true; // before enqueue: the step may start (and clear it) within the call
        lastRefresh = enqueue(() -> {
            synchronized (this) {
                refreshWaiting = false;
            }
            return readOverridesNow();
        });
        return lastRefresh;
    }

    /** Reads the overrides whole and reroutes the customers whose override that changed. */
    private CompletableFuture<Void> readOverridesNow() {
        return tables.reloadOverrides().thenAccept(changed -> changed.forEach(this::tellRerouted));
    }

    private synchronized CompletableFuture<Void> enqueue(Supplier<CompletableFuture<Void>> step) {
        CompletableFuture<Void> next =
                tail.handle((ignored, error) -> (Void) null).thenCompose(ignored -> step.get());
        tail = next;
        return next;
    }

    private CompletableFuture<Void> loadAllNow() {
        // The feed position is read first: changes made during the load are then replayed, not lost.
        return store.latestSequence().thenCompose(head -> reloadEverything().thenRun(() -> cursor = head));
    }

    private CompletableFuture<Void> pollNow() {
        long from = cursor;
        long now = ticker.read();
        boolean tablesDue = now - tablesRead >= TABLE_REFRESH.toNanos();
        return store.changesSince(from)
                .thenCompose(batch -> apply(batch, from, tablesDue))
                .thenCompose(ignored -> expireOverrides())
                .thenRun(() -> {
                    if (tablesDue) {
                        tablesRead = now;
                    }
                });
    }

    private CompletableFuture<Void> apply(ChangeBatch batch, long from, boolean tablesDue) {
        if (batch.gap()) {
            log.info(
                    "{} registry: the change feed no longer reaches back to {}; reloading everything",
                    store.kind(),
                    from);
            return reloadEverything().thenRun(() -> cursor = batch.cursor());
        }
        // Every TABLE_REFRESH the (few) cells, overrides and shadows are read whole even without a
        // feed entry: a writer whose feed append failed after its item was written (the store has
        // no transactions) is then followed within that time, not never.
        boolean cellsChanged = tablesDue;
        boolean overridesChanged = tablesDue;
        boolean shadowsChanged = tablesDue;
        Set<String> customers = new LinkedHashSet<>();
        Set<String> rerouted = new LinkedHashSet<>();
        for (Change change : batch.changes()) {
            switch (change.kind()) {
                case CELL -> cellsChanged = true;
                case OVERRIDE -> {
                    overridesChanged = true;
                    rerouted.add(change.key());
                }
                case PLACEMENT -> {
                    customers.add(change.key());
                    rerouted.add(change.key());
                }
                case SHADOW -> shadowsChanged = true; // where the customer is routed does not change
            }
        }
        List<CompletableFuture<Void>> tableSteps = new ArrayList<>();
        if (cellsChanged) {
            tableSteps.add(tables.reloadCells());
        }
        if (overridesChanged) {
            // Customers whose override the reload changed are rerouted too (one a lost feed entry
            // never named, for one).
            tableSteps.add(tables.reloadOverrides().thenAccept(rerouted::addAll));
        }
        if (shadowsChanged) {
            tableSteps.add(tables.reloadShadows());
        }
        // Overrides are applied before placements: a move with freezeFor writes its freeze first,
        // and a router must never route to the new cell while the freeze is not yet in its table.
        // A re-read may find a placement newer than this batch (a later move, whose freeze lies
        // beyond it): the re-reads pass the freeze guard, which reads the overrides again.
        return CompletableFuture.allOf(tableSteps.toArray(CompletableFuture<?>[]::new))
                .thenCompose(ignored -> rereads.reread(List.copyOf(customers)))
                .thenRun(() -> {
                    cursor = batch.cursor();
                    rerouted.forEach(this::tellRerouted);
                });
    }

    /** Takes the overrides that ended out of the table; their customers are re-read and rerouted (class comment). */
    private CompletableFuture<Void> expireOverrides() {
        List<String> ended = tables.expireOverrides();
        if (ended.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        // Rerouted even when a re-read fails (the store went down): that customer was dropped from
        // the cache, and the streams the override sent elsewhere are still checked.
        return rereads.reread(ended).whenComplete((ignored, error) -> ended.forEach(this::tellRerouted));
    }

    /** How many times a customer was rerouted: a routing change the snapshot must follow, cursor moved or not. */
    long reroutes() {
        return reroutes.count();
    }

    private void tellRerouted(String customer) {
        reroutes.tell(customer);
    }

    private CompletableFuture<Void> reloadEverything() {
        tablesRead = ticker.read();
        // Without preload the cached customers fall due for a refresh at their next use, not
        // dropped (every one of them would miss at once across the fleet, and answer 503 if the
        // store then failed), nor read here (a million reads would hold the feed for minutes).
        // Which of them moved is unknown: the listener is told so, and names the customers whose
        // streams are open to be read again ({@link #recheck}); a refresh that finds a customer on
        // another cell reroutes it too ({@link PlacementCache#tellMovesTo}).
        CompletableFuture<Void> placementsLoaded;
        if (preload) {
            placementsLoaded =
                    store.placements().thenAccept(loaded -> reroutes.movedByReload(placements.replaceAll(loaded)));
        } else {
            placements.allDue();
            placementsLoaded = CompletableFuture.completedFuture(null);
        }
        // Customers whose override changed unannounced (a feed gap) are rerouted as after a poll.
        // Those the reload moved are told once everything is read (cells included).
        return CompletableFuture.allOf(
                        tables.reloadCells(), readOverridesNow(), tables.reloadShadows(), placementsLoaded)
                .thenRun(() -> reroutes.reloadCompleted(preload));
    }

    /**
     * Reads these customers' placements again, at most {@link PlacementRereads#MAX_IN_FLIGHT} at a
     * time and in turn with the polls, then reroutes each: the customers with streams open when
     * a reload could not say who moved ({@link ResolverListener#routingMayHaveChanged}). In steps
     * of {@link #RECHECK_STEP} customers, each queued when the last is done, so that polls (and the
     * admin API's catch-up) take their turns between them instead of waiting for thousands of reads.
     */
    CompletableFuture<Void> recheck(Collection<String> customers) {
        return recheckFrom(List.copyOf(customers), 0);
    }

    /** Customers re-read per turn of {@link #recheck}: a few store round trips at the re-reads' bound. */
    static final int RECHECK_STEP = 4 * PlacementRereads.MAX_IN_FLIGHT;

    private CompletableFuture<Void> recheckFrom(List<String> customers, int from) {
        if (from >= customers.size()) {
            return CompletableFuture.completedFuture(null);
        }
        List<String> step = customers.subList(from, Math.min(customers.size(), from + RECHECK_STEP));
        return enqueue(() -> rereads.reread(step).whenComplete((ignored, error) -> step.forEach(this::tellRerouted)))
                .handle((ignored, error) -> (Void) null)
                .thenCompose(ignored -> recheckFrom(customers, from + RECHECK_STEP));
    }

    /** Logs the first failure of an outage and the recovery, and only counts the polls between. */
    private void recordPoll(Throwable error) {
        if (error == null) {
            if (failing.compareAndSet(true, false)) {
                log.info(
                        "{} registry: the change feed is readable again after {} failed polls",
                        store.kind(),
                        failedPolls.get() - failedPollsBeforeOutage);
            }
            return;
        }
        long failures = failedPolls.incrementAndGet();
        if (failing.compareAndSet(false, true)) {
            failedPollsBeforeOutage = failures - 1;
            log.warn(
                    "{} registry: reading the change feed failed; routing on cached placements and retrying"
                            + " every poll: {}",
                    store.kind(),
                    describe(error));
        }
    }

    static String describe(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause.toString();
    }
}
