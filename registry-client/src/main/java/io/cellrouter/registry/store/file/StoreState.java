package io.cellrouter.registry.store.file;

import io.cellrouter.registry.store.ChangeBatch;
import io.cellrouter.registry.store.InvalidRegistryException;
import io.cellrouter.registry.store.StoreUnavailableException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file store's view in memory: the current immutable {@link Snapshot}, the change feed that
 * records how it got there, and the count of changes; kept up to the file by {@link
 * DocumentOnDisk}, which reads, guards and writes the document.
 *
 * <p>Concurrency: {@link #load}, {@link #catchUp} and {@link #commit} run on the store's {@link
 * WriterThread} only (or in {@code open}, before the store is shared); the rest is read from any
 * thread. A new state is published before its changes join the feed: a follower that sees a change
 * reads the new state.
 */
final class StoreState {

    private static final Logger log = LoggerFactory.getLogger(FileRegistryStore.class); // the store's log

    private final Path file;
    private final Clock clock;
    private final DocumentOnDisk disk;
    private final ChangeFeed feed;
    private final AtomicLong generation = new AtomicLong();
    private volatile Snapshot snapshot = Snapshot.EMPTY;

    StoreState(Path file, Clock clock, DocumentOnDisk disk, int feedCapacity) {
        this.file = file;
        this.clock = clock;
        this.disk = disk;
        this.feed = new ChangeFeed(feedCapacity);
    }

    /** The current state. */
    Snapshot current() {
        return snapshot;
    }

    /** True once a valid document has been read (or written). */
    boolean loaded() {
        return disk.loaded();
    }

    /** Counts the changes of the state (writes and reloads that changed something). */
    long generation() {
        return generation.get();
    }

    ChangeBatch changesSince(long cursor) {
        return feed.since(cursor);
    }

    long latestSequence() {
        return feed.head();
    }

    /**
     * The first read, when the store opens; {@code startWithoutDocument}: a missing or invalid file
     * is logged, and the state stays empty (and not loaded) until a later read succeeds.
     */
    void load(boolean startWithoutDocument) {
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

    /** Brings the state up to the file; returns the state to build a write on. */
    Snapshot catchUp(DocumentOnDisk.Purpose purpose) {
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

    /**
     * Writes {@code next} to the file and makes it the state; {@code vouched}: the operator asserts
     * the content (a replacement of the whole registry), see {@link DocumentOnDisk#write}.
     */
    void commit(Snapshot next, List<ChangeKey> changes, boolean vouched) {
        install(disk.write(next, changes, vouched));
    }

    private void install(DocumentOnDisk.Update update) {
        // Publish the state before the feed: a follower that sees a change must read the new state.
        snapshot = update.state();
        if (!update.changes().isEmpty()) {
            feed.append(update.changes(), clock.instant());
            generation.incrementAndGet();
        }
    }
}
