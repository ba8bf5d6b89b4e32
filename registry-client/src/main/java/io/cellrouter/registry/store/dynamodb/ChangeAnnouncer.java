package io.cellrouter.registry.store.dynamodb;

import io.cellrouter.registry.store.Change;
import io.cellrouter.registry.store.NotFoundException;
import io.cellrouter.registry.store.StoreUnavailableException;
import io.cellrouter.registry.store.VersionConflictException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Tells routers of the store's writes: one change-feed entry ({@link FeedWriter}) after each item
 * write, never before it (an entry for a write not visible yet would make readers re-read the old
 * value and stop looking).
 *
 * <ul>
 *   <li>A write that succeeded is announced. If its entry cannot be appended, the write is still
 *       reported done (it is), logged and counted ({@link #lost()}): routers follow it at their next
 *       whole read of cells, overrides and shadows, or at {@code cache.refreshAfter} for a placement.
 *       With {@code mustAnnounce} (an override: a move's freeze must reach routers before its
 *       placement) the write fails instead, saying it was written.
 *   <li>A write whose outcome is unknown (a timeout, a 5xx, a dropped connection: an attempt may have
 *       landed before the answer was lost) is announced too, best effort, before its failure is passed
 *       on; so is a delete that found nothing (its first attempt may have deleted the item and lost
 *       the answer). Without the entry a write that did land would reach routers only by those slow
 *       paths. An entry for a write that did not land is harmless: the feed is at least once, and its
 *       readers re-read the item.
 *   <li>A write refused with an answer (a version conflict, a missing cell) wrote nothing: no entry.
 * </ul>
 *
 * <p>Thread-safe: futures and a counter; callbacks run on the SDK's completion threads.
 */
final class ChangeAnnouncer {

    private static final Logger log = LoggerFactory.getLogger(ChangeAnnouncer.class);

    private final FeedWriter feed;
    private final String table;
    private final AtomicLong lost = new AtomicLong();

    ChangeAnnouncer(FeedWriter feed, String table) {
        this.feed = feed;
        this.table = table;
    }

    /** Feed entries that could not be appended, of writes that were or may have been made. */
    long lost() {
        return lost.get();
    }

    /** Announces {@code write} once it is done, or best effort if its outcome is unknown (class comment). */
    <T> CompletableFuture<T> afterWrite(
            Change.Kind kind, String key, boolean mustAnnounce, CompletableFuture<T> write) {
        return write.handle((written, error) -> error == null
                        ? announce(kind, key, written, mustAnnounce)
                        : this.<T>afterFailure(kind, key, error))
                .thenCompose(Function.identity());
    }

    /**
     * Announces a delete: the one that removed an item, and (best effort) the one that found none or
     * whose outcome is unknown. Completes with whether the delete found the item.
     */
    CompletableFuture<Boolean> afterDelete(Change.Kind kind, String key, CompletableFuture<Boolean> deleted) {
        return deleted.handle((found, error) -> {
                    if (error != null) {
                        return this.<Boolean>afterFailure(kind, key, error);
                    }
                    return found
                            ? announce(kind, key, true, false)
                            : bestEffort(kind, key, "a delete that found nothing")
                                    .thenApply(ignored -> false);
                })
                .thenCompose(Function.identity());
    }

    private <T> CompletableFuture<T> afterFailure(Change.Kind kind, String key, Throwable error) {
        Throwable cause = Errors.unwrap(error);
        if (isRefusal(cause)) {
            return CompletableFuture.failedFuture(cause);
        }
        return bestEffort(kind, key, "a write whose outcome is unknown")
                .thenCompose(ignored -> CompletableFuture.failedFuture(cause));
    }

    /** A failure that is the table's answer: the write was refused, nothing was written. */
    private static boolean isRefusal(Throwable cause) {
        return cause instanceof VersionConflictException
                || cause instanceof NotFoundException
                || cause instanceof ConditionalCheckFailedException;
    }

    private <T> CompletableFuture<T> announce(Change.Kind kind, String key, T written, boolean mustAnnounce) {
        return feed.append(kind, key).handle((sequence, error) -> {
            if (error == null) {
                return written;
            }
            lost.incrementAndGet();
            String why = Errors.unwrap(error).getMessage();
            if (mustAnnounce) {
                throw new StoreUnavailableException("the " + name(kind) + " of " + key + " was written, but its"
                        + " change-feed entry was not (" + why + "): routers apply it within a minute");
            }
            log.warn(
                    "DynamoDB table '{}': {} {} was written but its change-feed entry was not ({}); routers follow"
                            + " it within a minute (cells, overrides, shadows) or after cache.refreshAfter",
                    table,
                    name(kind),
                    key,
                    why);
            return written;
        });
    }

    /** Appends the change; a failure is logged and counted, never passed on. */
    private CompletableFuture<Void> bestEffort(Change.Kind kind, String key, String what) {
        return feed.append(kind, key).handle((sequence, error) -> {
            if (error != null) {
                lost.incrementAndGet();
                log.warn(
                        "DynamoDB table '{}': the change-feed entry of {} ({} {}) could not be appended ({});"
                                + " if it was written, routers follow it within a minute (cells, overrides,"
                                + " shadows) or after cache.refreshAfter",
                        table,
                        what,
                        name(kind),
                        key,
                        Errors.unwrap(error).getMessage());
            }
            return null;
        });
    }

    private static String name(Change.Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
