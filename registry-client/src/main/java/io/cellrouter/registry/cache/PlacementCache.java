package io.cellrouter.registry.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.Ticker;
import io.cellrouter.registry.model.Placement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The customer → placement cache: a synchronous Caffeine {@link Cache} bounded by {@code
 * maximumSize} (evicting by Caffeine's policy), holding one small {@link CachedPlacement} per
 * customer, and beside it the registry reads in flight.
 *
 * <ul>
 *   <li>Concurrent misses of one customer share one registry read: the read in flight is in {@code
 *       reads} until its answer is in the cache.
 *   <li>Positive entries never expire by time. Used after {@code refreshAfter}, an entry is re-read
 *       in the background (one read per customer at a time, never on a hit that is not due) while
 *       the old one is served. A failed refresh keeps the old value (stale beats down) and is tried
 *       again after another {@code refreshAfter}; the change feed, not this, is what makes moves
 *       visible quickly.
 *   <li>Negative entries ("not placed") live in a cache of their own, bounded by a quarter of
 *       {@code maximumSize}, so that a flood of unknown ids never evicts a placed customer. They
 *       count as absent once {@code negativeTtl} has passed since their read: the next use reads
 *       again and replaces them, or Caffeine evicts them.
 *   <li>A failed read is not cached: every caller sharing it sees the failure, the next one reads
 *       again. Neither is a miss refused because too many are being read ({@link MissReads}).
 *   <li>The change feed ({@link #put}, {@link #invalidate}, {@link #replaceAll}) wins over a read
 *       in flight: such a read, begun before the change, may answer what the change replaced, so
 *       its answer goes to the callers that waited for it but not into the cache.
 * </ul>
 *
 * <p>Why not Caffeine's own {@code refreshAfterWrite}, variable expiry and async cache: they made
 * every entry three objects larger (a future, a node with timer-wheel links and write times) and
 * added bookkeeping to every read. Here a hit is one Caffeine read and two field reads, allocates
 * nothing, and an entry is a 32-byte Caffeine node plus a 32-byte {@link CachedPlacement}. The
 * times are the injected ticker's, so refresh and expiry are tested without sleeping.
 *
 * <p>Concurrency: everything is safe from any thread. A read's answer is put in the cache inside
 * {@code compute} only while that read is still the customer's current one in {@code reads}; the
 * change feed removes it from {@code reads} before it writes the cache, so whichever order the two
 * run in, the feed's entry is the one left. Caffeine's maintenance (policy bookkeeping, eviction)
 * runs on {@code executor}.
 */
final class PlacementCache {

    private final Cache<String, CachedPlacement> cache;
    private final ConcurrentMap<String, CachedPlacement> map;
    private final Policy<String, CachedPlacement> policy;
    /** "Not placed" answers, apart: random customer ids fill this, never evicting a placement. */
    private final Cache<String, CachedPlacement> negatives;

    private final Policy<String, CachedPlacement> negativePolicy;
    /** The registry read in flight per customer: a miss's, or a due refresh's, or a re-read's. */
    private final ConcurrentHashMap<String, CompletableFuture<CachedPlacement>> reads = new ConcurrentHashMap<>();
    /** The re-reads after a misroute in flight per customer (also in {@code reads} while current). */
    private final ConcurrentHashMap<String, CompletableFuture<CachedPlacement>> rereads = new ConcurrentHashMap<>();
    /** Background refreshes in flight ({@link #MAX_REFRESHES_IN_FLIGHT}). */
    private final InFlightLimit refreshes = new InFlightLimit(MAX_REFRESHES_IN_FLIGHT);
    /** Re-reads after a misroute in flight ({@link #MAX_REREADS_IN_FLIGHT}). */
    private final InFlightLimit misrouteReads = new InFlightLimit(MAX_REREADS_IN_FLIGHT);
    /** The store reads of misses, bounded ({@link MissReads#MAX_IN_FLIGHT}). */
    private final MissReads misses;

    /** How long a re-read after a misroute answers the next misroute of the same cell (see {@link #reread}). */
    static final long MIN_REREAD_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

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

    private final MeteredStore store;
    private final Ticker ticker;
    /** Set once, before the cache is shared ({@link #settleWith}). */
    private Function<Placement, CompletableFuture<?>> settle = placement -> CompletableFuture.completedFuture(null);
    /** Set once, before the cache is shared ({@link #tellMovesTo}). */
    private Consumer<String> moves = customer -> {};

    private final long refreshAfterNanos;
    private final long negativeTtlNanos;

    PlacementCache(ResolverConfig config, MeteredStore store, Ticker ticker, Executor executor) {
        this.store = store;
        this.misses = new MissReads(store);
        this.ticker = ticker;
        this.refreshAfterNanos = config.refreshAfter().toNanos();
        this.negativeTtlNanos = config.negativeTtl().toNanos();
        this.cache = Caffeine.newBuilder()
                .maximumSize(config.maximumSize())
                .executor(executor)
                .build();
        this.map = cache.asMap();
        this.policy = cache.policy();
        this.negatives = Caffeine.newBuilder()
                .maximumSize(Math.max(1, config.maximumSize() / 4))
                .executor(executor)
                .build();
        this.negativePolicy = negatives.policy();
    }

    /**
     * The cached value when there is a usable one (positive, or negative and younger than {@code
     * negativeTtl}), else null. {@code now} is the ticker's time. Allocates nothing, except when it
     * starts a due refresh.
     */
    CachedPlacement ready(String customer, long now) {
        CachedPlacement value = cache.getIfPresent(customer);
        if (value == null) {
            value = negatives.getIfPresent(customer);
            return value == null || isExpired(value, now) ? null : value;
        }
        if (now - value.refreshFrom() >= refreshAfterNanos) {
            refresh(customer, value);
        }
        return value;
    }

    /**
     * The one registry read of {@code customer} that all concurrent callers share. Completes with
     * the value read (also cached, unless the change feed replaced it meanwhile), with {@link
     * CachedPlacement#UNSETTLED} when the freeze guard failed, with {@link CachedPlacement#BUSY} when
     * too many misses were in flight, or with null when the read failed or the store is known down. Never completes exceptionally.
     */
    CompletableFuture<CachedPlacement> load(String customer) {
        CompletableFuture<CachedPlacement> read = reads.get(customer);
        if (read != null) {
            return read;
        }
        CompletableFuture<CachedPlacement> mine = new CompletableFuture<>();
        read = reads.putIfAbsent(customer, mine);
        if (read != null) {
            return read;
        }
        // A read may have been answered between the caller's miss and here: use it, read nothing.
        CachedPlacement cached = usable(quietly(customer));
        if (cached != null) {
            end(customer, mine, cached);
            return mine;
        }
        // Too many misses in flight, or the store known down: failed at once, without a call (MissReads).
        settled(misses.read(customer)).whenComplete((placement, error) -> {
            CachedPlacement value = null;
            try {
                if (error == null) {
                    value = CachedPlacement.loaded(placement.orElse(null), ticker.read());
                    install(customer, mine, value);
                } else {
                    value = CachedPlacement.afterFailure(error);
                }
            } finally {
                end(customer, mine, value);
            }
        });
        return mine;
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
        CachedPlacement cached = usable(quietly(customer));
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
        reads.put(customer, mine);
        cache.invalidate(customer);
        negatives.invalidate(customer);
        if (!store.health().allowCall()) {
            end(customer, mine, null);
            return mine;
        }
        read(customer).whenComplete((placement, error) -> {
            CachedPlacement value = null;
            boolean moved = false;
            try {
                if (error == null) {
                    value = CachedPlacement.loaded(placement.orElse(null), ticker.read())
                            .asConfirmed();
                    moved = install(customer, mine, value) && cached != null && !sameCell(cached, value);
                } else {
                    value = CachedPlacement.afterFailure(error);
                }
            } finally {
                end(customer, mine, value);
            }
            if (moved) {
                moves.accept(customer); // the customer's other exchanges at the disowning cell end too
            }
        });
        return mine;
    }

    /** True when the customer is cached, positive or negative, or being read. */
    boolean contains(String customer) {
        return usable(quietly(customer)) != null || reads.containsKey(customer);
    }

    /** Caches what was just read for {@code customer}; {@code placement} null is a negative entry. */
    void put(String customer, Placement placement) {
        CachedPlacement value = CachedPlacement.loaded(placement, ticker.read());
        reads.remove(customer); // a read in flight began before this change: its answer is not cached
        if (value.isPlaced()) {
            negatives.invalidate(customer);
            cache.put(customer, value);
        } else {
            map.compute(customer, (key, current) -> {
                negatives.put(key, value);
                return null;
            });
        }
    }

    /**
     * As {@link #put}, unless the customer's entry was read after {@code since} (the ticker's time
     * a batch of re-reads began): a newer answer (a miss, a refresh, a misroute's re-read) stays.
     */
    void putUnlessReadSince(String customer, Placement placement, long since) {
        CachedPlacement current = quietly(customer);
        if (current == null || current.loadedAt() <= since) {
            put(customer, placement);
        }
    }

    /** The ticker's time now. */
    long now() {
        return ticker.read();
    }

    /**
     * A feed gap without preload (what changed is unknown): every placed entry falls due for a
     * refresh at its next use, in the background and bounded like any refresh, and routes from
     * the cache meanwhile; the "not placed" answers are dropped (their next request reads).
     */
    void allDue() {
        long due = ticker.read() - refreshAfterNanos;
        map.replaceAll((customer, value) -> value.refreshFrom() > due ? value.dueFrom(due) : value);
        negatives.invalidateAll();
    }

    /**
     * Caches exactly these placements: everything else cached is dropped. Returns the customers
     * that were cached on another cell, or dropped: those whose routing this changed.
     */
    Set<String> replaceAll(Collection<Placement> placements) {
        long now = ticker.read();
        Set<String> customers = new HashSet<>(Math.max(16, placements.size() * 4 / 3 + 1));
        Set<String> moved = new HashSet<>();
        reads.clear();
        negatives.invalidateAll();
        for (Placement placement : placements) {
            // One by one: each entry is allocated next to the Caffeine nodes that point to it, so
            // a hit finds them in neighbouring cache lines.
            customers.add(placement.customer());
            CachedPlacement before = policy.getIfPresentQuietly(placement.customer());
            if (before != null && before.isPlaced() && !before.cell().equals(placement.cell())) {
                moved.add(placement.customer());
            }
            cache.put(placement.customer(), CachedPlacement.loaded(placement, now));
        }
        map.keySet().removeIf(customer -> !customers.contains(customer) && moved.add(customer));
        return moved;
    }

    /** Every placed customer: what a snapshot of this cache holds. */
    List<Placed> placed() {
        List<Placed> placed = new ArrayList<>();
        map.forEach((customer, value) -> {
            if (value.isPlaced()) {
                placed.add(new Placed(customer, value.cell(), value.version()));
            }
        });
        return placed;
    }

    void invalidate(String customer) {
        reads.remove(customer);
        cache.invalidate(customer);
        negatives.invalidate(customer);
    }

    /** Placed customers cached ("not placed" answers apart: unknown ids do not grow it). */
    long size() {
        return cache.estimatedSize();
    }

    /** The cell a cached, placed customer is on, without counting as a use; null when not cached. */
    String cellQuietly(String customer) {
        CachedPlacement value = usable(quietly(customer));
        return value == null ? null : value.cell();
    }

    /** How long ago the cached value was read, without counting as a use. */
    Optional<Duration> age(String customer) {
        long now = ticker.read();
        CachedPlacement value = quietly(customer);
        if (value == null || isExpired(value, now)) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(Math.max(0, now - value.loadedAt())));
    }

    /** A placed customer as the cache knows it: for the snapshot. */
    record Placed(String customer, String cell, long version) {}

    /**
     * Starts the refresh of {@code old} unless one of this customer is already in flight, or
     * {@link #MAX_REFRESHES_IN_FLIGHT} of any are.
     */
    private void refresh(String customer, CachedPlacement old) {
        if (reads.containsKey(customer) || !refreshes.tryAcquire()) {
            return; // checked first: a stale entry in use does not allocate on every request
        }
        CompletableFuture<CachedPlacement> refresh = new CompletableFuture<>();
        if (reads.putIfAbsent(customer, refresh) != null) {
            refreshes.release();
            return;
        }
        refresh.whenComplete((value, error) -> refreshes.release());
        if (!store.health().allowCall()) {
            // Known down: no call; the old value stays, and the next attempt waits another refreshAfter.
            try {
                keepAfterFailure(customer, refresh, old);
            } finally {
                end(customer, refresh, old);
            }
            return;
        }
        read(customer).whenComplete((placement, error) -> {
            // A miss that joined this read (the entry was evicted meanwhile) routes on the old value if it fails.
            CachedPlacement value = old;
            boolean moved = false;
            try {
                if (error == null) {
                    value = CachedPlacement.loaded(placement.orElse(null), ticker.read());
                    moved = install(customer, refresh, value) && !sameCell(old, value);
                } else {
                    keepAfterFailure(customer, refresh, old);
                }
            } finally {
                end(customer, refresh, value);
            }
            if (moved) {
                moves.accept(customer); // a change no feed entry announced (a gap, a lost entry)
            }
        });
    }

    /** Whether {@code after} routes where {@code before} did: both on one cell, or neither placed. */
    private static boolean sameCell(CachedPlacement before, CachedPlacement after) {
        return before.isPlaced() ? after.isPlaced() && before.cell().equals(after.cell()) : !after.isPlaced();
    }

    /** Keeps {@code old}, marked so that the next refresh waits another {@code refreshAfter}. */
    private void keepAfterFailure(String customer, CompletableFuture<CachedPlacement> refresh, CachedPlacement old) {
        CachedPlacement kept = old.refreshFailed(ticker.read());
        map.computeIfPresent(customer, (key, current) -> current == old && reads.get(key) == refresh ? kept : current);
    }

    /**
     * Caches {@code value} if {@code read} is still the customer's current read. A negative value
     * goes to {@code negatives}, inside the same {@code compute} of the customer's key as a
     * positive one, so the change feed's {@link #put} (which computes there too) is ordered with it.
     * True when it was cached.
     */
    private boolean install(String customer, CompletableFuture<CachedPlacement> read, CachedPlacement value) {
        boolean[] installed = new boolean[1];
        map.compute(customer, (key, current) -> {
            if (reads.get(key) != read) {
                return current;
            }
            installed[0] = true;
            if (value.isPlaced()) {
                negatives.invalidate(key);
                return value;
            }
            negatives.put(key, value);
            return null;
        });
        return installed[0];
    }

    /**
     * Until what a placement read from the store may be used: {@link CachingResolver} makes a
     * placement written moments ago wait until the overrides are read again (a move's freeze is
     * written before its placement). When that fails, the read fails.
     */
    void settleWith(Function<Placement, CompletableFuture<?>> settle) {
        this.settle = settle;
    }

    /**
     * Who hears of a customer that a refresh or a misroute's re-read found on another cell than the
     * cached one: a change the change feed did not announce (after a feed gap, or an entry that was
     * lost).
     */
    void tellMovesTo(Consumer<String> moves) {
        this.moves = moves;
    }

    /** The store's answer for {@code customer}, once it may be used ({@link #settleWith}). */
    private CompletableFuture<Optional<Placement>> read(String customer) {
        return settled(store.placement(customer));
    }

    private CompletableFuture<Optional<Placement>> settled(CompletableFuture<Optional<Placement>> read) {
        return read.thenCompose(placement -> placement.isEmpty()
                ? CompletableFuture.completedFuture(placement)
                : settle.apply(placement.get()).thenApply(ignored -> placement));
    }

    /** The customer's entry, positive or negative, without counting as a use. */
    private CachedPlacement quietly(String customer) {
        CachedPlacement value = policy.getIfPresentQuietly(customer);
        return value != null ? value : negativePolicy.getIfPresentQuietly(customer);
    }

    /** Ends a read (after its answer, if any, was cached) and answers everyone who waits on it. */
    private void end(String customer, CompletableFuture<CachedPlacement> read, CachedPlacement answer) {
        reads.remove(customer, read);
        read.complete(answer);
    }

    private CachedPlacement usable(CachedPlacement value) {
        return value == null || isExpired(value, ticker.read()) ? null : value;
    }

    private boolean isExpired(CachedPlacement value, long now) {
        return !value.isPlaced() && now - value.loadedAt() >= negativeTtlNanos;
    }
}
