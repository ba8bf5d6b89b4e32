package io.cellrouter.registry.cache;

import io.cellrouter.registry.model.Cell;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Finds the cell of a customer: active override, then cached placement, then one registry read
 * (shared by all concurrent misses of that customer), then the token's cell hint, then the
 * unknown-customer policy (README "How a request is routed").
 *
 * <p>On a cache hit the returned future is already complete. The future never completes on the
 * caller's thread after blocking it; callers that own a thread (an event loop) hop back to it.
 */
public interface Resolver extends AutoCloseable {

    /**
     * Resolves {@code customer}; {@code cellHint} is the cell named in a verified token, or null.
     * Never completes exceptionally: failures become a {@link Resolution} with an outcome.
     */
    CompletableFuture<Resolution> resolve(String customer, String cellHint);

    /** The cells as last read from the registry. */
    Collection<Cell> cells();

    /** Cached placements (positive and negative entries). */
    long cacheSize();

    /** True once the first load (cells, overrides and, with preload, placements) has completed. */
    boolean isReady();

    /**
     * How long ago the cached placement of {@code customer} was read from the registry, or empty when
     * it is not cached. For the admin API: it does not count as a use of the entry.
     */
    default Optional<Duration> cacheAge(String customer) {
        return Optional.empty();
    }

    /** Forgets the cached placement of {@code customer}, so the next request reads the registry. */
    void invalidate(String customer);

    @java.lang.Override
    void close();
}
