package io.cellrouter.router.admin;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code admin.maxConnections} admin connections open at once (README: Admin API and
 * migrations, "Limits of the admin listener"). At the cap, a new connection takes the place of the
 * open one that has been idle the longest (no request under way, no answer outstanding: {@link
 * AdminRequestDeadline}), which is closed ({@code cellrouter_admin_connections_evicted_total}); one
 * lingering after an answer that ended it goes first, and is not counted (it was closing). Only
 * when every open connection is busy is the new one closed on accept, before anything is read
 * ({@code cellrouter_admin_connections_refused_total}); a busy connection is bounded by {@code
 * admin.requestTimeout}. So idle connections, however many, cannot lock out the probes.
 *
 * <p>Concurrency: one for all admin channels, which live on different event loops. The count is an
 * atomic, the open connections a concurrent set, scanned only at the cap (at most {@code
 * maxConnections} of them). A connection's idleness is its own atomic word, which an eviction
 * claims with a compare-and-set ({@link AdminRequestDeadline#claimForEviction}): a connection
 * either turns busy or is evicted, never both. Whoever removes a connection from the set (its own
 * close, or the eviction that hands its place to the new one) settles the count, exactly once.
 */
final class AdminConnectionLimit {

    private final int maxConnections;
    private final Runnable onRefused;
    private final Runnable onEvicted;
    private final AtomicInteger open = new AtomicInteger();
    private final Set<AdminRequestDeadline> connections = ConcurrentHashMap.newKeySet();

    AdminConnectionLimit(int maxConnections, Runnable onRefused, Runnable onEvicted) {
        this.maxConnections = maxConnections;
        this.onRefused = onRefused;
        this.onEvicted = onEvicted;
    }

    /** Admits {@code connection}, evicting the idlest open one at the cap; false: refused (all busy). */
    boolean admit(AdminRequestDeadline connection) {
        while (true) {
            int n = open.get();
            if (n < maxConnections) {
                if (open.compareAndSet(n, n + 1)) {
                    connections.add(connection);
                    return true;
                }
                continue;
            }
            AdminRequestDeadline idlest = idlest();
            if (idlest == null) {
                onRefused.run();
                return false;
            }
            // Claimed, and still in the set: its place passes to the new connection, the count stays.
            // Not in the set: it closed meanwhile and gave its place back; try again.
            long claimed = idlest.claimForEviction();
            if (claimed >= 0 && connections.remove(idlest)) {
                connections.add(connection);
                if (!AdminRequestDeadline.wasLingering(claimed)) {
                    onEvicted.run(); // one lingering after its last answer was closing anyway: not counted
                }
                idlest.evicted();
                return true;
            }
        }
    }

    /** {@code connection} has closed. */
    void release(AdminRequestDeadline connection) {
        if (connections.remove(connection)) {
            open.decrementAndGet();
        }
    }

    /** The open connection idle the longest, or null when every one is busy. */
    private AdminRequestDeadline idlest() {
        AdminRequestDeadline idlest = null;
        long since = Long.MAX_VALUE;
        for (AdminRequestDeadline c : connections) {
            long s = c.idleSince();
            if (s >= 0 && s < since) {
                since = s;
                idlest = c;
            }
        }
        return idlest;
    }
}
