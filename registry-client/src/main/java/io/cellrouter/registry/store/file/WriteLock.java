package io.cellrouter.registry.store.file;

import io.cellrouter.registry.store.StoreUnavailableException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Makes the writes of every store on one registry file take turns, in this process and across
 * processes (the router's admin API and {@code cell-router registry import} on the same file, say):
 * a write catches up with the file and replaces it while it holds the lock, so no write is built on
 * a state that another has replaced in between, which would undo that other write (a lost update).
 *
 * <p>The lock is an advisory lock on a file beside the registry ({@code .<name>.lock}, left in
 * place; beside the file a symbolic link names), taken by writers only: readers and hand edits never wait. The operating system's lock
 * belongs to the process, so the stores of one process also share a lock of their own per file.
 *
 * <p>Concurrency: {@link #holding} blocks its caller (a store's writer thread, never an event loop)
 * until the other writers are done.
 */
final class WriteLock {

    private static final ConcurrentHashMap<Path, ReentrantLock> IN_THIS_PROCESS = new ConcurrentHashMap<>();

    private final Path registry;

    WriteLock(Path registry) {
        this.registry = registry.toAbsolutePath().normalize();
    }

    /**
     * The file itself, every link followed, so that each way of naming it takes one lock, beside
     * the file that is written (see {@link AtomicFiles}); asked at each write, since a link may be
     * pointed elsewhere.
     */
    private Path file() {
        try {
            return registry.toRealPath();
        } catch (IOException e) {
            return registry; // not there (yet): the write that follows says so
        }
    }

    /** The lock file of {@code registry}: beside it, {@code .<name>.lock}. */
    static Path pathFor(Path registry) {
        return registry.resolveSibling("." + registry.getFileName() + ".lock");
    }

    /** Runs {@code write} while no other writer of the file runs. */
    <T> T holding(Supplier<T> write) {
        Path file = file();
        Path lockFile = pathFor(file);
        ReentrantLock local = IN_THIS_PROCESS.computeIfAbsent(file, path -> new ReentrantLock());
        local.lock();
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock held = channel.lock(); // released with the channel, at the latest
            try {
                return write.get();
            } finally {
                held.release();
            }
        } catch (IOException e) {
            throw new StoreUnavailableException(
                    lockFile + ": cannot lock the registry file for a write (" + e.getMessage() + ")", e);
        } finally {
            local.unlock();
        }
    }
}
