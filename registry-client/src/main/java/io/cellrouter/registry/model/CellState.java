package io.cellrouter.registry.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The lifecycle state of a cell, as the registry document and the admin API spell it. */
public enum CellState {
    /** Takes new placements and serves its customers. */
    ACTIVE,
    /** Serves its existing customers; takes no new placements. */
    DRAINING,
    /** Serves nobody: its customers fail fast with {@code 503 cell_offline}. */
    OFFLINE;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static CellState parse(String value) {
        for (CellState state : values()) {
            if (state.wireName().equals(value)) {
                return state;
            }
        }
        throw new IllegalArgumentException("cell state must be one of active, draining, offline, was '" + value + "'");
    }
}
