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
 * routingChanged(customer)  (change feed, or this instance's own admin write)
 *   └─ any exchange of the customer in flight? ── no ──► nothing (the usual case: one map lookup)
 *        └─ resolve(customer): still the exchange's cell? ── yes ──► nothing
 *             └─ no (another cell, or frozen):
 *                  now:          HTTP/1.1 → Connection: close after the current response
 *                  after grace:  resolve again; still moved and still running →
 *                                not answered yet → 503 customer_moved / gRPC UNAVAILABLE
 *                                HTTP/1.1 response under way → connection closed
 *                                HTTP/2 stream → RST_STREAM(CANCEL); gRPC → trailers UNAVAILABLE
 * </pre>
 *
 * <p>The second resolve makes a move that was undone within the grace period spare the streams.
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

    private void moved(String customer, List<InFlight> running) {
        resolver.get().resolve(customer, null).thenAccept(now -> {
            for (InFlight exchange : running) {
                if (movedAway(exchange, now)) {
                    exchange.executor().execute(() -> exchange.handler().routingChanged(exchange.sequence()));
                    exchange.executor().schedule(() -> afterGrace(exchange), grace.toNanos(), TimeUnit.NANOSECONDS);
                }
            }
        });
    }

    private void afterGrace(InFlight exchange) {
        resolver.get().resolve(exchange.customer(), null).thenAccept(now -> {
            if (movedAway(exchange, now)) {
                exchange.executor().execute(() -> exchange.handler().endForMove(exchange.sequence()));
            }
        });
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
