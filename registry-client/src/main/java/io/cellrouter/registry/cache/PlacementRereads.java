package io.cellrouter.registry.cache;

import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.store.StoreUnavailableException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the cached customers that a batch of the change feed names, at most {@link
 * #MAX_IN_FLIGHT} at a time, into the placement cache.
 *
 * <ul>
 *   <li>Bounded, because a batch may name thousands of cached customers (an import while preload
 *       is on). Started all at once, their reads overran the store client's connection pool and its
 *       queue of waiting calls within the call timeout; the batch failed, the cursor stayed, and the
 *       next poll replayed the same batch and failed again, for ever.
 *   <li>A customer whose re-read fails is dropped from the cache (its next request reads it again)
 *       and the others go on: one customer whose read keeps failing (an item that does not read)
 *       must not hold the cursor, and with it every later change, for ever.
 *   <li>Except when the store is down ({@link StoreHealth}): then what is left of the batch is not
 *       read, failed reads keep their entries, and the batch fails. The cursor stays, cached entries
 *       keep routing (stale beats down), and the next poll replays the batch. Dropping every changed
 *       customer of an outage would turn them from routed into unavailable.
 *   <li>What was read is cached only once the batch's reads are done and have passed the {@link
 *       FreezeGuard}: a placement newer than the batch (a later move's) waits for the overrides to
 *       be read again, so its move's freeze is in the table first. When they cannot be read, the
 *       batch fails and nothing it read is cached (the next poll replays it).
 * </ul>
 *
 * <p>Stack depth: a store may complete its futures at once (the file store does). A lane then goes
 * on to the next customer in a loop, not from the completed read's callback, so ten thousand such
 * customers do not nest ten thousand callbacks.
 *
 * <p>Concurrency: each {@link #reread} has its own state; each of its lanes runs on whichever thread
 * completed the lane's last read.
 */
final class PlacementRereads {

    private static final Logger log = LoggerFactory.getLogger(PlacementRereads.class);

    /**
     * Re-reads in flight at most: a few connections of the store client's pool (DynamoDB's default
     * is 100, shared with the misses of live traffic: {@code StoreReadBoundsTest}), and at a few
     * milliseconds a read still thousands of customers a second.
     */
    static final int MAX_IN_FLIGHT = 16;

    private final MeteredStore store;
    private final PlacementCache placements;
    private final FreezeGuard guard;

    PlacementRereads(MeteredStore store, PlacementCache placements, FreezeGuard guard) {
        this.store = store;
        this.placements = placements;
        this.guard = guard;
    }

    /** Re-reads those of {@code customers} that are cached; fails only when the store is down (class comment). */
    CompletableFuture<Void> reread(List<String> customers) {
        if (customers.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        Run run = new Run(customers);
        for (int lane = 0; lane < Math.min(MAX_IN_FLIGHT, customers.size()); lane++) {
            run.lane();
        }
        return run.done;
    }

    private final class Run {

        private final List<String> customers;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger unsettled;
        private final AtomicInteger dropped = new AtomicInteger();
        private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        /** What was read, cached once the guard lets it ({@link #finish}); null is "not placed". */
        private final Queue<Read> read = new ConcurrentLinkedQueue<>();

        private volatile boolean storeDown;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        /** The ticker's time the run began: an entry read since then is newer than this run's. */
        private final long started = placements.now();

        Run(List<String> customers) {
            this.customers = customers;
            this.unsettled = new AtomicInteger(customers.size());
        }

        /** Reads customers one after the other until none is left or a read is still in flight. */
        void lane() {
            for (int i = next.getAndIncrement(); i < customers.size(); i = next.getAndIncrement()) {
                String customer = customers.get(i);
                // Customers nobody asked this router about stay uncached: their next request reads them.
                if (isStoreDown() || !placements.contains(customer)) {
                    settled();
                    continue;
                }
                CompletableFuture<Optional<Placement>> read = store.placement(customer);
                if (!read.isDone()) {
                    read.whenComplete((placement, error) -> {
                        apply(customer, placement, error);
                        lane();
                    });
                    return;
                }
                read.whenComplete((placement, error) -> apply(customer, placement, error)); // runs now
            }
        }

        private boolean isStoreDown() {
            if (!storeDown && store.health().isDown()) {
                storeDown = true;
            }
            return storeDown;
        }

        private void apply(String customer, Optional<Placement> placement, Throwable error) {
            try {
                if (error == null) {
                    read.add(new Read(customer, placement.orElse(null)));
                } else if (!isStoreDown()) {
                    firstFailure.compareAndSet(null, error);
                    dropped.incrementAndGet();
                    placements.invalidate(customer);
                }
            } finally {
                settled();
            }
        }

        private void settled() {
            if (unsettled.decrementAndGet() == 0) {
                finish();
            }
        }

        private void finish() {
            if (dropped.get() > 0) {
                log.warn(
                        "{} registry: re-reading {} of {} changed customers failed; they were dropped from the"
                                + " cache and their next request reads them again: {}",
                        store.kind(),
                        dropped.get(),
                        customers.size(),
                        RegistrySync.describe(firstFailure.get()));
            }
            if (storeDown) {
                done.completeExceptionally(new StoreUnavailableException("the store is down: " + customers.size()
                        + " changed customers are read again at the next poll"));
                return;
            }
            List<Placement> placed =
                    read.stream().map(Read::placement).filter(Objects::nonNull).toList();
            guard.settleInTurn(placed).whenComplete((ignored, error) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                    return;
                }
                try {
                    read.forEach(each -> placements.putUnlessReadSince(each.customer(), each.placement(), started));
                    done.complete(null);
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            });
        }
    }

    private record Read(String customer, Placement placement) {}
}
