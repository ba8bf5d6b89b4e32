package io.cellrouter.registry.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A temporary routing rule for one customer that wins over its placement until {@code expiresAt}:
 * either send it to {@code cell}, or hold it ({@code freeze}: 503 with Retry-After) while its
 * data moves. Exactly one of the two is set.
 */
public record RoutingOverride(String customer, String cell, boolean freeze, Instant expiresAt, String reason) {

    public RoutingOverride {
        requireNonNull(customer, "customer");
        requireNonNull(expiresAt, "expiresAt");
        if (freeze == (cell != null)) {
            throw new IllegalArgumentException(
                    "override for '" + customer + "' must have either a cell or freeze: true, not both or neither");
        }
    }

    public static RoutingOverride toCell(String customer, String cell, Instant expiresAt, String reason) {
        return new RoutingOverride(customer, cell, false, expiresAt, reason);
    }

    public static RoutingOverride freeze(String customer, Instant expiresAt, String reason) {
        return new RoutingOverride(customer, null, true, expiresAt, reason);
    }

    /** True until {@code expiresAt}; an expired override is ignored everywhere. */
    public boolean isActiveAt(Instant now) {
        return now.isBefore(expiresAt);
    }
}
