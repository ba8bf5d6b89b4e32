package io.cellrouter.registry.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** One entry of a store's change feed: which item changed, so that a cache reloads only that. */
public record Change(long sequence, Kind kind, String key, Instant at) {

    public enum Kind {
        /** {@code key} is a customer whose placement changed. */
        PLACEMENT,
        /** {@code key} is a customer whose override changed or was removed. */
        OVERRIDE,
        /** {@code key} is a cell that was created or changed. */
        CELL,
        /** {@code key} is a customer whose shadow was set, changed or removed. */
        SHADOW
    }

    public Change {
        requireNonNull(kind, "kind");
        requireNonNull(key, "key");
        requireNonNull(at, "at");
    }
}
