package io.cellrouter.registry.cache;

import io.cellrouter.registry.model.Cell;
import java.time.Duration;

/**
 * How the {@link Resolver} caches and follows the registry (README "Configuration": {@code cache},
 * {@code overrides.pollInterval}, {@code unknownCustomer}). Validated once, here; messages name the
 * field and the bad value.
 *
 * @param maximumSize how many placements the cache holds ("not placed" answers: up to a quarter as many more, apart)
 * @param refreshAfter after this long a cached placement is re-read in the background on its next
 *     use, while the old value keeps being served: a slow safety net, the change feed is the fast path
 * @param negativeTtl how long "no such customer" is remembered
 * @param preload load every placement at start (static stability: keep routing when the registry is
 *     down)
 * @param pollInterval how often the change feed is read; also the retry interval of a failed start
 * @param unknownCustomerCell the cell that takes unknown customers, or null to reject them
 * @param retryAfter the Retry-After of {@code cell_offline} and {@code registry_unavailable}
 */
public record ResolverConfig(
        long maximumSize,
        Duration refreshAfter,
        Duration negativeTtl,
        boolean preload,
        Duration pollInterval,
        String unknownCustomerCell,
        Duration retryAfter) {

    public ResolverConfig {
        if (maximumSize < 1) {
            throw new IllegalArgumentException("maximumSize must be >= 1, was " + maximumSize);
        }
        requirePositive("refreshAfter", refreshAfter);
        if (negativeTtl == null || negativeTtl.isNegative()) {
            throw new IllegalArgumentException("negativeTtl must be >= 0, was " + negativeTtl);
        }
        requirePositive("pollInterval", pollInterval);
        requirePositive("retryAfter", retryAfter);
        if (unknownCustomerCell != null
                && !Cell.NAME.matcher(unknownCustomerCell).matches()) {
            throw new IllegalArgumentException("unknownCustomerCell must be null (reject) or match " + Cell.NAME
                    + ", was '" + unknownCustomerCell + "'");
        }
    }

    /** The defaults (README "Configuration"). */
    public static ResolverConfig defaults() {
        return new ResolverConfig(
                1_000_000,
                Duration.ofMinutes(10),
                Duration.ofSeconds(5),
                true,
                Duration.ofSeconds(1),
                null,
                Duration.ofSeconds(5));
    }

    public ResolverConfig withMaximumSize(long value) {
        return new ResolverConfig(
                value, refreshAfter, negativeTtl, preload, pollInterval, unknownCustomerCell, retryAfter);
    }

    public ResolverConfig withRefreshAfter(Duration value) {
        return new ResolverConfig(
                maximumSize, value, negativeTtl, preload, pollInterval, unknownCustomerCell, retryAfter);
    }

    public ResolverConfig withNegativeTtl(Duration value) {
        return new ResolverConfig(
                maximumSize, refreshAfter, value, preload, pollInterval, unknownCustomerCell, retryAfter);
    }

    public ResolverConfig withPreload(boolean value) {
        return new ResolverConfig(
                maximumSize, refreshAfter, negativeTtl, value, pollInterval, unknownCustomerCell, retryAfter);
    }

    public ResolverConfig withPollInterval(Duration value) {
        return new ResolverConfig(
                maximumSize, refreshAfter, negativeTtl, preload, value, unknownCustomerCell, retryAfter);
    }

    /** {@code null} rejects unknown customers ({@code unknownCustomer: reject}). */
    public ResolverConfig withUnknownCustomerCell(String value) {
        return new ResolverConfig(maximumSize, refreshAfter, negativeTtl, preload, pollInterval, value, retryAfter);
    }

    public ResolverConfig withRetryAfter(Duration value) {
        return new ResolverConfig(
                maximumSize, refreshAfter, negativeTtl, preload, pollInterval, unknownCustomerCell, value);
    }

    private static void requirePositive(String field, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(field + " must be positive, was " + value);
        }
    }
}
