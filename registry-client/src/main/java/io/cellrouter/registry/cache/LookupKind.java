package io.cellrouter.registry.cache;

/** How a placement lookup was answered, for the {@code registry lookups by source} metric. */
public enum LookupKind {
    /** From the cache: fresh, or due for a refresh (under way in the background). */
    HIT,
    /** Not cached (or being loaded): waited for a registry read. */
    MISS,
    /** From the cache, whose last refresh failed: the store could not say whether it still holds. */
    STALE,
    /** Not cached and the registry read failed. */
    ERROR,
    /** Not cached, and answered without a registry read: too many misses were in flight (a flood of unknown ids). */
    BUSY
}
