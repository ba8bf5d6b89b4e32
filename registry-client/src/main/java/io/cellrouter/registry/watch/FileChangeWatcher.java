package io.cellrouter.registry.watch;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back when files may have changed, however they were changed: the registry file, JWT key
 * files, TLS certificates and keys.
 *
 * <pre>
 *  watch thread: event in a watched folder ─(quiet for debounce)─┐
 *                every recheck (when given) ─────────────────────┴─► onChange
 * </pre>
 *
 * <p>It watches the folders, not the files: tools replace files by renaming (a watch on the old
 * inode misses that), and Kubernetes updates a mounted secret or config map by swapping a {@code
 * ..data} symlink, an event that never names the file. So by default any event in a watched
 * folder counts; {@code concerns} narrows that to some names (the registry's folder also holds
 * the files the store writes itself). Events come in bursts (truncate, write, write, rename): the
 * callback runs once the folder has been quiet for {@code debounce}. The callback decides whether
 * anything really changed (comparing bytes is cheap). The periodic recheck covers file systems
 * that send no events at all (some network and overlay mounts).
 *
 * <p>Concurrency: one daemon thread owns the {@link WatchService} and runs the callback, which
 * may block on file I/O but must not take long.
 */
public final class FileChangeWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FileChangeWatcher.class);

    private final String description;
    private final Predicate<Path> concerns;
    private final long debounceNanos;
    private final long recheckNanos;
    private final Runnable onChange;
    private final WatchService watchService;
    private final Thread thread;
    private final int folderCount;

    private FileChangeWatcher(
            String threadName,
            Collection<Path> files,
            Predicate<Path> concerns,
            Duration debounce,
            Duration recheck,
            Runnable onChange)
            throws IOException {
        Set<Path> folders = new LinkedHashSet<>();
        for (Path file : files) {
            folders.add(file.toAbsolutePath().normalize().getParent());
        }
        this.description = files.size() == 1 ? String.valueOf(files.iterator().next()) : String.valueOf(files);
        this.concerns = concerns;
        this.debounceNanos = debounce.toNanos();
        this.recheckNanos = recheck == null ? 0 : recheck.toNanos();
        this.onChange = onChange;
        this.watchService = folders.iterator().next().getFileSystem().newWatchService();
        try {
            for (Path folder : folders) {
                folder.register(
                        watchService,
                        StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            }
        } catch (IOException | RuntimeException e) {
            watchService.close();
            throw e;
        }
        this.folderCount = folders.size();
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
    }

    /**
     * Starts watching the folders of {@code files}; {@code onChange} runs after any event there.
     *
     * @param threadName the watch thread's name (it shows in thread dumps)
     * @param recheck also call back this often when nothing happened; null: only on events
     * @throws IOException when a folder cannot be watched
     */
    public static FileChangeWatcher start(
            String threadName, Collection<Path> files, Duration debounce, Duration recheck, Runnable onChange)
            throws IOException {
        return start(threadName, files, name -> true, debounce, recheck, onChange);
    }

    /**
     * As {@link #start(String, Collection, Duration, Duration, Runnable)}, reacting only to events
     * whose file name (relative to its folder) {@code concerns} accepts; an overflow (lost events)
     * always counts.
     */
    public static FileChangeWatcher start(
            String threadName,
            Collection<Path> files,
            Predicate<Path> concerns,
            Duration debounce,
            Duration recheck,
            Runnable onChange)
            throws IOException {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no file to watch");
        }
        FileChangeWatcher watcher = new FileChangeWatcher(threadName, files, concerns, debounce, recheck, onChange);
        watcher.thread.start();
        return watcher;
    }

    private void run() {
        boolean pending = false;
        int watched = folderCount;
        long due = 0;
        try {
            while (watched > 0 || recheckNanos > 0 || pending) {
                WatchKey key;
                if (pending) {
                    key = watchService.poll(Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
                } else if (recheckNanos > 0) {
                    key = watchService.poll(recheckNanos, TimeUnit.NANOSECONDS);
                    if (key == null) {
                        runCallback(); // the periodic recheck
                    }
                } else {
                    key = watchService.take();
                }
                if (key != null) {
                    if (concerns(key)) {
                        pending = true;
                        due = System.nanoTime() + debounceNanos;
                    }
                    if (!key.reset() && --watched == 0) {
                        // One folder gone (a link's old target, say) leaves the others watched;
                        // only when none is left is there nothing to wait for.
                        log.warn(
                                "{}: no watched folder can be watched any more; {}",
                                description,
                                recheckNanos > 0
                                        ? "rechecking every " + TimeUnit.NANOSECONDS.toSeconds(recheckNanos) + "s only"
                                        : "edits are not picked up");
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

    private boolean concerns(WatchKey key) {
        boolean any = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            // OVERFLOW means events were lost: one of them may have been ours.
            if (event.kind() == StandardWatchEventKinds.OVERFLOW || concerns.test((Path) event.context())) {
                any = true;
            }
        }
        return any;
    }

    private void runCallback() {
        try {
            onChange.run();
        } catch (RuntimeException e) {
            log.warn("{}: reacting to a change failed", description, e);
        }
    }

    @Override
    public void close() {
        try {
            watchService.close();
        } catch (IOException e) {
            log.debug("{}: closing the watch service failed", description, e);
        }
        thread.interrupt();
    }
}
