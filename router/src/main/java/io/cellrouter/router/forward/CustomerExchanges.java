package io.cellrouter.router.forward;

import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exchanges in flight, by customer: what a move has to reach when the customer's long-lived
 * streams must leave its old cell ({@link MovedCustomerCloser}).
 *
 * <p>An {@link Http1ProxyHandler} registers its exchange once it knows the cell (one registration
 * per HTTP/1.1 exchange or HTTP/2 stream) and removes it when the exchange ends. Idle keep-alive
 * connections are not here: they pin nothing, since every request is routed anew.
 *
 * <p>Concurrency: registered and removed on event loops, read by the resolver's follower thread;
 * a concurrent map of concurrent sets, emptied sets removed, so its size follows the exchanges in
 * flight and not the customers ever seen.
 */
public final class CustomerExchanges {

    /** One exchange in flight: its handler, and the sequence number that tells it from the handler's next exchange. */
    record InFlight(String customer, String cell, Http1ProxyHandler handler, long sequence, EventExecutor executor) {}

    private final ConcurrentHashMap<String, Set<InFlight>> byCustomer = new ConcurrentHashMap<>();

    InFlight register(String customer, String cell, Http1ProxyHandler handler, long sequence, EventExecutor executor) {
        InFlight exchange = new InFlight(customer, cell, handler, sequence, executor);
        byCustomer.compute(customer, (key, set) -> {
            Set<InFlight> exchanges = set == null ? ConcurrentHashMap.newKeySet() : set;
            exchanges.add(exchange);
            return exchanges;
        });
        return exchange;
    }

    void remove(InFlight exchange) {
        byCustomer.computeIfPresent(exchange.customer(), (key, set) -> {
            set.remove(exchange);
            return set.isEmpty() ? null : set;
        });
    }

    /** The exchanges of {@code customer} in flight now (a copy). */
    List<InFlight> of(String customer) {
        Set<InFlight> set = byCustomer.get(customer);
        return set == null ? List.of() : List.copyOf(set);
    }

    /** Exchanges in flight, all customers. */
    public int size() {
        return byCustomer.values().stream().mapToInt(Set::size).sum();
    }
}
