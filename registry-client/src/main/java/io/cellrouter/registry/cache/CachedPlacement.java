package io.cellrouter.registry.cache;

import io.cellrouter.registry.model.Placement;

/**
 * What the placement cache holds for one customer: the placement, or none (a negative entry), and
 * the ticker time it was read. A failed read is a third kind, {@link #failure}: it is cached with a
 * zero lifetime only so that the concurrent callers sharing the read all see the failure, without
 * Caffeine logging every failed load (it logs exceptional loads).
 */
record CachedPlacement(Placement placement, long loadedAt, boolean failed) {

    static CachedPlacement loaded(Placement placement, long loadedAt) {
        return new CachedPlacement(placement, loadedAt, false);
    }

    static CachedPlacement failure(long at) {
        return new CachedPlacement(null, at, true);
    }

    boolean isPlaced() {
        return placement != null;
    }

    /** The cell, or null when the customer is not placed. */
    String cell() {
        return placement == null ? null : placement.cell();
    }
}
