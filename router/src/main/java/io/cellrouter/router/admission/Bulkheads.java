package io.cellrouter.router.admission;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.config.RouterConfig;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;

/**
 * Admission after routing and before forwarding: the bulkheads that keep one cell's trouble and
 * one customer's appetite to themselves (README: Configuration).
 *
 * <ul>
 *   <li>per cell: at most {@code maxConcurrentPerCell} requests in flight. A hung cell fills its
 *       own budget and its customers then get 503 {@code cell_overloaded} at once, while the
 *       router's threads, memory and the other cells' budgets stay untouched;
 *   <li>per customer: at most {@code maxConcurrentPerCustomer} in flight, and optionally
 *       {@code customerRate} requests per second (token bucket, burst of one second's worth, and
 *       at least one request: a rate below 1 admits one request every {@code 1/rate} seconds): 429
 *       {@code rate_limited}.
 * </ul>
 *
 * <p>Concurrency: called from every event loop; per-cell counters are atomics, per-customer
 * counters exist only while that customer has requests in flight, rate buckets live in a bounded
 * Caffeine cache that does its maintenance on the calling event loop ({@code
 * executor(Runnable::run)}: handing it to the common pool woke another thread every few requests).
 * Time comes from the injected nano clock.
 */
public final class Bulkheads {

    private static final Duration RETRY_OVERLOADED = Duration.ofSeconds(1);

    private final int maxPerCell;
    private final int maxPerCustomer;
    private final double rate;
    private final LongSupplier nanoTime;
    private final Map<String, AtomicInteger> cells = new ConcurrentHashMap<>();
    /**
     * In-flight counts per customer, present only while the customer has requests in flight: the
     * map's size follows the requests in flight, not the customers ever seen. Counted and removed
     * under the map's per-key lock ({@code compute}), so a count never leaves the map above zero
     * nor stays in it at zero.
     */
    private final ConcurrentHashMap<String, InFlight> customers = new ConcurrentHashMap<>();

    private final Cache<String, TokenBucket> buckets;

    public Bulkheads(RouterConfig.Limits limits, LongSupplier nanoTime) {
        this.maxPerCell = limits.maxConcurrentPerCell();
        this.maxPerCustomer = limits.maxConcurrentPerCustomer();
        this.rate = limits.customerRate();
        this.nanoTime = nanoTime;
        this.buckets = rate > 0
                ? Caffeine.newBuilder()
                        .maximumSize(1_000_000)
                        // Kept until it would be full again anyway: a minute, or longer below 1/60 a second
                        // (a bucket dropped sooner would come back full and let the customer in early).
                        .expireAfterAccess(Duration.ofMinutes(1).plusNanos((long) TokenBucket.refillNanos(rate)))
                        .ticker(nanoTime::getAsLong)
                        .executor(Runnable::run)
                        .build()
                : null;
    }

    /** A right to forward one request; released exactly once when the exchange ends. */
    public final class Permit {
        private final AtomicInteger cell;
        private final String customer;
        private boolean released;

        Permit(AtomicInteger cell, String customer) {
            this.cell = cell;
            this.customer = customer;
        }

        public void release() {
            if (!released) {
                released = true;
                cell.decrementAndGet();
                leave(customer);
            }
        }

        /**
         * The same request's right, moved to {@code target} (a misroute correction sends it there
         * once more): the customer's in-flight count and rate token carry over, only {@code
         * target}'s bulkhead is checked (503 cell_overloaded). This permit's cell slot is freed
         * and it is spent, so releasing it does nothing; the returned permit is released instead.
         */
        public Permit moveTo(Cell target) {
            if (released) {
                return admit(customer, target); // nothing left to carry over
            }
            AtomicInteger inTarget = enterCell(target);
            released = true;
            cell.decrementAndGet();
            return new Permit(inTarget, customer);
        }
    }

    /** A customer's requests in flight; mutated only inside the map's {@code compute} for its key. */
    private static final class InFlight {
        /** Written under the key's lock; volatile so that the admission check reads the latest. */
        volatile int count;
    }

    // Constants, so that admission allocates no lambda; updated under the map's lock for the key.
    @SuppressWarnings({"NonAtomicVolatileUpdate", "UnnecessaryLambda"})
    private static final BiFunction<String, InFlight, InFlight> ENTER = (customer, inFlight) -> {
        InFlight counted = inFlight == null ? new InFlight() : inFlight;
        counted.count++;
        return counted;
    };

    @SuppressWarnings({"NonAtomicVolatileUpdate", "UnnecessaryLambda"})
    private static final BiFunction<String, InFlight, InFlight> LEAVE =
            (customer, inFlight) -> --inFlight.count == 0 ? null : inFlight;

    private void leave(String customer) {
        customers.computeIfPresent(customer, LEAVE);
    }

    /** Admits one request, or throws {@link RouterException} (503 cell_overloaded / 429 rate_limited). */
    public Permit admit(String customer, Cell cell) {
        if (buckets != null
                && !buckets.get(customer, k -> new TokenBucket(rate, nanoTime.getAsLong()))
                        .tryAcquire(nanoTime.getAsLong())) {
            throw new RouterException(
                    ErrorCode.RATE_LIMITED, "customer " + customer + " is over its request rate", RETRY_OVERLOADED);
        }
        AtomicInteger inCell = enterCell(cell);
        if (customers.compute(customer, ENTER).count > maxPerCustomer) {
            inCell.decrementAndGet();
            leave(customer);
            throw new RouterException(
                    ErrorCode.RATE_LIMITED,
                    "customer " + customer + " has " + maxPerCustomer + " requests in flight",
                    RETRY_OVERLOADED);
        }
        return new Permit(inCell, customer);
    }

    /** Takes one of {@code cell}'s slots, or throws 503 cell_overloaded when it has none. */
    private AtomicInteger enterCell(Cell cell) {
        AtomicInteger inCell = cells.computeIfAbsent(cell.name(), k -> new AtomicInteger());
        if (inCell.incrementAndGet() > maxPerCell) {
            inCell.decrementAndGet();
            throw new RouterException(
                    ErrorCode.CELL_OVERLOADED,
                    "cell " + cell.name() + " has " + maxPerCell + " requests in flight",
                    RETRY_OVERLOADED);
        }
        return inCell;
    }

    /** Customers with requests in flight now (for tests). */
    int customersInFlight() {
        return customers.size();
    }

    /** Requests in flight to a cell (for tests and the admin API). */
    public int inFlight(String cell) {
        AtomicInteger counter = cells.get(cell);
        return counter == null ? 0 : counter.get();
    }

    /**
     * A token bucket refilled at {@code rate} per second, holding one second's worth but never less
     * than one token: a bucket that cannot hold one would refuse every request, forever.
     */
    static final class TokenBucket {
        private final double rate;
        private final double capacity;
        private double tokens;
        private long last;

        /** How long an empty bucket of {@code rate} takes to fill. */
        static double refillNanos(double rate) {
            return Math.max(1, rate) / rate * 1e9;
        }

        TokenBucket(double rate, long now) {
            this.rate = rate;
            this.capacity = Math.max(1, rate);
            this.tokens = capacity;
            this.last = now;
        }

        synchronized boolean tryAcquire(long now) {
            tokens = Math.min(capacity, tokens + (now - last) * rate / 1e9);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }
}
