package io.cellrouter.registry.store.file;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import io.cellrouter.registry.store.CellPatch;
import io.cellrouter.registry.store.Change;
import io.cellrouter.registry.store.ChangeBatch;
import io.cellrouter.registry.store.ImportResult;
import io.cellrouter.registry.store.InvalidRegistryException;
import io.cellrouter.registry.store.NotFoundException;
import io.cellrouter.registry.store.PlacementPage;
import io.cellrouter.registry.store.PlacementQuery;
import io.cellrouter.registry.store.RegistryDocuments;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.registry.store.RejectedEdit;
import io.cellrouter.registry.store.StoreUnavailableException;
import io.cellrouter.registry.store.VersionConflictException;
import io.cellrouter.registry.watch.FileChangeWatcher;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
 *  watcher thread ────── "file changed" ── reload() ──┘    └──► versions sidecar, then the document
 *                                                     │         (each: temp file, fsync, rename)
 *                                                     └──► ChangeFeed (diff of old and new state)
 * </pre>
 *
 * <p>Concurrency: reads return completed futures from the current immutable {@link Snapshot}. Every
 * change of state (the store's writes and reloads after an edit on disk) runs on one writer thread
 * owned by the store, so a reload and a write never interleave. The watcher thread only queues
 * reloads. Futures of writes complete on the writer thread: callers that own a thread hop back.
 *
 * <p>The document is its operator's: a write changes the operator's tree ({@link io.cellrouter.registry.store.DocumentForm}:
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

    private final Path file;
    private final Clock clock;
    private final ChangeFeed feed;
    private final ExecutorService writer;
    private final AtomicLong generation = new AtomicLong();
    private final EditRefusals refusals;
    private final DocumentOnDisk disk;
    private final ListingIndex listing = new ListingIndex();
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    private volatile FileChangeWatcher watcher;

    private FileRegistryStore(RegistryFile file, Clock clock, FileStoreOptions options, int feedCapacity) {
        this.file = file.path();
        this.clock = clock;
        this.feed = new ChangeFeed(feedCapacity);
        this.refusals = new EditRefusals(this.file, clock, options.rejectedEdits());
        this.disk = new DocumentOnDisk(file, clock, options.maxRemovalFraction(), refusals);
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
            store.loadAtOpen(options.startWithoutDocument());
            Set<Path> names = Set.of(disk.path().getFileName(), disk.sidecar().getFileName());
            store.watcher = FileChangeWatcher.start(
                    "cell-router-registry-watch",
                    List.of(disk.path()),
                    names::contains,
                    debounce,
                    null,
                    store::onFileChanged);
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
            catchUpWithDisk(DocumentOnDisk.Purpose.RELOAD);
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

    /** A page from the placements sorted in memory: a binary search and at most {@code limit} steps. */
    @java.lang.Override
    public CompletableFuture<PlacementPage> placementPage(PlacementQuery query) {
        try {
            return CompletableFuture.completedFuture(
                    listing.of(snapshot.placements()).page(query));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @java.lang.Override
    public CompletableFuture<Long> countPlacements(String cell) {
        return CompletableFuture.completedFuture(
                listing.of(snapshot.placements()).count(cell));
    }

    /** Read, patched and written on the writer thread: no other write comes between. */
    @java.lang.Override
    public CompletableFuture<Cell> patchCell(String name, CellPatch patch) {
        return onWriter(() -> {
            Snapshot current = catchUpWithDisk(DocumentOnDisk.Purpose.WRITE);
            Cell existing = current.cells().get(name);
            if (existing == null) {
                throw new NotFoundException("cell '" + name + "' does not exist");
            }
            Cell stored = patch.applyTo(existing).withVersion(existing.version() + 1);
            commit(current.withCell(stored), change(Change.Kind.CELL, name));
            return stored;
        });
    }

    @java.lang.Override
    public CompletableFuture<List<Cell>> cells() {
        return read(() -> List.copyOf(snapshot.cells().values()));
    }

    @java.lang.Override
    public CompletableFuture<List<RoutingOverride>> overrides() {
        return read(() -> List.copyOf(snapshot.overrides().values()));
    }

    @java.lang.Override
    public CompletableFuture<Placement> putPlacement(String customer, String cell, long expectedVersion) {
        return onWriter(() -> {
            checkName(customer, "customer");
            Snapshot current = catchUpWithDisk(DocumentOnDisk.Purpose.WRITE);
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
            Snapshot current = catchUpWithDisk(DocumentOnDisk.Purpose.WRITE);
            Cell existing = current.cells().get(cell.name());
            Cell stored = cell.withVersion(existing == null ? 1 : existing.version() + 1);
            commit(current.withCell(stored), change(Change.Kind.CELL, cell.name()));
            return stored;
        });
    }

    @java.lang.Override
    public CompletableFuture<RoutingOverride> putOverride(RoutingOverride override) {
        return onWriter(() -> {
            checkName(override.customer(), "customer");
            Snapshot current = catchUpWithDisk(DocumentOnDisk.Purpose.WRITE);
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
            Snapshot current = catchUpWithDisk(DocumentOnDisk.Purpose.WRITE);
            if (!current.overrides().containsKey(customer)) {
                return false;
            }
            commit(current.withoutOverride(customer), change(Change.Kind.OVERRIDE, customer));
            return true;
        });
    }

    @java.lang.Override
    public CompletableFuture<List<Shadow>> shadows() {
        return read(() -> List.copyOf(snapshot.shadows().values()));
    }

    @java.lang.Override
    public CompletableFuture<Shadow> putShadow(Shadow shadow) {
        return onWriter(() -> {
            checkName(shadow.customer(), "customer");
            Snapshot current = catchUpWithDisk(DocumentOnDisk.Purpose.WRITE);
            checkCellExists(current, shadow.toCell());
            commit(current.withShadow(shadow), change(Change.Kind.SHADOW, shadow.customer()));
            return shadow;
        });
    }

    @java.lang.Override
    public CompletableFuture<Boolean> deleteShadow(String customer) {
        return onWriter(() -> {
            Snapshot current = catchUpWithDisk(DocumentOnDisk.Purpose.WRITE);
            if (!current.shadows().containsKey(customer)) {
                return false;
            }
            commit(current.withoutShadow(customer), change(Change.Kind.SHADOW, customer));
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
            Snapshot current = catchUpWithDisk(DocumentOnDisk.Purpose.WRITE);
            RegistryDocument merged =
                    RegistryDocuments.validate(Imports.overlay(current.toDocument(), document), file.toString());
            Snapshot next = Snapshot.of(merged, current, clock.instant());
            List<ChangeKey> changes = SnapshotDiff.between(current, next);
            if (!changes.isEmpty()) {
                commit(next, changes);
            }
            int named = document.cells().size()
                    + document.customers().size()
                    + document.overrides().size()
                    + document.shadows().size();
            return Imports.result(changes, named - changes.size());
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
            Snapshot current = catchUpWithDisk(DocumentOnDisk.Purpose.REPLACE);
            RegistryDocument valid = RegistryDocuments.validate(
                    new RegistryDocument(
                            document.cells(), document.customers(), document.overrides(), null, document.shadows()),
                    file.toString());
            Snapshot next = Snapshot.of(valid, current, clock.instant());
            List<ChangeKey> changes = SnapshotDiff.between(current, next);
            install(disk.write(next, changes, true)); // the operator vouches for this document
            return Imports.result(changes, 0);
        });
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
        FileChangeWatcher current = watcher;
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

    private void loadAtOpen(boolean startWithoutDocument) {
        try {
            snapshot = disk.open();
            log.info(
                    "{}: registry loaded: {} cells, {} customers, {} overrides",
                    file,
                    snapshot.cells().size(),
                    snapshot.placements().size(),
                    snapshot.overrides().size());
        } catch (StoreUnavailableException | InvalidRegistryException e) {
            if (!startWithoutDocument) {
                throw e;
            }
            log.warn(
                    "{}; the store answers as down until the file is readable and valid (a router serves its"
                            + " last-known-good snapshot meanwhile)",
                    e.getMessage());
        }
    }

    /** Brings the in-memory state up to the file, on the writer thread; returns the state to build a write on. */
    private Snapshot catchUpWithDisk(DocumentOnDisk.Purpose purpose) {
        Optional<DocumentOnDisk.Update> update = disk.catchUp(snapshot, purpose);
        if (update.isPresent()) {
            install(update.get());
            log.info(
                    "{}: registry reloaded after an edit on disk: {} changes",
                    file,
                    update.get().changes().size());
        }
        return snapshot;
    }

    private void commit(Snapshot next, List<ChangeKey> changes) {
        install(disk.write(next, changes, false));
    }

    private void install(DocumentOnDisk.Update update) {
        // Publish the state before the feed: a follower that sees a change must read the new state.
        snapshot = update.state();
        if (!update.changes().isEmpty()) {
            feed.append(update.changes(), clock.instant());
            generation.incrementAndGet();
        }
    }

    /**
     * A read: from memory at once, or, while no valid document has been read yet, after one more
     * attempt to read the file (on the writer thread); until then the store answers as down.
     */
    private <T> CompletableFuture<T> read(Supplier<T> answer) {
        if (disk.loaded()) {
            return CompletableFuture.completedFuture(answer.get());
        }
        return onWriter(() -> {
            if (!disk.loaded()) {
                catchUpWithDisk(DocumentOnDisk.Purpose.RELOAD);
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
