package io.cellrouter.registry.store.file;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellrouter.registry.store.DocumentForm;
import io.cellrouter.registry.store.InvalidRegistryException;
import io.cellrouter.registry.store.RegistryDocuments;
import io.cellrouter.registry.store.RejectedEdit;
import io.cellrouter.registry.store.StoreUnavailableException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The file store's side of its document on disk: what it last read or wrote (the bytes, the
 * operator's tree and format, whether that state was checked), turning a changed file into a new
 * state (or a refusal) and a new state into a written file.
 *
 * <p>Reading: an edit that does not parse, or that the {@link EditGuard} refuses, is recorded in
 * {@link EditRefusals} and thrown; the caller keeps its last good state. A document whose {@link
 * VersionSidecar} names it as a checked store write is taken up without the guard.
 *
 * <p>Writing: the new state goes into the operator's tree ({@link DocumentForm}), expired overrides
 * and shadows dropped, then the sidecar and the document are replaced (see {@link RegistryFile}).
 *
 * <p>Concurrency: used on the store's writer thread only (and by {@code open} before the store is
 * shared); {@link #loaded()} is read from any thread.
 */
final class DocumentOnDisk {

    /** Why the store reads the file again: it decides what a missing or refused file means. */
    enum Purpose {
        /** An edit on disk (or a reload asked for): refusals are recorded and thrown. */
        RELOAD,
        /** Before a write: a missing file is put back by the write; a refused edit blocks the write. */
        WRITE,
        /** Before a replacement of the whole registry: whatever is on disk is about to be replaced. */
        REPLACE
    }

    /** A new state of the store and the changes that led to it. */
    record Update(Snapshot state, List<ChangeKey> changes) {}

    private final RegistryFile disk;
    private final Path file;
    private final Clock clock;
    private final double maxRemovalFraction;
    private final EditRefusals refusals;
    private volatile boolean loaded;
    private byte[] lastContent;
    private JsonNode tree;
    private boolean json;
    /**
     * Whether the state that writes build on was checked: read from a checked store write, or
     * taken up by this store's guard. False after opening a hand-edited file: a write on top of it
     * (say, a {@code registry import} merge from another process) must not make the hand edit look
     * like a checked write to the routers that guard the file.
     */
    private boolean checked;

    DocumentOnDisk(RegistryFile disk, Clock clock, double maxRemovalFraction, EditRefusals refusals) {
        this.disk = disk;
        this.file = disk.path();
        this.clock = clock;
        this.maxRemovalFraction = maxRemovalFraction;
        this.refusals = refusals;
    }

    /** True once a valid document has been read (or written). */
    boolean loaded() {
        return loaded;
    }

    /**
     * The first read, when the store opens.
     *
     * @throws StoreUnavailableException when the file does not exist or cannot be read
     * @throws InvalidRegistryException when it is not a valid document
     */
    Snapshot open() {
        byte[] content = disk.read();
        if (content == null) {
            throw new StoreUnavailableException(file + ": the registry file does not exist");
        }
        RegistryFile.Loaded read = disk.parse(content, true);
        take(content, read.tree(), read.json(), read.trusted());
        return Snapshot.of(read.document(), Snapshot.EMPTY, clock.instant());
    }

    /**
     * Reads the file again and returns the state it holds over {@code current}, or empty when it
     * did not change (or, before a replacement, when it cannot be taken up).
     *
     * @throws StoreUnavailableException when the file is missing (and that is not fine for the purpose)
     * @throws InvalidRegistryException when the edit is refused (invalid, or by the guard)
     */
    Optional<Update> catchUp(Snapshot current, Purpose purpose) {
        boolean first = !loaded;
        byte[] content = disk.read();
        if (content == null) {
            if (purpose != Purpose.RELOAD && !first) {
                return Optional.empty(); // the write puts the file back
            }
            throw refused(purpose, RejectedEdit.Reason.UNREADABLE, file + ": the registry file is missing", null);
        }
        if (!first && Arrays.equals(content, lastContent)) {
            return Optional.empty(); // our own write coming back, or a touch: nothing changed
        }
        RegistryFile.Loaded read;
        try {
            read = disk.parse(content, first);
        } catch (InvalidRegistryException e) {
            if (purpose == Purpose.REPLACE && !first) {
                return Optional.empty(); // about to be replaced: build on the last good state
            }
            throw refused(purpose, RejectedEdit.Reason.INVALID, e.getMessage(), content);
        }
        Snapshot after = Snapshot.of(read.document(), current, clock.instant());
        if (!first && !read.trusted() && purpose != Purpose.REPLACE) {
            Optional<EditGuard.Refusal> refusal = EditGuard.check(current, after, maxRemovalFraction);
            if (refusal.isPresent()) {
                throw refused(
                        purpose,
                        refusal.get().reason(),
                        file + ": " + refusal.get().message(),
                        content);
            }
        }
        take(content, read.tree(), read.json(), !first || read.trusted());
        refusals.resolved();
        return Optional.of(new Update(after, SnapshotDiff.between(current, after)));
    }

    /**
     * Writes {@code next} without its expired overrides and shadows (each one dropped joins the changes);
     * {@code vouched}: the operator asserts the content (a replacement), so it counts as checked.
     *
     * @throws StoreUnavailableException when the file cannot be written
     */
    Update write(Snapshot next, List<ChangeKey> changes, boolean vouched) {
        List<ChangeKey> all = new ArrayList<>(changes);
        Snapshot pruned =
                next.withoutExpiredOverrides(clock.instant(), all).withoutExpiredShadows(clock.instant(), all);
        JsonNode written = DocumentForm.apply(tree, pruned.toDocument());
        byte[] content = RegistryDocuments.render(written, json);
        boolean checkedNow = checked || vouched;
        disk.write(content, VersionSidecar.of(pruned, content, checkedNow));
        take(content, written, json, checkedNow);
        return new Update(pruned, all);
    }

    private void take(byte[] content, JsonNode newTree, boolean isJson, boolean isChecked) {
        lastContent = content;
        tree = newTree;
        json = isJson;
        checked = isChecked;
        loaded = true;
    }

    /** Records a refused edit (once per content) and returns the exception that the caller throws. */
    private RuntimeException refused(Purpose purpose, RejectedEdit.Reason reason, String message, byte[] content) {
        refusals.refused(reason, message, content);
        String shown = purpose == Purpose.WRITE
                ? "refusing to write over a refused edit of the registry file: " + message
                : message;
        return reason == RejectedEdit.Reason.UNREADABLE
                ? new StoreUnavailableException(shown)
                : new InvalidRegistryException(shown);
    }
}
