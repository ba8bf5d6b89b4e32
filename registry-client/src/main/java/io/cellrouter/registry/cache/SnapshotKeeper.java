package io.cellrouter.registry.cache;

import io.cellrouter.registry.model.RegistryDocument;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the last-known-good snapshot ({@link SnapshotFile}) fresh: once the resolver has loaded the
 * store it {@linkplain #follow follows} it, and every {@code interval} (1 s by default) writes what
 * the resolver knows if anything changed since the last write (the feed cursor moved: a placement,
 * override or cell changed; the cache grew or shrank; or a customer was rerouted without either: a
 * refresh or a misroute's re-read found it on another cell, an override ended). So a routing
 * change the router learns is on disk within about two intervals, and a router that cold-starts
 * with the store down routes every customer as the fleet last did. {@link #close} writes once more if something changed: a graceful
 * shutdown leaves the newest snapshot.
 *
 * <p>Cost: a write streams the whole document (cells, overrides, every cached placement); the next
 * check waits at least as long as the last write took, so that writing a large registry never takes
 * more than half of one thread. Failures are logged (once per outage) and counted ({@link
 * #failures()}: {@code cellrouter_registry_snapshot_failures_total}).
 *
 * <p>Threads: writes run on one daemon thread of the keeper's, never two at a time; the checks are
 * scheduled on the resolver's scheduler and only hand work to that thread.
 */
final class SnapshotKeeper {

    private static final Logger log = LoggerFactory.getLogger(SnapshotKeeper.class);

    private final SnapshotFile file;
    private final Duration interval;
    private final Supplier<RegistryDocument> document;
    private final LongSupplier cursor;
    private final LongSupplier size;
    private final LongSupplier reroutes;
    private final String storeKind;
    private final ExecutorService writer;
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean following;
    private volatile boolean closed;
    private volatile Instant writtenAt;
    private volatile long writtenCursor = -1;
    private volatile long writtenSize = -1;
    private volatile long writtenReroutes = -1;
    private volatile long lastWriteNanos;
    private volatile boolean failing;
    private volatile boolean writtenOnce;

    SnapshotKeeper(
            Path path,
            Duration interval,
            Supplier<RegistryDocument> document,
            LongSupplier cursor,
            LongSupplier size,
            LongSupplier reroutes,
            String storeKind) {
        this.file = new SnapshotFile(path);
        this.interval = interval;
        this.document = document;
        this.cursor = cursor;
        this.size = size;
        this.reroutes = reroutes;
        this.storeKind = storeKind;
        this.writer = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "cell-router-snapshot");
            thread.setDaemon(true);
            return thread;
        });
    }

    Path path() {
        return file.path();
    }

    boolean exists() {
        return Files.exists(file.path());
    }

    /** Reads the snapshot to serve it; remembers when it was written. */
    RegistryDocument read() throws IOException {
        RegistryDocument read = file.read();
        writtenAt = file.writtenAt();
        return read;
    }

    /** When the snapshot in use, or the last one written, was written. */
    Optional<Instant> writtenAt() {
        return Optional.ofNullable(writtenAt);
    }

    long failures() {
        return failures.get();
    }

    /** The resolver routes on the store now: write, then keep writing after every change. */
    void follow(ScheduledExecutorService scheduler) {
        if (following) {
            return;
        }
        following = true;
        writeIfChanged();
        schedule(scheduler);
    }

    /** Writes once more if something changed (on the caller's thread, after any write under way), then stops. */
    void close() {
        closed = true;
        writer.shutdown();
        try {
            if (!writer.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("{} registry: a snapshot write is still running at close", storeKind);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (following && changed()) {
            write(cursor.getAsLong(), size.getAsLong(), reroutes.getAsLong());
        }
    }

    private void schedule(ScheduledExecutorService scheduler) {
        if (closed) {
            return;
        }
        long delay = Math.max(interval.toNanos(), lastWriteNanos);
        try {
            scheduler.schedule(
                    () -> {
                        writeIfChanged();
                        schedule(scheduler);
                    },
                    delay,
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The resolver is closing: no more checks.
        }
    }

    private boolean changed() {
        return cursor.getAsLong() != writtenCursor
                || size.getAsLong() != writtenSize
                || reroutes.getAsLong() != writtenReroutes;
    }

    /** Hands a write to the writer thread when something changed and no write is under way. */
    private void writeIfChanged() {
        if (closed || !changed() || !writing.compareAndSet(false, true)) {
            return;
        }
        long atCursor = cursor.getAsLong();
        long atSize = size.getAsLong();
        long atReroutes = reroutes.getAsLong();
        try {
            writer.execute(() -> {
                try {
                    write(atCursor, atSize, atReroutes);
                } finally {
                    writing.set(false);
                }
            });
        } catch (RejectedExecutionException e) {
            writing.set(false);
        }
    }

    /** Writes the snapshot of what the resolver knows; {@code atCursor}, {@code atSize}, {@code atReroutes}: at least that. */
    private void write(long atCursor, long atSize, long atReroutes) {
        long start = System.nanoTime();
        try {
            RegistryDocument current = document.get();
            file.write(current);
            writtenCursor = atCursor;
            writtenSize = atSize;
            writtenReroutes = atReroutes;
            writtenAt = file.writtenAt();
            lastWriteNanos = System.nanoTime() - start;
            if (failing) {
                failing = false;
                log.info("{} registry: the snapshot {} is written again", storeKind, file.path());
            }
            if (!writtenOnce) {
                writtenOnce = true;
                log.info(
                        "{} registry: wrote the last-known-good snapshot {} ({} customers) in {} ms; looking for"
                                + " a change every {} ms, rewritten within two of those after each",
                        storeKind,
                        file.path(),
                        current.customers().size(),
                        lastWriteNanos / 1_000_000,
                        interval.toMillis());
            }
        } catch (IOException | RuntimeException e) {
            failures.incrementAndGet();
            if (!failing) {
                failing = true;
                log.warn("{} registry: writing the snapshot {} failed: {}", storeKind, file.path(), e.toString());
            }
        }
    }
}
