package io.cellrouter.registry.cache;

import io.cellrouter.registry.model.Placement;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The store reads of cache misses, at most {@link #MAX_IN_FLIGHT} in flight at once.
 *
 * <p>Why: the customer id comes from the client. Without a bound, random ids at a high rate would
 * each start a read (each a strongly consistent GetItem on DynamoDB: the sender would set the bill),
 * fill the store client's connection pool, and leave the change feed's poll and the misses of real
 * customers queued behind them until they time out; three timeouts in a row then mark the store
 * down ({@link StoreHealth}) and every new customer gets {@code registry_unavailable}. Background
 * refreshes ({@link EntryRefresher#MAX_REFRESHES_IN_FLIGHT}) and the feed's re-reads ({@link
 * PlacementRereads}) have bounds of their own.
 *
 * <p>Over the bound a miss waits, in order, for room; at most {@link #MAX_WAITING} of them, so that
 * a burst of new customers (a cold cache without preload) is read a few milliseconds later instead
 * of refused. Beyond that a miss fails at once with {@link Busy} (the request is answered as the
 * registry being unavailable, 503 {@code registry_unavailable} with {@code Retry-After}), calls
 * nothing, is not cached, and is no store failure: it does not count toward marking the store
 * down. Concurrent misses of one customer share one read before they get here
 * ({@link PlacementCache#load}), so they take room once.
 *
 * <p>Room is taken for the store's call only and given back when the store answers: the wait for
 * the overrides after a recent placement ({@link FreezeGuard}) calls nothing of its own.
 *
 * <p>Concurrency: safe from any thread; see {@link InFlightLimit}.
 */
final class MissReads {

    /**
     * Store reads of misses in flight at most: with the other reads' bounds, below the DynamoDB
     * client's default pool ({@code StoreReadBoundsTest}), so that misses never take every
     * connection. At a few milliseconds a read that is thousands of never-seen customers a second,
     * far more than new customers arrive at.
     */
    static final int MAX_IN_FLIGHT = 32;

    /**
     * Misses waiting for room at most: four reads' worth each, so none waits longer than about
     * four store reads (four call timeouts while the store hangs).
     */
    static final int MAX_WAITING = 4 * MAX_IN_FLIGHT;

    private final MeteredStore store;
    private final InFlightLimit inFlight = new InFlightLimit(MAX_IN_FLIGHT);
    private final Queue<Waiting> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waitingCount = new AtomicInteger();

    /** A miss waiting for room, and where its answer goes. */
    private record Waiting(String customer, CompletableFuture<Optional<Placement>> answer) {}

    MissReads(MeteredStore store) {
        this.store = store;
    }

    /**
     * The store's answer for {@code customer}: read now, or once room frees when {@link
     * #MAX_IN_FLIGHT} reads are in flight; failed at once, without a call, with {@link Busy} when
     * {@link #MAX_WAITING} misses wait already, and with {@code KnownDown} when the store is known
     * down.
     */
    CompletableFuture<Optional<Placement>> read(String customer) {
        if (inFlight.tryAcquire()) {
            return start(customer);
        }
        if (waitingCount.incrementAndGet() > MAX_WAITING) {
            waitingCount.decrementAndGet();
            return CompletableFuture.failedFuture(new Busy());
        }
        CompletableFuture<Optional<Placement>> answer = new CompletableFuture<>();
        waiting.add(new Waiting(customer, answer));
        startWaiting(); // room may have been given back since the try above
        return answer;
    }

    /** Reads {@code customer}, room taken: given back (and given to a waiting miss) when the store answers. */
    private CompletableFuture<Optional<Placement>> start(String customer) {
        if (!store.health().allowCall()) {
            inFlight.release();
            startWaiting();
            return CompletableFuture.failedFuture(new KnownDown());
        }
        CompletableFuture<Optional<Placement>> read = store.placement(customer);
        read.whenComplete((placement, error) -> {
            inFlight.release();
            startWaiting();
        });
        return read;
    }

    /** Starts waiting misses while there is room. */
    private void startWaiting() {
        while (!waiting.isEmpty() && inFlight.tryAcquire()) {
            Waiting next = waiting.poll();
            if (next == null) { // another thread took it: give the room back
                inFlight.release();
                continue;
            }
            waitingCount.decrementAndGet();
            start(next.customer()).whenComplete((placement, error) -> {
                if (error != null) {
                    next.answer().completeExceptionally(error);
                } else {
                    next.answer().complete(placement);
                }
            });
        }
    }

    /** A miss refused over the bound, without a store call. No stack trace: a flood makes many. */
    static final class Busy extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Busy() {
            super("too many registry reads of misses in flight", null, false, false);
        }
    }

    /** A miss while the store is known down (not the probing one), without a store call. */
    private static final class KnownDown extends RuntimeException {
        private static final long serialVersionUID = 1L;

        KnownDown() {
            super("the registry store is known to be down", null, false, false);
        }
    }
}
