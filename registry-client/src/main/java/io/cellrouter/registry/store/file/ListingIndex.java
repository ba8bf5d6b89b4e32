package io.cellrouter.registry.store.file;

import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.store.SortedPlacements;
import java.util.Map;

/**
 * The file store's placements sorted for listings, built at the first listing after a change and
 * kept until the next one (the store's state is immutable: a new map means a new state). Readers
 * on any thread; two threads that race to build it build the same thing, and one of them is kept.
 */
final class ListingIndex {

    private record Built(Map<String, Placement> source, SortedPlacements sorted) {}

    private volatile Built built;

    SortedPlacements of(Map<String, Placement> placements) {
        Built current = built;
        if (current == null || current.source() != placements) {
            current = new Built(placements, SortedPlacements.of(placements.values()));
            built = current;
        }
        return current.sorted();
    }
}
