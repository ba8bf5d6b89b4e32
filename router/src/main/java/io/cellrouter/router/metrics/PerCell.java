package io.cellrouter.router.metrics;

import io.cellrouter.registry.model.Cell;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The meters of each cell, tagged with the cell's {@code region} and {@code tier} as the registry
 * has them now: when an operator changes them ({@code PATCH /admin/v1/cells/NAME}), the next use
 * removes the cell's meters from the registry and makes them again with the new tags, so that a
 * dashboard grouped by region agrees across routers started before and after the change.
 *
 * <p>A use allocates nothing while the tags are unchanged: one map read, two string comparisons.
 * Thread-safe; a change is applied once, inside the map's {@code compute}.
 *
 * @param <T> what one cell's meters are (a holder of several, or one)
 */
final class PerCell<T> {

    private record Entry<T>(String region, String tier, long version, T meters) {
        /**
         * Whether these meters are the ones to use for {@code cell}: its tags are theirs, or it is
         * an older copy of the cell than the one they were made for (an exchange routed before the
         * change ends after it: its count goes to the current series, not back to the old one).
         */
        boolean serves(Cell cell) {
            return (cell != null && cell.version() < version)
                    || (Objects.equals(region, regionOf(cell)) && Objects.equals(tier, tierOf(cell)));
        }
    }

    private final ConcurrentHashMap<String, Entry<T>> byName = new ConcurrentHashMap<>();
    /** Makes a cell's meters; the second argument is the meters they replace (null the first time). */
    private final BiFunction<Cell, T, T> create;
    /** Takes replaced meters out of the registry. */
    private final Consumer<T> remove;

    PerCell(BiFunction<Cell, T, T> create, Consumer<T> remove) {
        this.create = create;
        this.remove = remove;
    }

    /** {@code cell}'s meters (null: the requests that got no cell). */
    T get(Cell cell) {
        String name = cell == null ? RouterMetrics.NO_CELL : cell.name();
        Entry<T> entry = byName.get(name);
        if (entry != null && entry.serves(cell)) {
            return entry.meters();
        }
        return byName.compute(name, (key, old) -> {
                    if (old != null && old.serves(cell)) {
                        return old;
                    }
                    if (old != null) {
                        remove.accept(old.meters());
                    }
                    return new Entry<>(
                            regionOf(cell),
                            tierOf(cell),
                            cell == null ? 0 : cell.version(),
                            create.apply(cell, old == null ? null : old.meters()));
                })
                .meters();
    }

    private static String regionOf(Cell cell) {
        return cell == null || cell.region() == null ? "" : cell.region();
    }

    private static String tierOf(Cell cell) {
        return cell == null || cell.tier() == null ? "" : cell.tier();
    }
}
