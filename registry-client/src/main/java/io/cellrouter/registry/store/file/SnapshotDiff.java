package io.cellrouter.registry.store.file;

import io.cellrouter.registry.store.Change;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The changes between two snapshots, as the feed records them: every cell, placement and override
 * that was added, removed or changed. Used when the file was edited on disk, where nobody told the
 * store what changed; the store's own writes know their single change and skip the diff.
 */
final class SnapshotDiff {

    private SnapshotDiff() {}

    static List<ChangeKey> between(Snapshot before, Snapshot after) {
        List<ChangeKey> changes = new ArrayList<>();
        diff(before.cells(), after.cells(), Change.Kind.CELL, changes);
        diff(before.placements(), after.placements(), Change.Kind.PLACEMENT, changes);
        diff(before.overrides(), after.overrides(), Change.Kind.OVERRIDE, changes);
        diff(before.shadows(), after.shadows(), Change.Kind.SHADOW, changes);
        return changes;
    }

    private static <V> void diff(Map<String, V> before, Map<String, V> after, Change.Kind kind, List<ChangeKey> out) {
        Set<String> keys = new LinkedHashSet<>(before.keySet());
        keys.addAll(after.keySet());
        for (String key : keys) {
            if (!Objects.equals(before.get(key), after.get(key))) {
                out.add(new ChangeKey(kind, key));
            }
        }
    }
}
