package io.cellrouter.router.admin;

import io.cellrouter.registry.cache.Resolver;
import java.util.concurrent.CompletableFuture;

/**
 * Makes this instance apply its own admin write at once, before answering: the customer's cached
 * placement is dropped and the change feed is read now rather than at the next poll, so the
 * override table and the routing-change listener (which ends moved streams) see it exactly as
 * every other instance will see it within one poll. A failed read is not an error of the write:
 * the follower reads the feed again at its next poll.
 */
final class LocalCatchUp {

    private final Resolver resolver;
    private final CellCounts counts;

    LocalCatchUp(Resolver resolver, CellCounts counts) {
        this.resolver = resolver;
        this.counts = counts;
    }

    CompletableFuture<Void> after(String customer) {
        counts.invalidateAll();
        if (customer != null) {
            resolver.invalidate(customer);
        }
        return resolver.catchUp().exceptionally(error -> null);
    }
}
