package io.cellrouter.registry.store.file;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import io.cellrouter.registry.store.CellPatch;
import io.cellrouter.registry.store.Change;
import io.cellrouter.registry.store.ImportResult;
import io.cellrouter.registry.store.InvalidRegistryException;
import io.cellrouter.registry.store.NotFoundException;
import io.cellrouter.registry.store.RegistryDocuments;
import io.cellrouter.registry.store.VersionConflictException;
import java.time.Instant;
import java.util.List;

/**
 * The rules of the file store's writes, as functions of the state: each checks its request
 * against {@code current} and answers an {@link Outcome}, the next state, the changes that lead
 * there and what the write returns (a refusal is thrown: {@link NotFoundException}, {@link
 * VersionConflictException}, {@link InvalidRegistryException}). Nothing here reads or writes the
 * file: {@link FileRegistryStore} applies a rule on its writer thread to the state caught up with
 * the file, and commits the outcome.
 */
final class StoreWrites {

    private StoreWrites() {}

    /** What a write leads to; no changes: nothing is written. */
    record Outcome<T>(Snapshot next, List<ChangeKey> changes, T answer) {
        static <T> Outcome<T> one(Snapshot next, Change.Kind kind, String key, T answer) {
            return new Outcome<>(next, List.of(new ChangeKey(kind, key)), answer);
        }

        static <T> Outcome<T> none(Snapshot current, T answer) {
            return new Outcome<>(current, List.of(), answer);
        }
    }

    static Outcome<Cell> patchCell(Snapshot current, String name, CellPatch patch) {
        Cell existing = current.cells().get(name);
        if (existing == null) {
            throw new NotFoundException("cell '" + name + "' does not exist");
        }
        Cell stored = patch.applyTo(existing).withVersion(existing.version() + 1);
        return Outcome.one(current.withCell(stored), Change.Kind.CELL, name, stored);
    }

    /** {@code customer}'s name is checked apart ({@link #checkName}), before the file is read again. */
    static Outcome<Placement> putPlacement(
            Snapshot current, String customer, String cell, long expectedVersion, Instant now) {
        checkCellExists(current, cell);
        Placement existing = current.placements().get(customer);
        long version = existing == null ? 0 : existing.version();
        if (version != expectedVersion) {
            throw new VersionConflictException("placement of '" + customer + "' is at version " + version + ", not "
                    + expectedVersion + (version == 0 ? " (not placed)" : ""));
        }
        Placement placement = new Placement(customer, cell, version + 1, now);
        return Outcome.one(current.withPlacement(placement), Change.Kind.PLACEMENT, customer, placement);
    }

    static Outcome<Cell> putCell(Snapshot current, Cell cell) {
        Cell existing = current.cells().get(cell.name());
        Cell stored = cell.withVersion(existing == null ? 1 : existing.version() + 1);
        return Outcome.one(current.withCell(stored), Change.Kind.CELL, cell.name(), stored);
    }

    /** The customer's name is checked apart ({@link #checkName}), before the file is read again. */
    static Outcome<RoutingOverride> putOverride(Snapshot current, RoutingOverride override) {
        if (override.cell() != null) {
            checkCellExists(current, override.cell());
        }
        return Outcome.one(current.withOverride(override), Change.Kind.OVERRIDE, override.customer(), override);
    }

    static Outcome<Boolean> deleteOverride(Snapshot current, String customer) {
        if (!current.overrides().containsKey(customer)) {
            return Outcome.none(current, false);
        }
        return Outcome.one(current.withoutOverride(customer), Change.Kind.OVERRIDE, customer, true);
    }

    /** The customer's name is checked apart ({@link #checkName}), before the file is read again. */
    static Outcome<Shadow> putShadow(Snapshot current, Shadow shadow) {
        checkCellExists(current, shadow.toCell());
        return Outcome.one(current.withShadow(shadow), Change.Kind.SHADOW, shadow.customer(), shadow);
    }

    static Outcome<Boolean> deleteShadow(Snapshot current, String customer) {
        if (!current.shadows().containsKey(customer)) {
            return Outcome.none(current, false);
        }
        return Outcome.one(current.withoutShadow(customer), Change.Kind.SHADOW, customer, true);
    }

    /**
     * {@code registry import}: the document's items laid over the current state (what it does not
     * name is kept), versions reconciled as for an edit on disk; every item that changed is a change.
     */
    static Outcome<ImportResult> importDocument(
            Snapshot current, RegistryDocument document, String source, Instant now) {
        RegistryDocument merged = RegistryDocuments.validate(Imports.overlay(current.toDocument(), document), source);
        Snapshot next = Snapshot.of(merged, current, now);
        List<ChangeKey> changes = SnapshotDiff.between(current, next);
        int named = document.cells().size()
                + document.customers().size()
                + document.overrides().size()
                + document.shadows().size();
        return new Outcome<>(next, changes, Imports.result(changes, named - changes.size()));
    }

    /** {@code registry import --allow-removals}: the document becomes the whole registry. */
    static Outcome<ImportResult> replaceDocument(
            Snapshot current, RegistryDocument document, String source, Instant now) {
        RegistryDocument valid = RegistryDocuments.validate(
                new RegistryDocument(
                        document.cells(), document.customers(), document.overrides(), null, document.shadows()),
                source);
        Snapshot next = Snapshot.of(valid, current, now);
        List<ChangeKey> changes = SnapshotDiff.between(current, next);
        return new Outcome<>(next, changes, Imports.result(changes, 0));
    }

    static void checkName(String name, String what) {
        if (name == null || !Cell.NAME.matcher(name).matches()) {
            throw new InvalidRegistryException(what + " must match " + Cell.NAME.pattern() + ", was '" + name + "'");
        }
    }

    private static void checkCellExists(Snapshot current, String cell) {
        if (!current.cells().containsKey(cell)) {
            throw new NotFoundException("cell '" + cell + "' does not exist");
        }
    }
}
