package io.cellrouter.router.config;

import java.time.Duration;

/** {@code overrides}: how often every router reads the change feed. */
public record OverridesConfig(Duration pollInterval) {
    public OverridesConfig {
        Check.that().positive("pollInterval", pollInterval).done();
    }
}
