package io.cellrouter.registry.store;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * A change to some fields of a cell ({@link RegistryStore#patchCell}); every other field keeps its
 * value. A null field is not changed; {@code region} or {@code tier} given as
 * {@link Optional#empty()} removes it; {@code labels}, when given, replace the labels as a whole.
 */
public record CellPatch(
        CellState state, URI endpoint, Optional<String> region, Optional<String> tier, Map<String, String> labels) {

    public CellPatch {
        labels = labels == null ? null : Map.copyOf(labels);
    }

    @SuppressWarnings("NullOptional") // null: not changed (see above)
    public static CellPatch state(CellState state) {
        return new CellPatch(state, null, null, null, null);
    }

    public boolean isEmpty() {
        return state == null && endpoint == null && region == null && tier == null && labels == null;
    }

    /** The cell with this patch applied, its version unchanged; a bad endpoint is IllegalArgumentException. */
    public Cell applyTo(Cell cell) {
        return new Cell(
                cell.name(),
                endpoint == null ? cell.endpoint() : endpoint,
                state == null ? cell.state() : state,
                region == null ? cell.region() : region.orElse(null),
                tier == null ? cell.tier() : tier.orElse(null),
                labels == null ? cell.labels() : labels,
                cell.version());
    }
}
