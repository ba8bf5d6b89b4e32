package io.cellrouter.registry.cache;

import io.cellrouter.registry.model.Placement;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The store reads of cache misses, at most {@link #MAX_IN_FLIGHT} in flight at once.
 *
 * <p>Why: the customer id comes from the client. Without a bound, random ids at a high rate would
 * each start a read (each a strongly consistent GetItem on DynamoDB: the sender would set the bill),
 * fill the store client's connection pool, and leave the change feed's poll and the misses of real
 * customers queued behind them until they time out; three timeouts in a row then mark the store
 * down ({@link StoreHealth}) and every new customer gets {@code registry_unavailable}. Background
 * refreshes ({@link PlacementCache#MAX_REFRESHES_IN_FLIGHT}) and the feed's re-reads ({@link
 * PlacementRereads}) have bounds of their own.
 *
 * <p>Over the bound a miss does not queue: it fails at once with {@link Busy} (the request is
 * answered as the registry being unavailable, 503 {@code registry_unavailable} with {@code
 * Retry-After}), calls nothing, is not cached, and is no store failure: it does not count toward
 * marking the store down. Concurrent misses of one customer share one read before they get here
 * ({@link PlacementCache#load}), so they take room once.
 *
 * <p>Room is taken for the store's call only and given back when the store answers: the wait for
 * the overrides after a recent placement ({@link FreezeGuard}) calls nothing of its own.
 *
 * <p>Concurrency: safe from any thread; see {@link InFlightLimit}.
 */
final class MissReads {

    /**
     * Store reads of misses in flight at most: below the DynamoDB client's default pool (50
     * connections), so that misses alone never take every connection. At a few milliseconds a read
     * that is thousands of never-seen customers a second, far more than new customers arrive at.
     */
    static final int MAX_IN_FLIGHT = 32;

    private final MeteredStore store;
    private final InFlightLimit inFlight = new InFlightLimit(MAX_IN_FLIGHT);

    MissReads(MeteredStore store) {
        this.store = store;
    }

    /**
     * The store's answer for {@code customer}; failed at once, without a call, with {@link Busy}
     * when {@link #MAX_IN_FLIGHT} reads are in flight, or when the store is known down.
     */
    CompletableFuture<Optional<Placement>> read(String customer) {
        if (!inFlight.tryAcquire()) {
            return CompletableFuture.failedFuture(new Busy());
        }
        if (!store.health().allowCall()) {
            inFlight.release();
            return CompletableFuture.failedFuture(new KnownDown());
        }
        CompletableFuture<Optional<Placement>> read = store.placement(customer);
        read.whenComplete((placement, error) -> inFlight.release());
        return read;
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
