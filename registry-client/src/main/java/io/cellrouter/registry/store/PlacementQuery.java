package io.cellrouter.registry.store;

import io.cellrouter.registry.model.Cell;
import java.util.regex.Pattern;

/**
 * One page of a placement listing: the customers of {@code cell} (null: of every cell) whose id
 * starts with {@code prefix} (empty: any), at most {@code limit}, after the position {@code cursor}
 * (null: from the start) that the previous page returned as {@link PlacementPage#next()}.
 *
 * <p>A cursor is opaque to callers: each store issues its own, and refuses one it did not issue
 * with {@link InvalidRegistryException}.
 */
public record PlacementQuery(String cell, String prefix, int limit, String cursor) {

    /** The largest page a store returns: a page is one bounded store read, never the whole table. */
    public static final int MAXIMUM_LIMIT = 1000;

    public static final int DEFAULT_LIMIT = 100;

    /** A prefix of a customer id: the characters a name may hold, the first not necessarily alphanumeric. */
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._-]{0,128}");

    public PlacementQuery {
        prefix = prefix == null ? "" : prefix;
        if (cell != null && !Cell.NAME.matcher(cell).matches()) {
            throw new InvalidRegistryException("cell must match " + Cell.NAME.pattern() + ", was '" + cell + "'");
        }
        if (!PREFIX.matcher(prefix).matches()) {
            throw new InvalidRegistryException(
                    "prefix must be at most 128 of the characters A-Z a-z 0-9 . _ -, was '" + prefix + "'");
        }
        if (limit < 1 || limit > MAXIMUM_LIMIT) {
            throw new InvalidRegistryException("limit must be between 1 and " + MAXIMUM_LIMIT + ", was " + limit);
        }
        if (cursor != null && cursor.isEmpty()) {
            cursor = null;
        }
    }

    /** The first page of every placement, {@link #DEFAULT_LIMIT} at a time. */
    public static PlacementQuery all() {
        return new PlacementQuery(null, "", DEFAULT_LIMIT, null);
    }

    public PlacementQuery withCursor(String next) {
        return new PlacementQuery(cell, prefix, limit, next);
    }

    /** True when the placement belongs in this listing (cursor aside). */
    public boolean matches(String customer, String placedIn) {
        return customer.startsWith(prefix) && (cell == null || cell.equals(placedIn));
    }
}
