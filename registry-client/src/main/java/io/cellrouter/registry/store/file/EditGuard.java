package io.cellrouter.registry.store.file;

import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.store.RejectedEdit.Reason;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Registry edits cannot silently empty the fleet: an edit on disk that removes a cell still holding
 * customers, or more than a share of the placements (a truncated file is still valid YAML), is
 * refused. The store's own writes never pass here; an operator who means it applies the document
 * with {@code registry import --allow-removals}.
 */
final class EditGuard {

    /** Why an edit is refused, and the sentence for the log and {@code /readyz}. */
    record Refusal(Reason reason, String message) {}

    private EditGuard() {}

    static Optional<Refusal> check(Snapshot before, Snapshot after, double maxRemovalFraction) {
        Map<String, Integer> held = new HashMap<>();
        for (Placement placement : before.placements().values()) {
            held.merge(placement.cell(), 1, Integer::sum);
        }
        for (String cell : before.cells().keySet()) {
            int customers = held.getOrDefault(cell, 0);
            if (customers > 0 && !after.cells().containsKey(cell)) {
                return Optional.of(new Refusal(
                        Reason.CELL_IN_USE,
                        "the edit removes cell '" + cell + "', which holds " + customers + " customer"
                                + (customers == 1 ? "" : "s") + " (move them to another cell first)"));
            }
        }
        int total = before.placements().size();
        long removed = before.placements().keySet().stream()
                .filter(customer -> !after.placements().containsKey(customer))
                .count();
        if (removed > 0 && removed > maxRemovalFraction * total) {
            return Optional.of(new Refusal(
                    Reason.TOO_MANY_REMOVALS,
                    "the edit removes " + removed + " of " + total + " placements, more than"
                            + " registry.maxRemovalFraction (" + maxRemovalFraction + ")"));
        }
        return Optional.empty();
    }
}
