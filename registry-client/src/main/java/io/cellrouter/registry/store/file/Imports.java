package io.cellrouter.registry.store.file;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import io.cellrouter.registry.store.ImportResult;
import java.util.ArrayList;
import java.util.List;

/** {@code registry import} into the file store: the merge of a document over the current state, and its counts. */
final class Imports {

    private Imports() {}

    /** What {@code registry import} reports: the changes by kind. */
    static ImportResult result(List<ChangeKey> changes, int unchanged) {
        int cells = 0;
        int placements = 0;
        int overrides = 0;
        int shadows = 0;
        for (ChangeKey change : changes) {
            switch (change.kind()) {
                case CELL -> cells++;
                case PLACEMENT -> placements++;
                case OVERRIDE -> overrides++;
                case SHADOW -> shadows++;
            }
        }
        return new ImportResult(cells, placements, overrides, shadows, unchanged, 0);
    }

    /** {@code top}'s items laid over {@code base}'s: what {@code top} does not name is kept. */
    static RegistryDocument overlay(RegistryDocument base, RegistryDocument top) {
        java.util.Map<String, Cell> cells = new java.util.LinkedHashMap<>();
        base.cells().forEach(cell -> cells.put(cell.name(), cell));
        top.cells().forEach(cell -> cells.put(cell.name(), cell.withVersion(0)));
        java.util.Map<String, String> customers = new java.util.LinkedHashMap<>(base.customers());
        customers.putAll(top.customers());
        java.util.Map<String, RoutingOverride> overrides = new java.util.LinkedHashMap<>();
        base.overrides().forEach(override -> overrides.put(override.customer(), override));
        top.overrides().forEach(override -> overrides.put(override.customer(), override));
        java.util.Map<String, Shadow> shadows = new java.util.LinkedHashMap<>();
        base.shadows().forEach(shadow -> shadows.put(shadow.customer(), shadow));
        top.shadows().forEach(shadow -> shadows.put(shadow.customer(), shadow));
        return new RegistryDocument(
                new ArrayList<>(cells.values()),
                customers,
                new ArrayList<>(overrides.values()),
                base.versions(),
                new ArrayList<>(shadows.values()));
    }
}
