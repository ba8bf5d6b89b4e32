package io.cellrouter.registry.cache;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.Shadow;
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

    /** A builder of the resolver over a registry store. */
    static ResolverBuilder builder() {
        return new ResolverBuilder();
    }

    /**
     * Loads cells, overrides and (with {@code preload}) every placement, then follows the change
     * feed every {@code pollInterval}. When the load fails the returned future fails, but loading is
     * retried every {@code pollInterval} until it succeeds and {@link #isReady()} turns true.
     * Calling it again returns the same future.
     */
    default CompletableFuture<Void> start() {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Reads the registry's change feed once now and applies it, rather than at the next poll: after
     * a write through this router's admin API. Fails when the read fails.
     */
    default CompletableFuture<Void> catchUp() {
        return CompletableFuture.completedFuture(null);
    }

    /** How the registry behind this resolver is doing: for readiness answers and alarm gauges. */
    default RegistryHealth health() {
        return RegistryHealth.FIXED;
    }

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

    /**
     * Cell {@code disowningCell} answered that {@code customer} is not its own (a misroute): the
     * decision again, after the customer's placement has been read from the registry once more,
     * bypassing the cache (concurrent misroutes of one customer share one read). An active override
     * still wins, as in {@link #resolve}. Never completes exceptionally. The default drops the cached
     * placement and resolves again.
     */
    default CompletableFuture<Resolution> misrouted(String customer, String cellHint, String disowningCell) {
        invalidate(customer);
        return resolve(customer, cellHint);
    }

    /**
     * The customer's shadow if it has one that has not expired, else null (README "Migration
     * runbook"). Called for every request: no registry read, no allocation when there is none.
     */
    default Shadow shadow(String customer) {
        return null;
    }

    /**
     * Reads these customers' placements from the registry again and tells the listener {@link
     * ResolverListener#routingChanged} for each, once read (or once a read failed): what a listener
     * calls after {@link ResolverListener#routingMayHaveChanged}. The default drops their cached
     * placements and tells nothing.
     */
    default CompletableFuture<Void> recheck(Collection<String> customers) {
        customers.forEach(this::invalidate);
        return CompletableFuture.completedFuture(null);
    }

    @java.lang.Override
    void close();
}
