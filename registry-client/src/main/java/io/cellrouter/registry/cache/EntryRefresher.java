package io.cellrouter.registry.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reads again from the store a customer the {@link PlacementCache} already holds: in the background
 * when its entry is due ({@link #refresh}), or at once when a cell disowned the customer (a
 * misroute, {@link #reread}). Each kind has its own bound on reads in flight, and a customer found
 * on another cell than the cached entry named is told to {@link #tellMovesTo}: a change the change
 * feed did not announce.
 *
 * <ul>
 *   <li>A due entry is re-read once per customer at a time, never on a hit that is not due, while
 *       the old one is served. A failed refresh keeps the old value (stale beats down) and is tried
 *       again after another {@code refreshAfter}; the change feed, not this, is what makes moves
 *       visible quickly.
 *   <li>Concurrent misroutes of one customer share one re-read, and a re-read that just confirmed
 *       the disowning cell answers the next misroutes for a while ({@link #reread}).
 * </ul>
 *
 * <p>Concurrency: everything is safe from any thread. Each read is made as the customer's current
 * read in the cache, and its answer is cached by the cache's own {@code install}, {@code
 * keepAfterFailure} and {@code end}, so the change feed wins over it as over any read (see {@link
 * PlacementCache}). The bounds are lock-free counters ({@link InFlightLimit}); the re-reads in
 * flight are a concurrent map of their own.
 */
final class EntryRefresher {

    /** How long a re-read after a misroute answers the next misroute of the same cell (see {@link #reread}). */
    static final long MIN_REREAD_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * Background refreshes in flight at most. A full load stamps every entry with the same time,
     * so {@code refreshAfter} later every active customer falls due at once; without a bound each
     * one's next request would start a store read in the same second, filling the store client's
     * connections (and failing the change feed's poll behind them). Over the bound a due entry is
     * simply served as it is and tried again at its next use: the refreshes spread out.
     */
    static final int MAX_REFRESHES_IN_FLIGHT = 32;

    /**
     * Re-reads after a misroute in flight at most. A cell that disowns every customer (a bad deploy
     * answering 421 to everything) would otherwise start a store read per customer per second, at
     * the rate of its traffic, filling the store client's connections and leaving the change feed
     * and real misses to time out: one faulty cell would make the registry unavailable to every
     * cell's customers. Over the bound a re-read is not made: the cached entry stays, and the
     * caller gets {@link CachedPlacement#BUSY} (the request is answered 421 {@code misrouted}).
     */
    static final int MAX_REREADS_IN_FLIGHT = 8;

    private final PlacementCache placements;
    private final MeteredStore store;
    private final Ticker ticker;
    /** The re-reads after a misroute in flight per customer (also the cache's current read while current). */
    private final ConcurrentHashMap<String, CompletableFuture<CachedPlacement>> rereads = new ConcurrentHashMap<>();
    /** Background refreshes in flight ({@link #MAX_REFRESHES_IN_FLIGHT}). */
    private final InFlightLimit refreshes = new InFlightLimit(MAX_REFRESHES_IN_FLIGHT);
    /** Re-reads after a misroute in flight ({@link #MAX_REREADS_IN_FLIGHT}). */
    private final InFlightLimit misrouteReads = new InFlightLimit(MAX_REREADS_IN_FLIGHT);
    /** Set once, before the cache is shared ({@link #tellMovesTo}). */
    private Consumer<String> moves = customer -> {};

    EntryRefresher(PlacementCache placements, MeteredStore store, Ticker ticker) {
        this.placements = placements;
        this.store = store;
        this.ticker = ticker;
    }

    /**
     * Who hears of a customer that a refresh or a misroute's re-read found on another cell than the
     * cached one: a change the change feed did not announce (after a feed gap, or an entry that was
     * lost).
     */
    void tellMovesTo(Consumer<String> moves) {
        this.moves = moves;
    }

    /**
     * Starts the refresh of {@code old} unless one of this customer is already in flight, or
     * {@link #MAX_REFRESHES_IN_FLIGHT} of any are.
     */
    void refresh(String customer, CachedPlacement old) {
        if (placements.isReading(customer) || !refreshes.tryAcquire()) {
            return; // checked first: a stale entry in use does not allocate on every request
        }
        CompletableFuture<CachedPlacement> refresh = new CompletableFuture<>();
        if (!placements.startRead(customer, refresh)) {
            refreshes.release();
            return;
        }
        refresh.whenComplete((value, error) -> refreshes.release());
        if (!store.health().allowCall()) {
            // Known down: no call; the old value stays, and the next attempt waits another refreshAfter.
            try {
                placements.keepAfterFailure(customer, refresh, old);
            } finally {
                placements.end(customer, refresh, old);
            }
            return;
        }
        placements.read(customer).whenComplete((placement, error) -> {
            // A miss that joined this read (the entry was evicted meanwhile) routes on the old value if it fails.
            CachedPlacement value = old;
            boolean moved = false;
            try {
                if (error == null) {
                    value = CachedPlacement.loaded(placement.orElse(null), ticker.read());
                    moved = placements.install(customer, refresh, value) && !sameCell(old, value);
                } else {
                    placements.keepAfterFailure(customer, refresh, old);
                }
            } finally {
                placements.end(customer, refresh, value);
            }
            if (moved) {
                moves.accept(customer); // a change no feed entry announced (a gap, a lost entry)
            }
        });
    }

    /**
     * A cell ({@code disowning}) answered that {@code customer} is not its own: the placement is
     * read from the store again, bypassing the cache, and the answer is cached. Concurrent misroutes
     * of one customer make one read:
     *
     * <ul>
     *   <li>the cache already names another cell (the change feed, or another request's re-read, got
     *       there first): that value, no read;
     *   <li>a re-read of this customer is in flight: its answer;
     *   <li>a re-read confirmed {@code disowning} (or found no placement) less than {@link
     *       #MIN_REREAD_NANOS} ago: that value, no read, so that a cell that disowns a customer the
     *       registry keeps placing on it cannot turn every request into a registry read;
     *   <li>else the cached entry is dropped and one read starts, as the customer's current read:
     *       misses of other requests meanwhile join it rather than read again, and a read begun
     *       before it is not cached over it.
     * </ul>
     *
     * Completes with the value read, or null when the read failed or the store is known to be down,
     * or {@link CachedPlacement#BUSY} over {@link #MAX_REREADS_IN_FLIGHT}. Never completes
     * exceptionally.
     */
    CompletableFuture<CachedPlacement> reread(String customer, String disowning) {
        CachedPlacement cached = placements.usableQuietly(customer);
        if (cached != null) {
            boolean elsewhere = cached.isPlaced() && !cached.cell().equals(disowning);
            boolean justConfirmed = cached.confirmed() && ticker.read() - cached.loadedAt() < MIN_REREAD_NANOS;
            if (elsewhere || justConfirmed) {
                return CompletableFuture.completedFuture(cached);
            }
        }
        CompletableFuture<CachedPlacement> read = rereads.get(customer);
        if (read != null) {
            return read;
        }
        CompletableFuture<CachedPlacement> mine = new CompletableFuture<>();
        read = rereads.putIfAbsent(customer, mine);
        if (read != null) {
            return read;
        }
        mine.whenComplete((value, error) -> rereads.remove(customer, mine));
        if (!misrouteReads.tryAcquire()) {
            mine.complete(CachedPlacement.BUSY); // no read, and the cached entry stays (MAX_REREADS_IN_FLIGHT)
            return mine;
        }
        mine.whenComplete((value, error) -> misrouteReads.release());
        placements.restartRead(customer, mine);
        if (!store.health().allowCall()) {
            placements.end(customer, mine, null);
            return mine;
        }
        placements.read(customer).whenComplete((placement, error) -> {
            CachedPlacement value = null;
            boolean moved = false;
            try {
                if (error == null) {
                    value = CachedPlacement.loaded(placement.orElse(null), ticker.read())
                            .asConfirmed();
                    moved = placements.install(customer, mine, value) && cached != null && !sameCell(cached, value);
                } else {
                    value = CachedPlacement.afterFailure(error);
                }
            } finally {
                placements.end(customer, mine, value);
            }
            if (moved) {
                moves.accept(customer); // the customer's other exchanges at the disowning cell end too
            }
        });
        return mine;
    }

    /** Whether {@code after} routes where {@code before} did: both on one cell, or neither placed. */
    private static boolean sameCell(CachedPlacement before, CachedPlacement after) {
        return before.isPlaced() ? after.isPlaced() && before.cell().equals(after.cell()) : !after.isPlaced();
    }
}
