package io.cellrouter.registry.cache;

import io.cellrouter.registry.model.Placement;
import java.util.concurrent.CompletionException;

/**
 * What the placement cache holds for one customer, kept small because there is one per cached
 * customer (a million of them in 32 bytes each): the cell name, shared by every customer of that
 * cell (the cache interns it; it is never a per-customer copy), the placement's version (for the
 * snapshot), and the ticker time it was read. A null cell is a negative entry ("not placed").
 *
 * <p>No {@code Placement}, no {@code Instant}: what the hit path reads is here, the rest is rebuilt
 * when a snapshot asks for it. Immutable: a change replaces the entry.
 */
class CachedPlacement {

    private final String cell;
    private final long version;
    private final long loadedAt;

    CachedPlacement(String cell, long version, long loadedAt) {
        this.cell = cell;
        this.version = version;
        this.loadedAt = loadedAt;
    }

    /**
     * What a read answers that found a placement but could not read the overrides after it ({@link
     * FreezeGuard.Unsettled}): neither placed nor "not placed", and never cached.
     */
    static final CachedPlacement UNSETTLED = new CachedPlacement(null, 0, 0);

    /**
     * What a miss answers that was refused without a store read because too many were in flight
     * ({@link MissReads.Busy}): neither placed nor "not placed", never cached, no store failure.
     */
    static final CachedPlacement BUSY = new CachedPlacement(null, 0, 0);

    /**
     * What a failed read answers its callers: {@link #UNSETTLED} for the freeze guard's failure,
     * {@link #BUSY} for a miss refused over the bound, else null.
     */
    static CachedPlacement afterFailure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof MissReads.Busy) {
            return BUSY;
        }
        return cause instanceof FreezeGuard.Unsettled ? UNSETTLED : null;
    }

    /** {@code placement} as read at {@code now}; null is "not placed". */
    static CachedPlacement loaded(Placement placement, long now) {
        return placement == null
                ? notPlaced(now)
                : new CachedPlacement(
                        // One String per cell name whatever the store hands out (DynamoDB: a new
                        // one per item), the same one the routing table's lookup is keyed by.
                        RoutingTable.CELL_NAMES.intern(placement.cell()), placement.version(), now);
    }

    /** The customer is not placed, as read at {@code loadedAt}. */
    static CachedPlacement notPlaced(long loadedAt) {
        return new CachedPlacement(null, 0, loadedAt);
    }

    boolean isPlaced() {
        return cell != null;
    }

    /** The cell, or null when the customer is not placed. */
    String cell() {
        return cell;
    }

    /** The placement's version; 0 for a negative entry. */
    long version() {
        return version;
    }

    /** The ticker time of the registry read this entry holds. */
    long loadedAt() {
        return loadedAt;
    }

    /**
     * The ticker time from which the next refresh is counted: the read, or the last failed refresh
     * (so that a failing store is asked again only every {@code refreshAfter}, not on every use).
     */
    long refreshFrom() {
        return loadedAt;
    }

    /**
     * Whether this entry was read again because a cell disowned the customer (a misroute): such an
     * entry, while young, answers the next misroute of the same cell without another read.
     */
    boolean confirmed() {
        return false;
    }

    /** This value as read again after a misroute (see {@link #confirmed()}). */
    CachedPlacement asConfirmed() {
        return new Confirmed(cell, version, loadedAt);
    }

    /** This entry, unchanged, with its next refresh counted from {@code at}, a failed refresh. */
    CachedPlacement refreshFailed(long at) {
        return new RefreshFailed(cell, version, loadedAt, at, true);
    }

    /**
     * This entry, unchanged, due for a refresh from {@code at} (a feed gap: what changed is
     * unknown); stale still if its last refresh failed.
     */
    CachedPlacement dueFrom(long at) {
        return new RefreshFailed(cell, version, loadedAt, at, stale());
    }

    /**
     * Whether the last refresh of this entry failed: served, it is stale (the store could not say
     * whether it still holds), which a due refresh, or one under way, is not.
     */
    boolean stale() {
        return false;
    }

    @Override
    public String toString() {
        return (cell == null ? "not placed" : cell + " v" + version) + " read at " + loadedAt;
    }

    /** An entry read again after a misroute. */
    private static final class Confirmed extends CachedPlacement {
        Confirmed(String cell, long version, long loadedAt) {
            super(cell, version, loadedAt);
        }

        @Override
        boolean confirmed() {
            return true;
        }
    }

    /**
     * An entry whose refresh failed, or that a feed gap made due: it keeps routing with its old read
     * time (so its age keeps growing; after a failure it counts as stale), and the next refresh is
     * counted from the failure (or is due at once). Only such entries pay the extra fields.
     */
    private static final class RefreshFailed extends CachedPlacement {
        private final long failedAt;
        private final boolean failed;

        RefreshFailed(String cell, long version, long loadedAt, long failedAt, boolean failed) {
            super(cell, version, loadedAt);
            this.failedAt = failedAt;
            this.failed = failed;
        }

        @Override
        long refreshFrom() {
            return failedAt;
        }

        @Override
        boolean stale() {
            return failed;
        }
    }
}
