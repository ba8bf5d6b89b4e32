package io.cellrouter.registry.store.file;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.Override;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RegistryDocument;
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
import io.cellrouter.registry.store.StoreUnavailableException;
import io.cellrouter.registry.store.VersionConflictException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded registry: one YAML/JSON document on disk (format on {@link RegistryDocuments}),
 * held in memory, watched for edits, and written back atomically.
 *
 * <pre>
 *  readers (any thread) ──► volatile Snapshot ◄── writer thread ◄── putPlacement / putCell / ...
 *                                                     ▲    │
 *  FileWatcher thread ── "file changed" ── reload() ──┘    └──► temp file, fsync, rename, fsync dir
 *                                                     │
 *                                                     └──► ChangeFeed (diff of old and new state)
 * </pre>
 *
 * <p>Concurrency: reads return completed futures from the current immutable {@link Snapshot}. Every
 * change of state (the store's writes and reloads after an edit on disk) runs on one writer thread
 * owned by the store, so a reload and a write never interleave. The watcher thread only queues
 * reloads. Futures of writes complete on the writer thread: callers that own a thread hop back.
 *
 * <p>Edits on disk: an edit is picked up without a restart; an invalid edit is logged and the last
 * good state is kept. Before each write the store reads the file again and applies an edit it has
 * not seen yet, so a write does not silently undo a hand edit, and it refuses to write over an
 * invalid edit (it fails with {@link InvalidRegistryException}; fix the file first). The store's
 * own write coming back through the watcher is recognized by its bytes and changes nothing.
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
    private final AtomicLong rejectedEdits = new AtomicLong();
    private final ListingIndex listing = new ListingIndex();
    private volatile Snapshot snapshot;
    private volatile FileWatcher watcher;

    /** The bytes of the file as last read or written; touched only on the writer thread. */
    private byte[] lastContent;

    private FileRegistryStore(Path file, Clock clock, int feedCapacity, Snapshot snapshot, byte[] content) {
        this.file = file;
        this.clock = clock;
        this.feed = new ChangeFeed(feedCapacity);
        this.snapshot = snapshot;
        this.lastContent = content;
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
        return open(file, clock, DEFAULT_FEED_CAPACITY, DEFAULT_DEBOUNCE);
    }

    static FileRegistryStore open(Path file, Clock clock, int feedCapacity, Duration debounce) {
        Path absolute = file.toAbsolutePath().normalize();
        byte[] content = readBytes(absolute);
        RegistryDocument document = RegistryDocuments.parse(content, absolute.toString());
        Snapshot snapshot = Snapshot.of(document, Snapshot.EMPTY, clock.instant());
        FileRegistryStore store = new FileRegistryStore(absolute, clock, feedCapacity, snapshot, content);
        try {
            store.watcher = FileWatcher.start(absolute, debounce, store::onFileChanged);
        } catch (IOException e) {
            store.close();
            throw new StoreUnavailableException(absolute + ": cannot watch the registry file: " + e, e);
        }
        log.info(
                "{}: registry loaded: {} cells, {} customers, {} overrides",
                absolute,
                snapshot.cells().size(),
                snapshot.placements().size(),
                snapshot.overrides().size());
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

    /** Counts the edits on disk that were rejected as invalid (or unreadable) and ignored. */
    public long rejectedEdits() {
        return rejectedEdits.get();
    }

    /** The current state as a document, for {@code registry export} and snapshots. */
    public RegistryDocument document() {
        return snapshot.toDocument();
    }

    /**
     * Reads the file again now, as the watcher does after an edit. Completes exceptionally with
     * {@link InvalidRegistryException} (and keeps the last good state) when the file is invalid.
     */
    public CompletableFuture<Void> reload() {
        return onWriter(() -> {
            catchUpWithDisk(false);
            return null;
        });
    }

    @java.lang.Override
    public CompletableFuture<Optional<Placement>> placement(String customer) {
        return CompletableFuture.completedFuture(
                Optional.ofNullable(snapshot.placements().get(customer)));
    }

    @java.lang.Override
    public CompletableFuture<List<Placement>> placements() {
        return CompletableFuture.completedFuture(
                List.copyOf(snapshot.placements().values()));
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

    @java.lang.Override
    public CompletableFuture<List<Cell>> cells() {
        return CompletableFuture.completedFuture(List.copyOf(snapshot.cells().values()));
    }

    @java.lang.Override
    public CompletableFuture<List<Override>> overrides() {
        return CompletableFuture.completedFuture(
                List.copyOf(snapshot.overrides().values()));
    }

    @java.lang.Override
    public CompletableFuture<Placement> putPlacement(String customer, String cell, long expectedVersion) {
        return onWriter(() -> {
            checkName(customer, "customer");
            Snapshot current = catchUpWithDisk(true);
            checkCellExists(current, cell);
            Placement existing = current.placements().get(customer);
            long version = existing == null ? 0 : existing.version();
            if (version != expectedVersion) {
                throw new VersionConflictException("placement of '" + customer + "' is at version " + version + ", not "
                        + expectedVersion + (version == 0 ? " (not placed)" : ""));
            }
            Placement placement = new Placement(customer, cell, version + 1, clock.instant());
            commit(current.withPlacement(placement), Change.Kind.PLACEMENT, customer);
            return placement;
        });
    }

    @java.lang.Override
    public CompletableFuture<Cell> putCell(Cell cell) {
        return onWriter(() -> {
            Snapshot current = catchUpWithDisk(true);
            Cell existing = current.cells().get(cell.name());
            Cell stored = cell.withVersion(existing == null ? 1 : existing.version() + 1);
            commit(current.withCell(stored), Change.Kind.CELL, cell.name());
            return stored;
        });
    }

    /** Read, patched and written on the writer thread: no other write comes between. */
    @java.lang.Override
    public CompletableFuture<Cell> patchCell(String name, CellPatch patch) {
        return onWriter(() -> {
            Snapshot current = catchUpWithDisk(true);
            Cell existing = current.cells().get(name);
            if (existing == null) {
                throw new NotFoundException("cell '" + name + "' does not exist");
            }
            Cell stored = patch.applyTo(existing).withVersion(existing.version() + 1);
            commit(current.withCell(stored), Change.Kind.CELL, name);
            return stored;
        });
    }

    @java.lang.Override
    public CompletableFuture<Override> putOverride(Override override) {
        return onWriter(() -> {
            checkName(override.customer(), "customer");
            Snapshot current = catchUpWithDisk(true);
            if (override.cell() != null) {
                checkCellExists(current, override.cell());
            }
            commit(current.withOverride(override), Change.Kind.OVERRIDE, override.customer());
            return override;
        });
    }

    @java.lang.Override
    public CompletableFuture<Boolean> deleteOverride(String customer) {
        return onWriter(() -> {
            Snapshot current = catchUpWithDisk(true);
            if (!current.overrides().containsKey(customer)) {
                return false;
            }
            commit(current.withoutOverride(customer), Change.Kind.OVERRIDE, customer);
            return true;
        });
    }

    /**
     * The whole document in one write of the file (not one rewrite per item): the document's items
     * are laid over the current state, versions reconciled as for an edit on disk, and every item
     * that changed becomes a change in the feed.
     */
    @java.lang.Override
    public CompletableFuture<ImportResult> importDocument(RegistryDocument document) {
        return onWriter(() -> {
            Snapshot current = catchUpWithDisk(true);
            RegistryDocument merged =
                    RegistryDocuments.validate(overlay(current.toDocument(), document), file.toString());
            Snapshot next = Snapshot.of(merged, current, clock.instant());
            List<ChangeKey> changes = SnapshotDiff.between(current, next);
            if (!changes.isEmpty()) {
                byte[] content = RegistryDocuments.write(next.toDocument()).getBytes(StandardCharsets.UTF_8);
                try {
                    AtomicFiles.replace(file, content);
                } catch (IOException e) {
                    throw new StoreUnavailableException(file + ": cannot write the registry file: " + e, e);
                }
                install(next, changes, content);
            }
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
            int named = document.cells().size()
                    + document.customers().size()
                    + document.overrides().size();
            return new ImportResult(cells, placements, overrides, named - changes.size(), 0);
        });
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
        return CompletableFuture.completedFuture(feed.since(cursor));
    }

    @java.lang.Override
    public CompletableFuture<Long> latestSequence() {
        return CompletableFuture.completedFuture(feed.head());
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
        // Failures are counted and logged in catchUpWithDisk; nothing else to do here.
        reload();
    }

    /**
     * Brings the in-memory state up to the file, on the writer thread. Returns the state to build a
     * write on. Before a write ({@code forWrite}) a missing file is not an error: the write puts it
     * back.
     */
    private Snapshot catchUpWithDisk(boolean forWrite) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            if (forWrite) {
                return snapshot;
            }
            throw rejected(new StoreUnavailableException(file + ": the registry file is missing", e));
        } catch (IOException e) {
            throw rejected(new StoreUnavailableException(file + ": cannot read the registry file: " + e, e));
        }
        if (Arrays.equals(content, lastContent)) {
            return snapshot; // our own write coming back, or a touch: nothing changed
        }
        RegistryDocument document;
        try {
            document = RegistryDocuments.parse(content, file.toString());
        } catch (InvalidRegistryException e) {
            throw rejected(
                    forWrite
                            ? new InvalidRegistryException(
                                    "refusing to write over an invalid edit of the registry file: " + e.getMessage(), e)
                            : e);
        }
        Snapshot before = snapshot;
        Snapshot after = Snapshot.of(document, before, clock.instant());
        List<ChangeKey> changes = SnapshotDiff.between(before, after);
        install(after, changes, content);
        log.info("{}: registry reloaded after an edit on disk: {} changes", file, changes.size());
        return after;
    }

    private void commit(Snapshot next, Change.Kind kind, String key) {
        byte[] content = RegistryDocuments.write(next.toDocument()).getBytes(StandardCharsets.UTF_8);
        try {
            AtomicFiles.replace(file, content);
        } catch (IOException e) {
            throw new StoreUnavailableException(file + ": cannot write the registry file: " + e, e);
        }
        List<ChangeKey> changes = new ArrayList<>(1);
        changes.add(new ChangeKey(kind, key));
        install(next, changes, content);
    }

    private void install(Snapshot next, List<ChangeKey> changes, byte[] content) {
        // Publish the state before the feed: a follower that sees a change must read the new state.
        snapshot = next;
        lastContent = content;
        if (!changes.isEmpty()) {
            feed.append(changes, clock.instant());
            generation.incrementAndGet();
        }
    }

    private RuntimeException rejected(RuntimeException e) {
        rejectedEdits.incrementAndGet();
        log.warn("{} (keeping the last good registry)", e.getMessage()); // the message names the file
        return e;
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

    private static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new StoreUnavailableException(file + ": cannot read the registry file: " + e, e);
        }
    }
}
