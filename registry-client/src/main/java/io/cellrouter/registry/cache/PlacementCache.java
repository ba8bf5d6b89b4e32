package io.cellrouter.registry.cache;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.cellrouter.registry.model.Placement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The customer → placement cache: a Caffeine {@link AsyncLoadingCache} whose loader returns the
 * store's future, so concurrent misses of one customer share one registry read.
 *
 * <ul>
 *   <li>Positive entries never expire by time; {@code refreshAfterWrite} re-reads them in the
 *       background on use after {@code refreshAfter} while the old value is served. A failed
 *       refresh keeps the old value (stale beats down) and tries again after another {@code
 *       refreshAfter}; the change feed, not this, is what makes moves visible quickly.
 *   <li>Negative entries ("not placed") expire {@code negativeTtl} after they were read.
 *   <li>A failed read is returned as {@link CachedPlacement#failure} with a zero lifetime rather
 *       than as a failed future: every caller waiting on the read still sees the failure, the next
 *       request reads again, and Caffeine does not log a warning per failed load during an outage.
 * </ul>
 *
 * <p>Caffeine runs its maintenance on the given executor, never the common pool; time is the
 * injected ticker, so expiry and refresh are tested without sleeping.
 */
final class PlacementCache {

    private final AsyncLoadingCache<String, CachedPlacement> cache;
    private final Ticker ticker;

    PlacementCache(ResolverConfig config, MeteredStore store, Ticker ticker, Executor executor) {
        this.ticker = ticker;
        this.cache = Caffeine.newBuilder()
                .maximumSize(config.maximumSize())
                .refreshAfterWrite(config.refreshAfter())
                .expireAfter(new Lifetime(config.negativeTtl().toNanos()))
                .executor(executor)
                .ticker(ticker)
                .buildAsync(new Loader(store, ticker));
    }

    /**
     * The cached value when one is ready, else null (absent, still loading, or a failed read). Does
     * not allocate; starts a background refresh when one is due.
     */
    CachedPlacement ready(String customer) {
        CompletableFuture<CachedPlacement> future = cache.getIfPresent(customer);
        if (future == null || !future.isDone() || future.isCompletedExceptionally()) {
            return null;
        }
        CachedPlacement value = future.join();
        return value.failed() ? null : value;
    }

    /** The cached value, or the one registry read of it that all concurrent callers share. */
    CompletableFuture<CachedPlacement> load(String customer) {
        return cache.get(customer);
    }

    /** True when the customer is cached, positive or negative, or being loaded. */
    boolean contains(String customer) {
        return cache.asMap().containsKey(customer);
    }

    /** Caches what was just read for {@code customer}; {@code placement} null is a negative entry. */
    void put(String customer, Placement placement) {
        cache.put(customer, CompletableFuture.completedFuture(CachedPlacement.loaded(placement, ticker.read())));
    }

    /** Caches exactly these placements: everything else cached is dropped. */
    void replaceAll(Collection<Placement> placements) {
        long now = ticker.read();
        Map<String, CachedPlacement> values = new HashMap<>(Math.max(16, placements.size() * 4 / 3 + 1));
        for (Placement placement : placements) {
            values.put(placement.customer(), CachedPlacement.loaded(placement, now));
        }
        cache.synchronous().putAll(values);
        cache.asMap().keySet().retainAll(values.keySet());
    }

    /** Every placed customer whose read has completed: what a snapshot of this cache holds. */
    List<Placement> placed() {
        List<Placement> placed = new ArrayList<>();
        for (CompletableFuture<CachedPlacement> future : cache.asMap().values()) {
            if (future.isDone() && !future.isCompletedExceptionally()) {
                CachedPlacement value = future.join();
                if (!value.failed() && value.isPlaced()) {
                    placed.add(value.placement());
                }
            }
        }
        return placed;
    }

    void invalidate(String customer) {
        cache.synchronous().invalidate(customer);
    }

    void invalidateAll() {
        cache.synchronous().invalidateAll();
    }

    long size() {
        return cache.synchronous().estimatedSize();
    }

    /** How long ago the cached value was read, without counting as a use. */
    Optional<Duration> age(String customer) {
        CachedPlacement value = cache.synchronous().policy().getIfPresentQuietly(customer);
        if (value == null || value.failed()) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(Math.max(0, ticker.read() - value.loadedAt())));
    }

    private static final class Loader implements AsyncCacheLoader<String, CachedPlacement> {
        private final MeteredStore store;
        private final Ticker ticker;

        Loader(MeteredStore store, Ticker ticker) {
            this.store = store;
            this.ticker = ticker;
        }

        @Override
        public CompletableFuture<CachedPlacement> asyncLoad(String customer, Executor executor) {
            if (!store.health().allowCall()) {
                // Known down: answer at once rather than make this request wait out a failing call.
                return CompletableFuture.completedFuture(CachedPlacement.failure(ticker.read()));
            }
            return store.placement(customer)
                    .handle((placement, error) -> error == null
                            ? CachedPlacement.loaded(placement.orElse(null), ticker.read())
                            : CachedPlacement.failure(ticker.read()));
        }

        @Override
        public CompletableFuture<CachedPlacement> asyncReload(String customer, CachedPlacement old, Executor executor) {
            // On failure keep the old value, with its old read time: it keeps routing, counts as
            // stale, and Caffeine waits another refreshAfter before trying again.
            if (!store.health().allowCall()) {
                return CompletableFuture.completedFuture(old);
            }
            return store.placement(customer)
                    .handle((placement, error) ->
                            error == null ? CachedPlacement.loaded(placement.orElse(null), ticker.read()) : old);
        }
    }

    /** Positive entries live until evicted, negative ones for negativeTtl, failures not at all. */
    private static final class Lifetime implements Expiry<String, CachedPlacement> {
        private final long negativeTtlNanos;

        Lifetime(long negativeTtlNanos) {
            this.negativeTtlNanos = negativeTtlNanos;
        }

        @Override
        public long expireAfterCreate(String customer, CachedPlacement value, long currentTime) {
            return lifetime(value, currentTime);
        }

        @Override
        public long expireAfterUpdate(String customer, CachedPlacement value, long currentTime, long currentDuration) {
            return lifetime(value, currentTime);
        }

        @Override
        public long expireAfterRead(String customer, CachedPlacement value, long currentTime, long currentDuration) {
            return currentDuration;
        }

        private long lifetime(CachedPlacement value, long now) {
            if (value.failed()) {
                return 0;
            }
            if (value.isPlaced()) {
                return Long.MAX_VALUE;
            }
            // Counted from the read, not from this write: a failed refresh must not extend it.
            return Math.max(0, negativeTtlNanos - (now - value.loadedAt()));
        }
    }
}
