package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.Shadow;
import io.cellrouter.router.admission.Bulkheads;
import io.cellrouter.router.metrics.MigrationMetrics;
import io.cellrouter.router.routing.RequestRouter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Shadow traffic (README "Shadow traffic"): while a customer has a shadow, a sampled {@code
 * fraction} of its requests whose method the shadow covers is copied ({@link ShadowCapture}) and,
 * once the primary exchange is over, sent to the shadow's cell ({@link ShadowRequest}), whose answer
 * is read, thrown away, and its status compared with the primary's.
 *
 * <pre>
 *  primary:  route ─ sample? ─ forward (copy head and body ≤ 64 KiB) ─ answer to the client ─ end
 *                                                                                            │
 *  shadow:                                                  (next task on the same loop) ◀──┘
 *            draining? drop │ budget full or cell busy? shed │ pooled leg to toCell ─ request ─ answer read
 *            ─ status == primary's? match : mismatch │ no valid answer: error
 * </pre>
 *
 * <p>What a shadow never does: delay the primary (it leaves after the primary's last byte, as a
 * separate task), change it (nothing flows back), hold a primary's room (a budget of its own,
 * {@link #MAX_IN_FLIGHT_PER_CELL} per cell, and none at all when the cell's primary requests fill
 * half its bulkhead: shadows are shed first), follow a move's grace period (a shadow is not an
 * exchange a move can find), or outlive its {@code expiresAt} (the resolver stops answering it).
 *
 * <p>Concurrency: one per router; sampling and sending run on event loops, the budget is atomic.
 */
final class ShadowSender {

    /** Shadow requests in flight to one cell from this router; beyond it they are shed. */
    static final int MAX_IN_FLIGHT_PER_CELL = 16;

    private final RequestRouter router;
    private final UpstreamPool pool;
    private final Bulkheads bulkheads;
    private final MigrationMetrics metrics;
    private final DrainState drain;
    private final long timeoutNanos;
    private final int busyCell;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    ShadowSender(
            RequestRouter router,
            UpstreamPool pool,
            Bulkheads bulkheads,
            MigrationMetrics metrics,
            DrainState drain,
            Duration timeout,
            int maxConcurrentPerCell) {
        this.router = router;
        this.pool = pool;
        this.bulkheads = bulkheads;
        this.metrics = metrics;
        this.drain = drain;
        this.timeoutNanos = timeout.toNanos();
        this.busyCell = Math.max(1, maxConcurrentPerCell / 2);
    }

    MigrationMetrics metrics() {
        return metrics;
    }

    long timeoutNanos() {
        return timeoutNanos;
    }

    /**
     * Whether this exchange, routed to {@code log.cell}, is to be shadowed: a new copy to fill, or
     * null (the common case: a null check and one lookup, no allocation).
     */
    ShadowCapture sample(ExchangeLog log) {
        if (log.identity == null || log.cell == null) {
            return null;
        }
        Shadow shadow = router.shadow(log.identity.customer());
        if (shadow == null || !shadow.covers(log.method)) {
            return null;
        }
        if (shadow.fraction() < 1 && ThreadLocalRandom.current().nextDouble() >= shadow.fraction()) {
            return null;
        }
        if (shadow.toCell().equals(log.cell.name())) {
            return null; // the customer is on the shadow's cell already: nothing to compare
        }
        Cell target = router.cell(shadow.toCell());
        if (target == null || target.state() == CellState.OFFLINE) {
            metrics.shadow(shadow.toCell(), "error", 0);
            return null;
        }
        return new ShadowCapture(this, target, "grpc".equals(log.protocol));
    }

    /** Sends a capture whose primary answered {@code primaryStatus}; on the loop that owns it. */
    void send(ShadowCapture capture, int primaryStatus, EventLoop loop) {
        Cell target = capture.target();
        if (drain.draining()) {
            capture.release();
            return;
        }
        if (bulkheads.inFlight(target.name()) >= busyCell) {
            shed(capture); // the cell's primaries need the room more
            return;
        }
        AtomicInteger counter = inFlight.get(target.name());
        if (counter == null) {
            counter = inFlight.computeIfAbsent(target.name(), k -> new AtomicInteger());
        }
        if (counter.incrementAndGet() > MAX_IN_FLIGHT_PER_CELL) {
            counter.decrementAndGet();
            shed(capture);
            return;
        }
        ShadowRequest request = new ShadowRequest(this, capture, primaryStatus, loop, counter::decrementAndGet);
        Future<CellLeg> leg;
        try {
            leg = pool.acquire(target, loop, capture.grpc(), request);
        } catch (RuntimeException e) {
            request.failed("no connection: " + e.getMessage());
            return;
        }
        if (leg.isDone()) {
            request.connected(leg);
        } else {
            leg.addListener(f -> request.connected(leg));
        }
    }

    /** Shadow requests to {@code cell} in flight now (for tests). */
    int inFlight(String cell) {
        AtomicInteger counter = inFlight.get(cell);
        return counter == null ? 0 : counter.get();
    }

    private void shed(ShadowCapture capture) {
        metrics.shadowShed(capture.target().name());
        capture.release();
    }
}
