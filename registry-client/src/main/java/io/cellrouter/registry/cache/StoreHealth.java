package io.cellrouter.registry.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import io.cellrouter.registry.store.RegistryException;
import io.cellrouter.registry.store.StoreUnavailableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether the store is known to be down, so that a miss fails fast instead of waiting out a call
 * that will fail (a circuit breaker on the miss path).
 *
 * <p>After {@value #THRESHOLD} store calls in a row failed with "unavailable" (timeouts, refused
 * connections, 5xx after retries), the store is down: a miss answers {@code registry_unavailable}
 * at once, except one miss per probe interval that still calls the store. Any successful call (the
 * follower reads the feed every poll interval whatever happens) closes it again. So during an outage
 * at most one miss per interval waits for the store, and a burst of never-seen customers cannot pile
 * up requests, connections or threads behind it.
 *
 * <p>Failures that are answers (a version conflict, an invalid item) say nothing about availability
 * and are ignored. Concurrency: lock-free counters, called from any thread.
 */
final class StoreHealth {

    static final int THRESHOLD = 3;

    private final Ticker ticker;
    private final long probeIntervalNanos;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicLong nextProbe = new AtomicLong();

    StoreHealth(Ticker ticker, long probeIntervalNanos) {
        this.ticker = ticker;
        this.probeIntervalNanos = probeIntervalNanos;
    }

    void record(Throwable error) {
        if (error == null) {
            consecutiveFailures.set(0);
        } else if (isUnavailability(error) && consecutiveFailures.incrementAndGet() == THRESHOLD) {
            nextProbe.set(ticker.read() + probeIntervalNanos); // just went down: the first probe waits too
        }
    }

    boolean isDown() {
        return consecutiveFailures.get() >= THRESHOLD;
    }

    /** True when a miss may call the store: it is up, or this miss is the probe of the interval. */
    boolean allowCall() {
        if (!isDown()) {
            return true;
        }
        long now = ticker.read();
        long next = nextProbe.get();
        return now - next >= 0 && nextProbe.compareAndSet(next, now + probeIntervalNanos);
    }

    private static boolean isUnavailability(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof StoreUnavailableException || !(cause instanceof RegistryException);
    }
}
