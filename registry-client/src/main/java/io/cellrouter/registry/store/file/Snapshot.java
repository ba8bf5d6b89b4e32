package io.cellrouter.registry.store.file;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One immutable state of the file store, keyed for lookups: cells by name, placements, overrides
 * and shadows by customer. Maps keep the document's order so that a write changes only the lines it must.
 *
 * <p>Versions only grow. When a document is loaded over a previous snapshot (an edit on disk), an
 * item whose content changed but whose version in the file did not grow gets the previous version
 * plus one; otherwise a mover still holding the old version could overwrite a hand edit.
 */
record Snapshot(
        Map<String, Cell> cells,
        Map<String, Placement> placements,
        Map<String, RoutingOverride> overrides,
        Map<String, Shadow> shadows) {

    static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), Map.of(), Map.of());

    /** The document as the new state, reconciled with {@code previous} (see the class comment). */
    static Snapshot of(RegistryDocument document, Snapshot previous, Instant now) {
        Map<String, Cell> cells = new LinkedHashMap<>();
        for (Cell cell : document.cells()) {
            cells.put(cell.name(), reconcile(cell, previous.cells().get(cell.name())));
        }
        Map<String, Placement> placements = new LinkedHashMap<>();
        document.customers().forEach((customer, cell) -> {
            long version = document.versions().getOrDefault(customer, 1L);
            placements.put(
                    customer,
                    reconcile(customer, cell, version, previous.placements().get(customer), now));
        });
        Map<String, RoutingOverride> overrides = new LinkedHashMap<>();
        document.overrides().forEach(override -> overrides.put(override.customer(), override));
        Map<String, Shadow> shadows = new LinkedHashMap<>();
        document.shadows().forEach(shadow -> shadows.put(shadow.customer(), shadow));
        return new Snapshot(frozen(cells), frozen(placements), frozen(overrides), frozen(shadows));
    }

    /** The state as a document: versions of 1 are implied, so only higher ones are written. */
    RegistryDocument toDocument() {
        Map<String, String> customers = new LinkedHashMap<>();
        Map<String, Long> versions = new LinkedHashMap<>();
        placements.values().forEach(placement -> {
            customers.put(placement.customer(), placement.cell());
            if (placement.version() > 1) {
                versions.put(placement.customer(), placement.version());
            }
        });
        return new RegistryDocument(
                new ArrayList<>(cells.values()),
                customers,
                new ArrayList<>(overrides.values()),
                versions,
                new ArrayList<>(shadows.values()));
    }

    Snapshot withCell(Cell cell) {
        return new Snapshot(with(cells, cell.name(), cell), placements, overrides, shadows);
    }

    Snapshot withPlacement(Placement placement) {
        return new Snapshot(cells, with(placements, placement.customer(), placement), overrides, shadows);
    }

    Snapshot withOverride(RoutingOverride override) {
        return new Snapshot(cells, placements, with(overrides, override.customer(), override), shadows);
    }

    Snapshot withShadow(Shadow shadow) {
        return new Snapshot(cells, placements, overrides, with(shadows, shadow.customer(), shadow));
    }

    Snapshot withoutShadow(String customer) {
        Map<String, Shadow> copy = new LinkedHashMap<>(shadows);
        copy.remove(customer);
        return new Snapshot(cells, placements, overrides, frozen(copy));
    }

    /** This state without the shadows that ended before {@code now}; each one dropped is added to {@code changes}. */
    Snapshot withoutExpiredShadows(Instant now, java.util.List<ChangeKey> changes) {
        Map<String, Shadow> active = new LinkedHashMap<>();
        shadows.forEach((customer, shadow) -> {
            if (shadow.isActiveAt(now)) {
                active.put(customer, shadow);
            } else {
                changes.add(new ChangeKey(io.cellrouter.registry.store.Change.Kind.SHADOW, customer));
            }
        });
        return active.size() == shadows.size() ? this : new Snapshot(cells, placements, overrides, frozen(active));
    }

    /** This state without the overrides that ended before {@code now}; each one dropped is added to {@code changes}. */
    Snapshot withoutExpiredOverrides(Instant now, java.util.List<ChangeKey> changes) {
        Map<String, RoutingOverride> active = new LinkedHashMap<>();
        overrides.forEach((customer, override) -> {
            if (override.isActiveAt(now)) {
                active.put(customer, override);
            } else {
                changes.add(new ChangeKey(io.cellrouter.registry.store.Change.Kind.OVERRIDE, customer));
            }
        });
        return active.size() == overrides.size() ? this : new Snapshot(cells, placements, frozen(active), shadows);
    }

    Snapshot withoutOverride(String customer) {
        Map<String, RoutingOverride> copy = new LinkedHashMap<>(overrides);
        copy.remove(customer);
        return new Snapshot(cells, placements, frozen(copy), shadows);
    }

    private static Cell reconcile(Cell loaded, Cell previous) {
        if (previous == null) {
            return loaded;
        }
        boolean changed = !loaded.withVersion(0).equals(previous.withVersion(0));
        if (changed && loaded.version() <= previous.version()) {
            return loaded.withVersion(previous.version() + 1);
        }
        return loaded.withVersion(Math.max(loaded.version(), previous.version()));
    }

    private static Placement reconcile(String customer, String cell, long version, Placement previous, Instant now) {
        if (previous == null) {
            return new Placement(customer, cell, version, now);
        }
        boolean moved = !cell.equals(previous.cell());
        long reconciled =
                moved && version <= previous.version() ? previous.version() + 1 : Math.max(version, previous.version());
        if (!moved && reconciled == previous.version()) {
            return previous; // unchanged: keep when it was last written
        }
        return new Placement(customer, cell, reconciled, now);
    }

    private static <V> Map<String, V> with(Map<String, V> map, String key, V value) {
        Map<String, V> copy = new LinkedHashMap<>(map);
        copy.put(key, value);
        return frozen(copy);
    }

    private static <V> Map<String, V> frozen(Map<String, V> map) {
        return Collections.unmodifiableMap(map);
    }
}
