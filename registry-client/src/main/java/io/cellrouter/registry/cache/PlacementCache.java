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
 *       in the background while the old one is served; a cell's misroute re-reads it at once. Both
 *       are the {@link EntryRefresher}'s, bounded, and made as the customer's current read.
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
 * run in, the feed's entry is the one left. The refresher's reads are ordered by the same {@code
 * reads}, {@link #install} and {@link #end}. Caffeine's maintenance (policy bookkeeping, eviction)
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
    /** The store reads of misses, bounded ({@link MissReads#MAX_IN_FLIGHT}). */
    private final MissReads misses;
    /** The re-reads of cached customers: due refreshes and misroutes' re-reads, each bounded. */
    private final EntryRefresher refresher;

    private final MeteredStore store;
    private final Ticker ticker;
    /** Set once, before the cache is shared ({@link #settleWith}). */
    private Function<Placement, CompletableFuture<?>> settle = placement -> CompletableFuture.completedFuture(null);

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
        this.refresher = new EntryRefresher(this, store, ticker);
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
            refresher.refresh(customer, value);
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

    /** A cell ({@code disowning}) answered that {@code customer} is not its own: {@link EntryRefresher#reread}. */
    CompletableFuture<CachedPlacement> reread(String customer, String disowning) {
        return refresher.reread(customer, disowning);
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

    /** Keeps {@code old}, marked so that the next refresh waits another {@code refreshAfter}. */
    void keepAfterFailure(String customer, CompletableFuture<CachedPlacement> refresh, CachedPlacement old) {
        CachedPlacement kept = old.refreshFailed(ticker.read());
        map.computeIfPresent(customer, (key, current) -> current == old && reads.get(key) == refresh ? kept : current);
    }

    /**
     * Caches {@code value} if {@code read} is still the customer's current read. A negative value
     * goes to {@code negatives}, inside the same {@code compute} of the customer's key as a
     * positive one, so the change feed's {@link #put} (which computes there too) is ordered with it.
     * True when it was cached.
     */
    boolean install(String customer, CompletableFuture<CachedPlacement> read, CachedPlacement value) {
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

    /** Who hears of a customer a re-read found on another cell: {@link EntryRefresher#tellMovesTo}. */
    void tellMovesTo(Consumer<String> moves) {
        refresher.tellMovesTo(moves);
    }

    /** The store's answer for {@code customer}, once it may be used ({@link #settleWith}). */
    CompletableFuture<Optional<Placement>> read(String customer) {
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

    /** True while a read of {@code customer} is in flight: a miss's, a refresh's or a re-read's. */
    boolean isReading(String customer) {
        return reads.containsKey(customer);
    }

    /** Makes {@code read} the customer's current read unless one is in flight; true when it did. */
    boolean startRead(String customer, CompletableFuture<CachedPlacement> read) {
        return reads.putIfAbsent(customer, read) == null;
    }

    /** Makes {@code read} the customer's current read in place of any, and drops the cached entry. */
    void restartRead(String customer, CompletableFuture<CachedPlacement> read) {
        reads.put(customer, read);
        cache.invalidate(customer);
        negatives.invalidate(customer);
    }

    /** Ends a read (after its answer, if any, was cached) and answers everyone who waits on it. */
    void end(String customer, CompletableFuture<CachedPlacement> read, CachedPlacement answer) {
        reads.remove(customer, read);
        read.complete(answer);
    }

    /** The customer's entry when usable (as {@link #ready}), without counting as a use; else null. */
    CachedPlacement usableQuietly(String customer) {
        return usable(quietly(customer));
    }

    private CachedPlacement usable(CachedPlacement value) {
        return value == null || isExpired(value, ticker.read()) ? null : value;
    }

    private boolean isExpired(CachedPlacement value, long now) {
        return !value.isPlaced() && now - value.loadedAt() >= negativeTtlNanos;
    }
}
