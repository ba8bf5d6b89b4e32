package io.cellrouter.registry.store.file;

import io.cellrouter.registry.store.StoreUnavailableException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file store's one writer thread: every change of its state (a write, a reload after an edit
 * on disk) runs here, one after the other, so that a reload and a write never interleave. The
 * futures it returns complete on this thread: callers that own a thread hop back.
 */
final class WriterThread {

    private static final Logger log = LoggerFactory.getLogger(FileRegistryStore.class); // the store's log

    private final Path file;
    private final ExecutorService executor;

    WriterThread(Path file) {
        this.file = file;
        this.executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "cell-router-registry-writer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Runs {@code task} after the tasks queued before it; once closed, fails with {@link StoreUnavailableException}. */
    <T> CompletableFuture<T> submit(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
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

    /** Takes no more tasks and waits (a while) for the queued ones to finish. */
    void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("{}: registry writes still queued at close", file);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
