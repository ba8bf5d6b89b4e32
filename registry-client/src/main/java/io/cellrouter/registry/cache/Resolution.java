package io.cellrouter.registry.cache;

import io.cellrouter.registry.model.Cell;
import java.time.Duration;

/**
 * The routing decision for one customer: where to send it, or why not.
 *
 * @param outcome what to do
 * @param cell the cell to forward to ({@link Outcome#ROUTE}), the offline cell ({@link
 *     Outcome#CELL_OFFLINE}), the cell a frozen customer is placed on when it is cached ({@link
 *     Outcome#FROZEN}: for the meters, never to forward to), else null
 * @param source where the decision came from
 * @param cacheAge how old the placement was: {@link Duration#ZERO} when it was read from the registry
 *     for this decision; null when the decision used no placement (override, token hint, default
 *     cell) and on a cache hit, whose path is kept free of allocation (ask {@link
 *     Resolver#cacheAge(String)} for the age of a cached entry)
 * @param retryAfter for the 503 outcomes: how long the client should wait, else null
 */
public record Resolution(Outcome outcome, Cell cell, Source source, Duration cacheAge, Duration retryAfter) {

    public enum Outcome {
        /** Forward to {@link #cell()}. */
        ROUTE,
        /** An override freezes the customer: 503 {@code customer_frozen}. */
        FROZEN,
        /** The customer's cell is offline: 503 {@code cell_offline}. */
        CELL_OFFLINE,
        /** Nobody knows the customer and the policy rejects it: 404 {@code unknown_customer}. */
        UNKNOWN_CUSTOMER,
        /** The registry cannot be reached and the customer is not cached: 503 {@code registry_unavailable}. */
        REGISTRY_UNAVAILABLE,
        /** The placement names a cell that the registry does not have: 502 {@code cell_unreachable}. */
        UNKNOWN_CELL
    }

    /** Where a decision came from, as {@code GET /admin/v1/resolve/{id}} reports it. */
    public enum Source {
        OVERRIDE,
        CACHE,
        REGISTRY,
        TOKEN,
        DEFAULT,
        NONE
    }
}
