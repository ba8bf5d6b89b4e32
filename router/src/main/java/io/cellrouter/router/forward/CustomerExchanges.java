package io.cellrouter.router.forward;

import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;

/**
 * The exchanges in flight: what a move has to reach when the customer's long-lived streams must
 * leave its old cell ({@link MovedCustomerCloser}).
 *
 * <p>An exchange ({@link MovableExchange}: an HTTP/1.1 exchange or an HTTP/2 stream) links itself
 * into its event loop's list once it knows the cell and unlinks itself when the exchange ends.
 * Idle keep-alive connections are not here: they pin nothing, since every request is routed anew.
 *
 * <p>Every request passes here twice, every move once; so the request's side is made cheap and the
 * move's side pays: each event loop has a list of its own, linked through the handlers themselves
 * (no allocation, no lock, no shared write), and a move asks every loop, on its own thread, which
 * of its exchanges belong to the customer. A scan of one loop's exchanges in flight takes
 * microseconds; moves are rare.
 */
public final class CustomerExchanges {

    /** One exchange in flight: its handler, and the sequence number that tells it from the handler's next exchange. */
    record InFlight(String customer, String cell, MovableExchange handler, long sequence, EventExecutor executor) {}

    /** An exchange's node in its loop's list; each exchange owns one and reuses it. */
    static final class Link {
        final MovableExchange owner;
        Link previous;
        Link next;

        Link(MovableExchange owner) {
            this.owner = owner;
        }
    }

    private final ConcurrentHashMap<EventExecutor, Loop> loops = new ConcurrentHashMap<>();

    /** The list of {@code executor}'s exchanges; look it up once per connection, not per request. */
    Loop loop(EventExecutor executor) {
        Loop loop = loops.get(executor);
        return loop != null ? loop : loops.computeIfAbsent(executor, Loop::new);
    }

    /**
     * The exchanges of {@code customer} in flight now, collected on each event loop's own thread.
     * A loop that has shut down has none.
     */
    CompletableFuture<List<InFlight>> of(String customer) {
        return of(exchange -> exchange.customer().equals(customer));
    }

    private CompletableFuture<List<InFlight>> of(Predicate<InFlight> wanted) {
        List<CompletableFuture<List<InFlight>>> perLoop = new ArrayList<>();
        for (Loop loop : loops.values()) {
            perLoop.add(loop.of(wanted));
        }
        return CompletableFuture.allOf(perLoop.toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    List<InFlight> all = new ArrayList<>();
                    for (CompletableFuture<List<InFlight>> one : perLoop) {
                        all.addAll(one.join());
                    }
                    return all;
                });
    }

    /** The customers with exchanges in flight now, each once, collected on each event loop's own thread. */
    CompletableFuture<Set<String>> customers() {
        return of(exchange -> true).thenApply(all -> {
            Set<String> customers = new LinkedHashSet<>();
            all.forEach(exchange -> customers.add(exchange.customer()));
            return customers;
        });
    }

    /** One event loop's exchanges in flight: a doubly linked list through the handlers, confined to the loop. */
    static final class Loop {
        private final EventExecutor executor;
        private Link head;

        Loop(EventExecutor executor) {
            this.executor = executor;
        }

        void link(Link link) {
            assert executor.inEventLoop();
            link.next = head;
            link.previous = null;
            if (head != null) {
                head.previous = link;
            }
            head = link;
        }

        void unlink(Link link) {
            assert executor.inEventLoop();
            Link previous = link.previous;
            Link next = link.next;
            if (previous != null) {
                previous.next = next;
            } else if (head == link) {
                head = next;
            }
            if (next != null) {
                next.previous = previous;
            }
            link.previous = null;
            link.next = null;
        }

        private CompletableFuture<List<InFlight>> of(Predicate<InFlight> wanted) {
            CompletableFuture<List<InFlight>> found = new CompletableFuture<>();
            try {
                executor.execute(() -> found.complete(collect(wanted)));
            } catch (RejectedExecutionException shutDown) {
                found.complete(List.of());
            }
            return found;
        }

        private List<InFlight> collect(Predicate<InFlight> wanted) {
            List<InFlight> matches = new ArrayList<>();
            for (Link link = head; link != null; link = link.next) {
                InFlight exchange = link.owner.inFlight();
                if (exchange != null && wanted.test(exchange)) {
                    matches.add(exchange);
                }
            }
            return matches;
        }
    }
}
