package io.cellrouter.registry.cache;

import java.time.Instant;
import java.util.Optional;

/**
 * How the registry behind a {@link Resolver} is doing, for readiness answers and alarm gauges
 * (README "Static stability").
 *
 * @param origin where what the resolver serves came from
 * @param storeDown several store calls in a row failed: misses fail fast until one succeeds
 * @param snapshotWrittenAt when the snapshot in use ({@link Origin#SNAPSHOT}) or the last one
 *     written was written; empty without a snapshot file
 * @param snapshotFailures snapshot writes that failed since start
 * @param failedPolls polls of the change feed that failed since start
 * @param feedCursor the change-feed position up to which every change has been applied
 */
public record RegistryHealth(
        Origin origin,
        boolean storeDown,
        Optional<Instant> snapshotWrittenAt,
        long snapshotFailures,
        long failedPolls,
        long feedCursor) {

    /** A resolver that follows no store (a fixed table in a test): always the store's, never down. */
    public static final RegistryHealth FIXED = new RegistryHealth(Origin.STORE, false, Optional.empty(), 0, 0, 0);

    /** Where the resolver's cells, overrides and placements came from. */
    public enum Origin {
        /** Nothing loaded yet: not ready. */
        NONE,
        /** The last-known-good snapshot, because the store could not be read at start. */
        SNAPSHOT,
        /** The store, and the resolver follows its change feed. */
        STORE
    }

    /** Served from the store and the store answers. */
    public boolean storeReachable() {
        return origin == Origin.STORE && !storeDown;
    }
}
