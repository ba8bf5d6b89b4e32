package io.cellrouter.registry.store.file;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.Override;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.store.Change;
import io.cellrouter.registry.store.ChangeBatch;
import io.cellrouter.registry.store.DocumentForm;
import io.cellrouter.registry.store.ImportResult;
import io.cellrouter.registry.store.InvalidRegistryException;
import io.cellrouter.registry.store.NotFoundException;
import io.cellrouter.registry.store.RegistryDocuments;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.registry.store.RejectedEdit;
import io.cellrouter.registry.store.StoreUnavailableException;
import io.cellrouter.registry.store.VersionConflictException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded registry: one YAML/JSON document on disk (format on {@link RegistryDocuments}),
 * held in memory, watched for edits, and written back atomically.
 *
 * <pre>
 *  readers (any thread) ──► volatile Snapshot ◄── writer thread ◄── putPlacement / putCell / ...
 *                                                     ▲    │
 *  FileWatcher thread ── "file changed" ── reload() ──┘    └──► versions sidecar, then the document
 *                                                     │         (each: temp file, fsync, rename)
 *                                                     └──► ChangeFeed (diff of old and new state)
 * </pre>
 *
 * <p>Concurrency: reads return completed futures from the current immutable {@link Snapshot}. Every
 * change of state (the store's writes and reloads after an edit on disk) runs on one writer thread
 * owned by the store, so a reload and a write never interleave. The watcher thread only queues
 * reloads. Futures of writes complete on the writer thread: callers that own a thread hop back.
 *
 * <p>The document is its operator's: a write changes the operator's tree ({@link DocumentForm}:
 * fields and order kept, expired overrides dropped) and the versions live beside it ({@link
 * VersionSidecar}).
 *
 * <p>Edits on disk are picked up without a restart. An edit that is invalid, or that would remove a
 * cell still holding customers or more than {@code maxRemovalFraction} of the placements ({@link
 * EditGuard}), is refused: the last good state stays in force, and the refusal is logged, counted
 * and kept ({@link #lastRejectedEdit()}). A document written by a store (its hash is in the
 * sidecar) is trusted; that is how {@code registry import --allow-removals} ({@link
 * #replaceDocument}) reaches running routers. Before each write the store reads the file again and
 * applies an edit it has not seen yet, so a write does not silently undo a hand edit, and it refuses
 * to write over a refused edit (fix the file first). The store's own write coming back through the
 * watcher is recognized by its bytes and changes nothing.
 *
 * <p>The change feed lives in memory (the last {@value #DEFAULT_FEED_CAPACITY} changes); it starts
 * empty when the store is opened, which is fine because the store lives in the router's process.
 */
public final class FileRegistryStore implements RegistryStore {

    private static final Logger log = LoggerFactory.getLogger(FileRegistryStore.class);

    static final int DEFAULT_FEED_CAPACITY = 100_000;

    /** Long enough to coalesce an editor's truncate-write-rename burst, short for a person. */
    static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(100);

    private final RegistryFile disk;
    private final Path file;
    private final Clock clock;
    private final FileStoreOptions options;
    private final ChangeFeed feed;
    private final ExecutorService writer;
    private final AtomicLong generation = new AtomicLong();
    private final EditRefusals refusals;
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    /** False until a valid document has been read (only with {@link FileStoreOptions#startWithoutDocument}). */
    private volatile boolean available;

    private volatile FileWatcher watcher;

    // Touched only on the writer thread (and by open, before the store is shared):
    /** The bytes of the file as last read or written. */
    private byte[] lastContent;
    /** The operator's tree of that document, and whether it was JSON. */
    private JsonNode tree;

    private boolean json;
    /**
     * Whether the state writes build on was checked: read from a store's write, or taken up by this
     * running store (guarded). False after opening a hand-edited file: a write on top of it (say, a
     * {@code registry import} merge) must not make the hand edit look like a store's write to the
     * routers that guard the file.
     */
    private boolean trustedBase;

    private FileRegistryStore(RegistryFile disk, Clock clock, FileStoreOptions options, int feedCapacity) {
        this.disk = disk;
        this.file = disk.path();
        this.clock = clock;
        this.options = options;
        this.feed = new ChangeFeed(feedCapacity);
        this.refusals = new EditRefusals(file, clock, options.rejectedEdits());
        this.writer = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "cell-router-registry-writer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Opens the registry file and starts watching it. A missing or invalid file fails here, at
     * start, rather than becoming a router that routes nobody.
     *
     * @throws StoreUnavailableException when the file cannot be read or watched
     * @throws InvalidRegistryException when it is not a valid registry document
     */
    public static FileRegistryStore open(Path file, Clock clock) {
        return open(file, clock, FileStoreOptions.defaults());
    }

    /** Opens the registry file with {@code options} (see {@link FileStoreOptions}). */
    public static FileRegistryStore open(Path file, Clock clock, FileStoreOptions options) {
        return open(file, clock, options, DEFAULT_FEED_CAPACITY, DEFAULT_DEBOUNCE);
    }

    static FileRegistryStore open(Path file, Clock clock, int feedCapacity, Duration debounce) {
        return open(file, clock, FileStoreOptions.defaults(), feedCapacity, debounce);
    }

    static FileRegistryStore open(
            Path file, Clock clock, FileStoreOptions options, int feedCapacity, Duration debounce) {
        RegistryFile disk = new RegistryFile(file.toAbsolutePath().normalize());
        FileRegistryStore store = new FileRegistryStore(disk, clock, options, feedCapacity);
        try {
            store.loadAtOpen();
            store.watcher = FileWatcher.start(disk.path(), List.of(disk.sidecar()), debounce, store::onFileChanged);
        } catch (IOException e) {
            store.close();
            throw new StoreUnavailableException(disk.path() + ": cannot watch the registry file: " + e, e);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /** The registry file, as an absolute path. */
    public Path file() {
        return file;
    }

    /** Counts the changes of the in-memory state (writes and reloads that changed something). */
    public long generation() {
        return generation.get();
    }

    /** Counts the edits on disk that were refused (each refused content once). */
    public long rejectedEdits() {
        return refusals.count();
    }

    @java.lang.Override
    public Optional<RejectedEdit> lastRejectedEdit() {
        return refusals.last();
    }

    /** The current state as a document, with versions: for {@code registry export} and snapshots. */
    public RegistryDocument document() {
        return snapshot.toDocument();
    }

    /**
     * Reads the file again now, as the watcher does after an edit. Completes exceptionally with
     * {@link InvalidRegistryException} (and keeps the last good state) when the edit is refused.
     */
    public CompletableFuture<Void> reload() {
        return onWriter(() -> {
            catchUpWithDisk(Purpose.RELOAD);
            return null;
        });
    }

    @java.lang.Override
    public CompletableFuture<Optional<Placement>> placement(String customer) {
        return read(() -> Optional.ofNullable(snapshot.placements().get(customer)));
    }

    @java.lang.Override
    public CompletableFuture<List<Placement>> placements() {
        return read(() -> List.copyOf(snapshot.placements().values()));
    }

    @java.lang.Override
    public CompletableFuture<List<Cell>> cells() {
        return read(() -> List.copyOf(snapshot.cells().values()));
    }

    @java.lang.Override
    public CompletableFuture<List<Override>> overrides() {
        return read(() -> List.copyOf(snapshot.overrides().values()));
    }

    @java.lang.Override
    public CompletableFuture<Placement> putPlacement(String customer, String cell, long expectedVersion) {
        return onWriter(() -> {
            checkName(customer, "customer");
            Snapshot current = catchUpWithDisk(Purpose.WRITE);
            checkCellExists(current, cell);
            Placement existing = current.placements().get(customer);
            long version = existing == null ? 0 : existing.version();
            if (version != expectedVersion) {
                throw new VersionConflictException("placement of '" + customer + "' is at version " + version + ", not "
                        + expectedVersion + (version == 0 ? " (not placed)" : ""));
            }
            Placement placement = new Placement(customer, cell, version + 1, clock.instant());
            commit(current.withPlacement(placement), change(Change.Kind.PLACEMENT, customer));
            return placement;
        });
    }

    @java.lang.Override
    public CompletableFuture<Cell> putCell(Cell cell) {
        return onWriter(() -> {
            Snapshot current = catchUpWithDisk(Purpose.WRITE);
            Cell existing = current.cells().get(cell.name());
            Cell stored = cell.withVersion(existing == null ? 1 : existing.version() + 1);
            commit(current.withCell(stored), change(Change.Kind.CELL, cell.name()));
            return stored;
        });
    }

    @java.lang.Override
    public CompletableFuture<Override> putOverride(Override override) {
        return onWriter(() -> {
            checkName(override.customer(), "customer");
            Snapshot current = catchUpWithDisk(Purpose.WRITE);
            if (override.cell() != null) {
                checkCellExists(current, override.cell());
            }
            commit(current.withOverride(override), change(Change.Kind.OVERRIDE, override.customer()));
            return override;
        });
    }

    @java.lang.Override
    public CompletableFuture<Boolean> deleteOverride(String customer) {
        return onWriter(() -> {
            Snapshot current = catchUpWithDisk(Purpose.WRITE);
            if (!current.overrides().containsKey(customer)) {
                return false;
            }
            commit(current.withoutOverride(customer), change(Change.Kind.OVERRIDE, customer));
            return true;
        });
    }

    /**
     * {@code registry import}: the document's items laid over the current state in one write of the
     * file (not one rewrite per item); what the document does not name is kept. Versions are
     * reconciled as for an edit on disk, and every item that changed becomes a change in the feed.
     */
    @java.lang.Override
    public CompletableFuture<ImportResult> importDocument(RegistryDocument document) {
        return onWriter(() -> {
            Snapshot current = catchUpWithDisk(Purpose.WRITE);
            RegistryDocument merged =
                    RegistryDocuments.validate(overlay(current.toDocument(), document), file.toString());
            Snapshot next = Snapshot.of(merged, current, clock.instant());
            List<ChangeKey> changes = SnapshotDiff.between(current, next);
            if (!changes.isEmpty()) {
                commit(next, changes);
            }
            int named = document.cells().size()
                    + document.customers().size()
                    + document.overrides().size();
            return result(changes, named - changes.size());
        });
    }

    /**
     * {@code registry import --allow-removals}: the document becomes the whole registry, what it
     * does not name is removed, and no edit guard applies: the operator means it. Written even when
     * nothing changed, so that a running router whose guard refused this same document on disk takes
     * it up (the versions sidecar now names it as a store's write).
     */
    public CompletableFuture<ImportResult> replaceDocument(RegistryDocument document) {
        return onWriter(() -> {
            Snapshot current = catchUpWithDisk(Purpose.REPLACE);
            RegistryDocument valid = RegistryDocuments.validate(
                    new RegistryDocument(document.cells(), document.customers(), document.overrides(), null),
                    file.toString());
            Snapshot next = Snapshot.of(valid, current, clock.instant());
            List<ChangeKey> changes = SnapshotDiff.between(current, next);
            trustedBase = true; // the operator vouches for this document
            commit(next, changes);
            return result(changes, 0);
        });
    }

    private static ImportResult result(List<ChangeKey> changes, int unchanged) {
        int cells = 0;
        int placements = 0;
        int overrides = 0;
        for (ChangeKey change : changes) {
            switch (change.kind()) {
                case CELL -> cells++;
                case PLACEMENT -> placements++;
                case OVERRIDE -> overrides++;
            }
        }
        return new ImportResult(cells, placements, overrides, unchanged, 0);
    }

    private static RegistryDocument overlay(RegistryDocument base, RegistryDocument top) {
        java.util.Map<String, Cell> cells = new java.util.LinkedHashMap<>();
        base.cells().forEach(cell -> cells.put(cell.name(), cell));
        top.cells().forEach(cell -> cells.put(cell.name(), cell.withVersion(0)));
        java.util.Map<String, String> customers = new java.util.LinkedHashMap<>(base.customers());
        customers.putAll(top.customers());
        java.util.Map<String, Override> overrides = new java.util.LinkedHashMap<>();
        base.overrides().forEach(override -> overrides.put(override.customer(), override));
        top.overrides().forEach(override -> overrides.put(override.customer(), override));
        return new RegistryDocument(
                new ArrayList<>(cells.values()), customers, new ArrayList<>(overrides.values()), base.versions());
    }

    @java.lang.Override
    public CompletableFuture<ChangeBatch> changesSince(long cursor) {
        return read(() -> feed.since(cursor));
    }

    @java.lang.Override
    public CompletableFuture<Long> latestSequence() {
        return read(feed::head);
    }

    @java.lang.Override
    public String kind() {
        return "file";
    }

    /** Stops watching and lets queued writes finish; reads keep answering from memory. */
    @java.lang.Override
    public void close() {
        FileWatcher current = watcher;
        if (current != null) {
            current.close();
        }
        writer.shutdown();
        try {
            if (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("{}: registry writes still queued at close", file);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void onFileChanged() {
        // Refusals are counted and logged in catchUpWithDisk; nothing else to do here.
        reload();
    }

    /** Why the store reads the file again: it decides what a missing or refused file means. */
    private enum Purpose {
        /** An edit on disk (or a reload asked for): refusals are counted. */
        RELOAD,
        /** Before a write: a missing file is put back by the write; a refused edit blocks the write. */
        WRITE,
        /** Before {@link #replaceDocument}: whatever is on disk is about to be replaced. */
        REPLACE
    }

    private void loadAtOpen() {
        try {
            byte[] content = disk.read();
            if (content == null) {
                throw new StoreUnavailableException(file + ": the registry file does not exist");
            }
            RegistryFile.Loaded loaded = disk.parse(content, true);
            install(Snapshot.of(loaded.document(), Snapshot.EMPTY, clock.instant()), List.of(), content, loaded);
            trustedBase = loaded.trusted();
            log.info(
                    "{}: registry loaded: {} cells, {} customers, {} overrides",
                    file,
                    snapshot.cells().size(),
                    snapshot.placements().size(),
                    snapshot.overrides().size());
        } catch (StoreUnavailableException | InvalidRegistryException e) {
            if (!options.startWithoutDocument()) {
                throw e;
            }
            log.warn(
                    "{}; the store answers as down until the file is readable and valid (a router serves its"
                            + " last-known-good snapshot meanwhile)",
                    e.getMessage());
        }
    }

    /**
     * Brings the in-memory state up to the file, on the writer thread, and returns the state to
     * build a write on (see {@link Purpose}).
     */
    private Snapshot catchUpWithDisk(Purpose purpose) {
        boolean firstLoad = !available;
        byte[] content = disk.read();
        if (content == null) {
            if (purpose != Purpose.RELOAD && !firstLoad) {
                return snapshot; // the write puts the file back
            }
            throw refused(purpose, RejectedEdit.Reason.UNREADABLE, file + ": the registry file is missing", null);
        }
        if (!firstLoad && Arrays.equals(content, lastContent)) {
            return snapshot; // our own write coming back, or a touch: nothing changed
        }
        RegistryFile.Loaded loaded;
        try {
            loaded = disk.parse(content, firstLoad);
        } catch (InvalidRegistryException e) {
            if (purpose == Purpose.REPLACE && !firstLoad) {
                return snapshot; // about to be replaced: build on the last good state
            }
            throw refused(purpose, RejectedEdit.Reason.INVALID, e.getMessage(), content);
        }
        Snapshot before = snapshot;
        Snapshot after = Snapshot.of(loaded.document(), before, clock.instant());
        if (!firstLoad && !loaded.trusted() && purpose != Purpose.REPLACE) {
            Optional<EditGuard.Refusal> refusal = EditGuard.check(before, after, options.maxRemovalFraction());
            if (refusal.isPresent()) {
                throw refused(
                        purpose,
                        refusal.get().reason(),
                        file + ": " + refusal.get().message(),
                        content);
            }
        }
        List<ChangeKey> changes = SnapshotDiff.between(before, after);
        install(after, changes, content, loaded);
        trustedBase = !firstLoad || loaded.trusted();
        refusals.resolved();
        log.info(
                "{}: registry {} {}: {} changes",
                file,
                firstLoad ? "readable again, loaded" : "reloaded after an edit",
                loaded.trusted() ? "written by a store" : "on disk",
                changes.size());
        return after;
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

    private void commit(Snapshot next, List<ChangeKey> changes) {
        List<ChangeKey> all = new ArrayList<>(changes);
        Snapshot pruned = next.withoutExpiredOverrides(clock.instant(), all);
        JsonNode written = DocumentForm.apply(tree, pruned.toDocument());
        byte[] content = RegistryDocuments.render(written, json);
        disk.write(content, VersionSidecar.of(pruned, content, trustedBase));
        install(pruned, all, content, new RegistryFile.Loaded(null, written, json, true, trustedBase));
    }

    private void install(Snapshot next, List<ChangeKey> changes, byte[] content, RegistryFile.Loaded loaded) {
        // Publish the state before the feed: a follower that sees a change must read the new state.
        snapshot = next;
        lastContent = content;
        tree = loaded.tree();
        json = loaded.json();
        available = true;
        if (!changes.isEmpty()) {
            feed.append(changes, clock.instant());
            generation.incrementAndGet();
        }
    }

    /**
     * A read: from memory at once, or, while no valid document has been read yet, after one more
     * attempt to read the file (on the writer thread); until then the store answers as down.
     */
    private <T> CompletableFuture<T> read(Supplier<T> answer) {
        if (available) {
            return CompletableFuture.completedFuture(answer.get());
        }
        return onWriter(() -> {
            if (!available) {
                catchUpWithDisk(Purpose.RELOAD);
            }
            return answer.get();
        });
    }

    private <T> CompletableFuture<T> onWriter(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            writer.execute(() -> {
                try {
                    result.complete(task.call());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new StoreUnavailableException(file + ": the registry store is closed", e));
        }
        return result;
    }

    private static List<ChangeKey> change(Change.Kind kind, String key) {
        return List.of(new ChangeKey(kind, key));
    }

    private static void checkCellExists(Snapshot current, String cell) {
        if (!current.cells().containsKey(cell)) {
            throw new NotFoundException("cell '" + cell + "' does not exist");
        }
    }

    private static void checkName(String name, String what) {
        if (name == null || !Cell.NAME.matcher(name).matches()) {
            throw new InvalidRegistryException(what + " must match " + Cell.NAME.pattern() + ", was '" + name + "'");
        }
    }
}
