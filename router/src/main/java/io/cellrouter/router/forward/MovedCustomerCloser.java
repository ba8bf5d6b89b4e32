package io.cellrouter.router.forward;

import io.cellrouter.registry.cache.Resolution;
import io.cellrouter.registry.cache.Resolver;
import io.cellrouter.router.forward.CustomerExchanges.InFlight;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Ends the long-lived exchanges of a customer whose routing moved away from their cell, after a
 * grace period, so that clients reconnect and reach the new cell; other customers' exchanges,
 * even on the same HTTP/2 connection, are not touched.
 *
 * <pre>
 * routingChanged(customer)  (change feed, a refresh that found a move, or this instance's own admin write;
 *                            after a feed gap without preload, every customer with exchanges in flight,
 *                            once the registry has been read again: routingMayHaveChanged)
 *   └─ any exchange of the customer in flight? ── no ──► nothing (the usual case: one map lookup)
 *        └─ resolve(customer): still the exchange's cell? ── yes ──► nothing
 *             └─ no (another cell, or frozen):
 *                  now:          HTTP/1.1 → Connection: close after the current response
 *                  after grace (or when the freeze ends, if sooner):
 *                                resolve again; still moved, and still running on that cell →
 *                                not answered yet → 503 customer_moved / gRPC UNAVAILABLE
 *                                HTTP/1.1 response under way → connection closed
 *                                HTTP/2 stream → RST_STREAM(CANCEL); gRPC → trailers UNAVAILABLE
 * </pre>
 *
 * <p>The second resolve makes a move that was undone within the grace period spare the streams.
 * A freeze shorter than the grace period bounds it: when the freeze ends, new requests reach the new
 * cell, and the old cell's streams must not overlap them. The exchange's cell is read again on its
 * own loop at the end, so an exchange that misroute correction has taken to the new cell meanwhile
 * is spared too.
 * Threads: called on the follower's thread; the customer's exchanges are collected on each event
 * loop (see {@link CustomerExchanges}); the grace timer and every action run on the exchange's own
 * event loop.
 */
public final class MovedCustomerCloser {

    private final CustomerExchanges exchanges;
    private final Supplier<Resolver> resolver;
    private final Duration grace;

    /** {@code resolver} is a supplier because the resolver is built with this closer as its listener. */
    public MovedCustomerCloser(CustomerExchanges exchanges, Supplier<Resolver> resolver, Duration grace) {
        this.exchanges = exchanges;
        this.resolver = resolver;
        this.grace = grace;
    }

    public void routingChanged(String customer) {
        exchanges.of(customer).thenAccept(running -> {
            if (!running.isEmpty()) {
                moved(customer, running);
            }
        });
    }

    /**
     * Any customer may have moved, and the resolver cannot say who (a feed gap without preload):
     * the customers with exchanges in flight are read from the registry again, and each is then
     * checked as after a move ({@link #routingChanged}).
     */
    public void routingMayHaveChanged() {
        exchanges.customers().thenAccept(customers -> {
            if (!customers.isEmpty()) {
                resolver.get().recheck(customers);
            }
        });
    }

    private void moved(String customer, List<InFlight> running) {
        resolver.get().resolve(customer, null).thenAccept(now -> {
            for (InFlight exchange : running) {
                if (movedAway(exchange, now)) {
                    exchange.executor().execute(() -> exchange.handler().routingChanged(exchange.sequence()));
                    exchange.executor().schedule(() -> afterGrace(exchange), graceFor(now), TimeUnit.NANOSECONDS);
                }
            }
        });
    }

    /** The grace period, or the rest of the freeze when that is shorter (class comment). */
    private long graceFor(Resolution now) {
        long nanos = grace.toNanos();
        if (now.outcome() == Resolution.Outcome.FROZEN && now.retryAfter() != null) {
            nanos = Math.min(nanos, now.retryAfter().toNanos());
        }
        return nanos;
    }

    private void afterGrace(InFlight exchange) {
        resolver.get().resolve(exchange.customer(), null).thenAccept(now -> {
            if (movedAway(exchange, now)) {
                exchange.executor().execute(() -> endIfStillMoved(exchange, now));
            }
        });
    }

    /**
     * On the exchange's loop: spared if it runs on the resolved cell now (misroute correction took
     * it there); otherwise ended, the handler deciding whether exchange {@code sequence} still runs
     * (it may have ended, or gone on as a tunnel it hands the end to).
     */
    private static void endIfStillMoved(InFlight collected, Resolution now) {
        InFlight current = collected.handler().inFlight();
        if (current != null && current.sequence() == collected.sequence() && !movedAway(current, now)) {
            return;
        }
        collected.handler().endForMove(collected.sequence());
    }

    /**
     * Moved: routed to another cell, or frozen. A registry outage or an unknown cell is not a
     * move: the stream keeps its cell rather than being cut on doubt.
     */
    static boolean movedAway(InFlight exchange, Resolution now) {
        return switch (now.outcome()) {
            case ROUTE -> !now.cell().name().equals(exchange.cell());
            case FROZEN -> true;
            default -> false;
        };
    }
}
