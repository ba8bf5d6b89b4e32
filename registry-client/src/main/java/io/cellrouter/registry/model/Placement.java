package io.cellrouter.registry.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Where a customer lives. {@code version} starts at 1 and grows by one on every move; a move is
 * a write conditional on the version the mover read.
 */
public record Placement(String customer, String cell, long version, Instant updatedAt) {

    public Placement {
        requireNonNull(customer, "customer");
        requireNonNull(cell, "cell");
        requireNonNull(updatedAt, "updatedAt");
        if (version < 1) {
            throw new IllegalArgumentException("placement version must be >= 1, was " + version);
        }
    }
}
