package io.cellrouter.registry.store.file;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import io.cellrouter.registry.store.CellPatch;
import io.cellrouter.registry.store.ChangeBatch;
import io.cellrouter.registry.store.ImportResult;
import io.cellrouter.registry.store.InvalidRegistryException;
import io.cellrouter.registry.store.PlacementPage;
import io.cellrouter.registry.store.PlacementQuery;
import io.cellrouter.registry.store.RegistryDocuments;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.registry.store.RejectedEdit;
import io.cellrouter.registry.store.StoreUnavailableException;
import io.cellrouter.registry.watch.FileChangeWatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

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
 * change of state (the store's writes and reloads after an edit on disk) runs on one {@link
 * WriterThread} owned by the store, so a reload and a write never interleave. The watcher thread
 * only queues reloads. Futures of writes complete on the writer thread: callers that own a thread
 * hop back.
 *
 * <p>The parts: this class opens, watches and answers; {@link StoreState} is the state in memory
 * and its change feed; {@link StoreWrites} holds the rules of each write (what it checks, what it
 * changes); {@link DocumentOnDisk} reads, guards and writes the document ({@link RegistryFile},
 * {@link AtomicFiles}).
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

    static final int DEFAULT_FEED_CAPACITY = 100_000;

    /** Long enough to coalesce an editor's truncate-write-rename burst, short for a person. */
    static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(100);

    private final Path file;
    private final Clock clock;
    private final WriterThread writer;
    private final WriteLock writeLock;
    private final EditRefusals refusals;
    private final StoreState state;
    private final ListingIndex listing = new ListingIndex();
    private volatile FileChangeWatcher watcher;

    private FileRegistryStore(RegistryFile file, Clock clock, FileStoreOptions options, int feedCapacity) {
        this.file = file.path();
        this.clock = clock;
        this.refusals = new EditRefusals(this.file, clock, options.rejectedEdits());
        DocumentOnDisk disk = new DocumentOnDisk(file, clock, options.maxRemovalFraction(), refusals);
        this.state = new StoreState(this.file, clock, disk, feedCapacity);
        this.writer = new WriterThread(this.file);
        this.writeLock = new WriteLock(this.file);
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
            store.state.load(options.startWithoutDocument());
            store.watcher = FileChangeWatcher.start(
                    "cell-router-registry-watch",
                    disk.target().equals(disk.path()) ? List.of(disk.path()) : List.of(disk.path(), disk.target()),
                    concerns(disk),
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

    /**
     * Which events in the watched folders may be an edit: those naming the file or its versions;
     * any event while the file is a symbolic link, since a link is edited by changing what it points
     * to (a Kubernetes config map swaps {@code ..data}, an event that never names the file). A
     * needless reload costs one read: {@link #onFileChanged} compares bytes.
     */
    private static Predicate<Path> concerns(RegistryFile disk) {
        Set<Path> names = Set.of(
                disk.path().getFileName(), VersionSidecar.pathFor(disk.path()).getFileName());
        return name -> names.contains(name) || Files.isSymbolicLink(disk.path());
    }

    /** The registry file, as an absolute path. */
    public Path file() {
        return file;
    }

    /** Counts the changes of the in-memory state (writes and reloads that changed something). */
    public long generation() {
        return state.generation();
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
        return state.current().toDocument();
    }

    /**
     * Reads the file again now, as the watcher does after an edit. Completes exceptionally with
     * {@link InvalidRegistryException} (and keeps the last good state) when the edit is refused.
     */
    public CompletableFuture<Void> reload() {
        return writer.submit(() -> {
            state.catchUp(DocumentOnDisk.Purpose.RELOAD);
            return null;
        });
    }

    @java.lang.Override
    public CompletableFuture<Optional<Placement>> placement(String customer) {
        return read(() -> Optional.ofNullable(state.current().placements().get(customer)));
    }

    @java.lang.Override
    public CompletableFuture<List<Placement>> placements() {
        return read(() -> List.copyOf(state.current().placements().values()));
    }

    /** A page from the placements sorted in memory: a binary search and at most {@code limit} steps. */
    @java.lang.Override
    public CompletableFuture<PlacementPage> placementPage(PlacementQuery query) {
        try {
            return CompletableFuture.completedFuture(
                    listing.of(state.current().placements()).page(query));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @java.lang.Override
    public CompletableFuture<Long> countPlacements(String cell) {
        return CompletableFuture.completedFuture(
                listing.of(state.current().placements()).count(cell));
    }

    /** Read, patched and written on the writer thread: no other write comes between. */
    @java.lang.Override
    public CompletableFuture<Cell> patchCell(String name, CellPatch patch) {
        return write(current -> StoreWrites.patchCell(current, name, patch));
    }

    @java.lang.Override
    public CompletableFuture<List<Cell>> cells() {
        return read(() -> List.copyOf(state.current().cells().values()));
    }

    @java.lang.Override
    public CompletableFuture<List<RoutingOverride>> overrides() {
        return read(() -> List.copyOf(state.current().overrides().values()));
    }

    @java.lang.Override
    public CompletableFuture<Placement> putPlacement(String customer, String cell, long expectedVersion) {
        return write(
                customer,
                current -> StoreWrites.putPlacement(current, customer, cell, expectedVersion, clock.instant()));
    }

    @java.lang.Override
    public CompletableFuture<Cell> putCell(Cell cell) {
        return write(current -> StoreWrites.putCell(current, cell));
    }

    @java.lang.Override
    public CompletableFuture<RoutingOverride> putOverride(RoutingOverride override) {
        return write(override.customer(), current -> StoreWrites.putOverride(current, override));
    }

    @java.lang.Override
    public CompletableFuture<Boolean> deleteOverride(String customer) {
        return write(current -> StoreWrites.deleteOverride(current, customer));
    }

    @java.lang.Override
    public CompletableFuture<List<Shadow>> shadows() {
        return read(() -> List.copyOf(state.current().shadows().values()));
    }

    @java.lang.Override
    public CompletableFuture<Shadow> putShadow(Shadow shadow) {
        return write(shadow.customer(), current -> StoreWrites.putShadow(current, shadow));
    }

    @java.lang.Override
    public CompletableFuture<Boolean> deleteShadow(String customer) {
        return write(current -> StoreWrites.deleteShadow(current, customer));
    }

    /**
     * {@code registry import}: the document's items laid over the current state in one write of the
     * file (not one rewrite per item); what the document does not name is kept. Versions are
     * reconciled as for an edit on disk, and every item that changed becomes a change in the feed.
     */
    @java.lang.Override
    public CompletableFuture<ImportResult> importDocument(RegistryDocument document) {
        return write(current -> StoreWrites.importDocument(current, document, file.toString(), clock.instant()));
    }

    /**
     * {@code registry import --allow-removals}: the document becomes the whole registry, what it
     * does not name is removed, and no edit guard applies: the operator means it. Written even when
     * nothing changed, so that a running router whose guard refused this same document on disk takes
     * it up (the versions sidecar now names it as a store's write).
     */
    public CompletableFuture<ImportResult> replaceDocument(RegistryDocument document) {
        return writer.submit(() -> writeLock.holding(() -> {
            Snapshot current = state.catchUp(DocumentOnDisk.Purpose.REPLACE);
            StoreWrites.Outcome<ImportResult> outcome =
                    StoreWrites.replaceDocument(current, document, file.toString(), clock.instant());
            state.commit(outcome.next(), outcome.changes(), true); // the operator vouches for this document
            return outcome.answer();
        }));
    }

    @java.lang.Override
    public CompletableFuture<ChangeBatch> changesSince(long cursor) {
        return read(() -> state.changesSince(cursor));
    }

    @java.lang.Override
    public CompletableFuture<Long> latestSequence() {
        return read(state::latestSequence);
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
        writer.close();
    }

    private void onFileChanged() {
        // Refusals are counted and logged by the state's catch-up; nothing else to do here.
        reload();
    }

    /**
     * A read: from memory at once, or, while no valid document has been read yet, after one more
     * attempt to read the file (on the writer thread); until then the store answers as down.
     */
    private <T> CompletableFuture<T> read(Supplier<T> answer) {
        if (state.loaded()) {
            return CompletableFuture.completedFuture(answer.get());
        }
        return writer.submit(() -> {
            if (!state.loaded()) {
                state.catchUp(DocumentOnDisk.Purpose.RELOAD);
            }
            return answer.get();
        });
    }

    /** A write on the writer thread: its rule applied to the state caught up with the file, then committed. */
    private <T> CompletableFuture<T> write(Function<Snapshot, StoreWrites.Outcome<T>> rule) {
        return writer.submit(() -> apply(rule));
    }

    /** A write for {@code customer}, whose name is checked first (a bad name needs no read of the file). */
    private <T> CompletableFuture<T> write(String customer, Function<Snapshot, StoreWrites.Outcome<T>> rule) {
        return writer.submit(() -> {
            StoreWrites.checkName(customer, "customer");
            return apply(rule);
        });
    }

    /** Catches up with the file, applies the rule and writes, holding the file's {@link WriteLock}. */
    private <T> T apply(Function<Snapshot, StoreWrites.Outcome<T>> rule) {
        return writeLock.holding(() -> {
            StoreWrites.Outcome<T> outcome = rule.apply(state.catchUp(DocumentOnDisk.Purpose.WRITE));
            if (!outcome.changes().isEmpty()) {
                state.commit(outcome.next(), outcome.changes(), false);
            }
            return outcome.answer();
        });
    }
}
