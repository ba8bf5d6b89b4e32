package io.cellrouter.registry.store.file;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back when one of a few files of one folder changes, however it was changed.
 *
 * <p>It watches the parent directory rather than the file: editors and tools often write a new
 * file and rename it over the old one, which a watch on the old file's inode would miss. Events come
 * in bursts (truncate, write, write, rename), so the callback runs once the file has been quiet for
 * {@code debounce}.
 *
 * <p>Concurrency: one daemon thread owns the {@link WatchService} and runs the callback; the
 * callback must be quick (the store only queues a reload on its writer).
 */
final class FileWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FileWatcher.class);

    private final Path file;
    private final java.util.Set<Path> names;
    private final long debounceNanos;
    private final Runnable onChange;
    private final WatchService watchService;
    private final Thread thread;

    private FileWatcher(Path file, java.util.List<Path> siblings, Duration debounce, Runnable onChange)
            throws IOException {
        this.file = file;
        this.names = new java.util.HashSet<>();
        names.add(file.getFileName());
        siblings.forEach(sibling -> names.add(sibling.getFileName()));
        this.debounceNanos = debounce.toNanos();
        this.onChange = onChange;
        Path directory = file.getParent();
        this.watchService = directory.getFileSystem().newWatchService();
        directory.register(
                watchService,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        this.thread = new Thread(this::run, "cell-router-registry-watch");
        thread.setDaemon(true);
    }

    /** Starts watching {@code file}, an absolute path, and {@code siblings} in the same folder. */
    static FileWatcher start(Path file, java.util.List<Path> siblings, Duration debounce, Runnable onChange)
            throws IOException {
        FileWatcher watcher = new FileWatcher(file, siblings, debounce, onChange);
        watcher.thread.start();
        return watcher;
    }

    private void run() {
        boolean pending = false;
        long due = 0;
        try {
            while (true) {
                WatchKey key = pending
                        ? watchService.poll(Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS)
                        : watchService.take();
                if (key != null) {
                    if (concernsFile(key)) {
                        pending = true;
                        due = System.nanoTime() + debounceNanos;
                    }
                    if (!key.reset()) {
                        log.warn("{}: its directory can no longer be watched; edits are not picked up", file);
                        return;
                    }
                }
                if (pending && System.nanoTime() - due >= 0) {
                    pending = false;
                    runCallback();
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // close() was called: stop quietly.
        }
    }

    private boolean concernsFile(WatchKey key) {
        boolean concerns = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            // OVERFLOW means events were lost: one of them may have been ours.
            if (event.kind() == StandardWatchEventKinds.OVERFLOW || names.contains((Path) event.context())) {
                concerns = true;
            }
        }
        return concerns;
    }

    private void runCallback() {
        try {
            onChange.run();
        } catch (RuntimeException e) {
            log.warn("{}: reacting to a change failed", file, e);
        }
    }

    @Override
    public void close() {
        try {
            watchService.close();
        } catch (IOException e) {
            log.debug("{}: closing the watch service failed", file, e);
        }
        thread.interrupt();
    }
}
