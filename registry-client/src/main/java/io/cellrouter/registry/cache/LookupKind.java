package io.cellrouter.registry.cache;

/** How a placement lookup was answered, for the {@code registry lookups by source} metric. */
public enum LookupKind {
    /** From the cache, fresh. */
    HIT,
    /** Not cached (or being loaded): waited for a registry read. */
    MISS,
    /** From the cache, older than {@code refreshAfter}: its refresh is due, in flight, or failed. */
    STALE,
    /** Not cached and the registry read failed. */
    ERROR,
    /** Not cached, and answered without a registry read: too many misses were in flight (a flood of unknown ids). */
    BUSY
}
