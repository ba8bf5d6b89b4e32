package io.cellrouter.registry.cache;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the resolver's listener whose routing changed ({@link ResolverListener#routingChanged}),
 * counts it for the snapshot ({@link SnapshotKeeper}: a reroute is a change even when the feed
 * cursor and the cache size stay), and keeps the customers a full reload moved until that reload
 * has completed whole ({@link #movedByReload}, {@link #reloadCompleted}): one that replaced the
 * cache and then failed must not lose them, since the next reload finds the cache moved already.
 *
 * <p>Concurrency: safe from any thread; a listener that throws is logged, never propagated.
 */
final class Reroutes {

    private static final Logger log = LoggerFactory.getLogger(Reroutes.class);

    private final ResolverListener listener;
    private final String storeKind;
    private final AtomicLong count = new AtomicLong();
    private final Set<String> movedUntold = ConcurrentHashMap.newKeySet();

    Reroutes(ResolverListener listener, String storeKind) {
        this.listener = listener;
        this.storeKind = storeKind;
    }

    /** How many times a customer was rerouted. */
    long count() {
        return count.get();
    }

    void tell(String customer) {
        count.incrementAndGet();
        try {
            listener.routingChanged(customer);
        } catch (RuntimeException e) {
            log.warn("{} registry: a routing-change listener failed for {}", storeKind, customer, e);
        }
    }

    /** A reload (with preload) moved or dropped these customers: told once a reload completes whole. */
    void movedByReload(Set<String> customers) {
        movedUntold.addAll(customers);
    }

    /**
     * A full reload completed: with preload, the customers reloads moved are told; without, the
     * listener hears that anyone may have moved ({@link ResolverListener#routingMayHaveChanged}).
     */
    void reloadCompleted(boolean preload) {
        if (!preload) {
            try {
                listener.routingMayHaveChanged();
            } catch (RuntimeException e) {
                log.warn("{} registry: a routing-change listener failed after a reload", storeKind, e);
            }
            return;
        }
        List<String> moved = List.copyOf(movedUntold);
        movedUntold.removeAll(moved);
        moved.forEach(this::tell);
    }
}
