package io.cellrouter.registry.store;

import io.cellrouter.registry.model.Placement;
import java.util.List;

/**
 * One page of a placement listing ({@link RegistryStore#placementPage}). {@code next} is the cursor
 * of the following page, null when this is the last one. A page may hold fewer placements than
 * the limit and still have a {@code next} (a store that scans reads a bounded number of items per
 * page, whether they match or not).
 */
public record PlacementPage(List<Placement> placements, String next) {

    public PlacementPage {
        placements = List.copyOf(placements);
    }
}
