package io.cellrouter.router.admin;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cellrouter.registry.store.RegistryStore;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Customer counts per cell, kept for {@link #FRESHNESS}: a count reads every placement entry of
 * the cell (on DynamoDB about one read unit per 8,000 placements, eventually consistent), so a
 * console left open on a large fleet must not count every few seconds. Concurrent askers share
 * one count; a failed count is not kept. This instance's own writes drop every count at once (a
 * move shows in the counts of the router that made it); other instances' writes show within
 * {@link #FRESHNESS}.
 */
final class CellCounts {

    static final Duration FRESHNESS = Duration.ofSeconds(30);

    /** A count and when it was made. */
    record Count(long customers, Instant at) {}

    private final RegistryStore store;
    private final Supplier<Instant> now;
    private final AsyncCache<String, Count> counts = Caffeine.newBuilder()
            .expireAfterWrite(FRESHNESS)
            .maximumSize(10_000)
            .buildAsync();

    CellCounts(RegistryStore store, Supplier<Instant> now) {
        this.store = store;
        this.now = now;
    }

    CompletableFuture<Count> of(String cell) {
        return counts.get(cell, (name, executor) -> {
            Instant at = now.get();
            return store.countPlacements(name).thenApply(customers -> new Count(customers, at));
        });
    }

    void invalidateAll() {
        counts.synchronous().invalidateAll();
    }
}
