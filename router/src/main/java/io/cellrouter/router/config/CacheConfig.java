package io.cellrouter.router.config;

import io.cellrouter.registry.cache.ResolverConfig;
import java.time.Duration;

/** {@code cache}: the placement cache (see {@link ResolverConfig} for what each does). */
public record CacheConfig(long maximumSize, Duration refreshAfter, Duration negativeTtl, boolean preload) {
    public CacheConfig {
        Check.that()
                .range("maximumSize", maximumSize, 1, 1_000_000_000L)
                .positive("refreshAfter", refreshAfter)
                .notNegative("negativeTtl", negativeTtl)
                .done();
    }
}
