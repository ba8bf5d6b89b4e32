package io.cellrouter.registry.cache;

import io.cellrouter.registry.model.Placement;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Keeps a placement read from the store from being used before the freeze written with it.
 *
 * <p>A move with a freeze writes (and announces) its freeze before its placement. A placement read
 * from the store may be newer than anything this router's feed has brought, so one written within
 * the last poll interval (and the clocks' skew) waits until the overrides have been read again,
 * after it: the freeze is then in the table before the new cell can be routed to, however far
 * behind the feed is. When the overrides cannot be read, the placement is not used either.
 *
 * <p>Two ways in, one read of the overrides ({@link RegistrySync}, in turn with its polls and
 * loads):
 *
 * <ul>
 *   <li>{@link #settle}: a placement read outside the polls (a miss, a refresh, a misroute) joins
 *       the read of the overrides queued behind them.
 *   <li>{@link #settleInTurn}: the placements a poll re-reads are read while the poll holds the
 *       turn; queued behind it, a read would wait for the very poll that waits for it, so the
 *       overrides are read within the poll, after its placement reads.
 * </ul>
 *
 * <p>Concurrency: stateless apart from its final fields; safe from any thread.
 */
final class FreezeGuard {

    private static final CompletableFuture<Void> SETTLED = CompletableFuture.completedFuture(null);

    private final Clock clock;
    private final Duration recent;
    private final Supplier<CompletableFuture<Void>> queuedRead;
    private final Supplier<CompletableFuture<Void>> readNow;

    /**
     * @param queuedRead reads the overrides after whatever is queued, shared while not started
     * @param readNow reads the overrides now, from within a queued step
     */
    FreezeGuard(
            Clock clock,
            Duration recent,
            Supplier<CompletableFuture<Void>> queuedRead,
            Supplier<CompletableFuture<Void>> readNow) {
        this.clock = clock;
        this.recent = recent;
        this.queuedRead = queuedRead;
        this.readNow = readNow;
    }

    /**
     * Completes once {@code placement} may be used; fails with {@link Unsettled} when the overrides
     * it waits for cannot be read.
     */
    CompletableFuture<Void> settle(Placement placement) {
        if (!isRecent(placement)) {
            return SETTLED;
        }
        return queuedRead.get().handle((ignored, error) -> {
            if (error != null) {
                throw new Unsettled(error);
            }
            return null;
        });
    }

    /** As {@link #settle}, for placements read by a step that holds the turn: one read for them all. */
    CompletableFuture<Void> settleInTurn(Collection<Placement> placements) {
        for (Placement placement : placements) {
            if (isRecent(placement)) {
                return readNow.get();
            }
        }
        return SETTLED;
    }

    /**
     * A placement was read but the overrides after it could not be: a freeze may hold the customer,
     * so neither the placement nor a token's cell may be routed to.
     */
    static final class Unsettled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unsettled(Throwable cause) {
            super("the overrides could not be read after a recent placement: " + cause, cause);
        }
    }

    private boolean isRecent(Placement placement) {
        return placement.updatedAt().isAfter(clock.instant().minus(recent));
    }
}
