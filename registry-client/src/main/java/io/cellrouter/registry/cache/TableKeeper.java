package io.cellrouter.registry.cache;

import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * The resolver's {@link RoutingTable} (cells, overrides, shadows) and its reads from the store:
 * each part is read whole and swapped in. {@link RegistrySync} decides when (a feed entry, every
 * {@link RegistrySync#TABLE_REFRESH}, a full load).
 *
 * <p>An override's end is a change too, though no writer announces it: {@link #expireOverrides}
 * (called by every poll) takes the overrides that ended out of the table, and overrides read from
 * the store or a snapshot are kept only while active. The table never holds an expired override.
 *
 * <p>Concurrency: the table is read without a lock (a volatile field) and swapped atomically: every
 * change is made under one lock from the table it replaces, so cells, overrides and shadows
 * reloaded concurrently lose none of each other's changes, and the customers whose override a
 * reload or an expiry changed are found against the table it replaced.
 */
final class TableKeeper {

    private final MeteredStore store;
    private final Clock clock;
    /** Read on every request: a plain volatile field; written under {@code lock}. */
    private volatile RoutingTable table;

    private final Object lock = new Object();

    TableKeeper(MeteredStore store, Clock clock, RoutingTable initial) {
        this.store = store;
        this.clock = clock;
        this.table = initial;
    }

    RoutingTable table() {
        return table;
    }

    /** Serves the cells, overrides (those still active) and shadows of {@code document}. */
    void install(RegistryDocument document) {
        updateTable(current -> current.withCells(document.cells())
                .withOverrides(activeOf(document.overrides()))
                .withShadows(document.shadows()));
    }

    CompletableFuture<Void> reloadCells() {
        return store.cells().thenAccept(cells -> updateTable(current -> current.withCells(cells)));
    }

    CompletableFuture<Void> reloadShadows() {
        return store.shadows().thenAccept(shadows -> updateTable(current -> current.withShadows(shadows)));
    }

    /** Reads the overrides whole; completes with the customers whose override that changed. */
    CompletableFuture<Set<String>> reloadOverrides() {
        return store.overrides().thenApply(stored -> {
            List<RoutingOverride> overrides = activeOf(stored); // an expired one is no override
            synchronized (lock) {
                Map<String, RoutingOverride> before = byCustomer(table.overrides());
                Map<String, RoutingOverride> after = byCustomer(overrides);
                Set<String> changed = new LinkedHashSet<>();
                before.forEach((customer, override) -> {
                    if (!override.equals(after.get(customer))) {
                        changed.add(customer);
                    }
                });
                after.forEach((customer, override) -> {
                    if (!before.containsKey(customer)) {
                        changed.add(customer);
                    }
                });
                table = table.withOverrides(overrides);
                return changed;
            }
        });
    }

    /** Takes the overrides that ended out of the table; returns their customers (none: empty, table untouched). */
    List<String> expireOverrides() {
        List<String> ended = new ArrayList<>();
        synchronized (lock) {
            Collection<RoutingOverride> current = table.overrides();
            List<RoutingOverride> active = activeOf(current);
            if (active.size() == current.size()) {
                return ended;
            }
            current.stream().filter(o -> !active.contains(o)).forEach(o -> ended.add(o.customer()));
            table = table.withOverrides(active);
        }
        return ended;
    }

    private List<RoutingOverride> activeOf(Collection<RoutingOverride> overrides) {
        Instant now = clock.instant();
        List<RoutingOverride> active = new ArrayList<>(overrides.size());
        for (RoutingOverride override : overrides) {
            if (override.isActiveAt(now)) {
                active.add(override);
            }
        }
        return active;
    }

    private static Map<String, RoutingOverride> byCustomer(Collection<RoutingOverride> overrides) {
        Map<String, RoutingOverride> map = new HashMap<>();
        overrides.forEach(override -> map.put(override.customer(), override));
        return map;
    }

    /** Swaps in a changed table; cells and overrides may be reloaded concurrently, neither change is lost. */
    private void updateTable(UnaryOperator<RoutingTable> change) {
        synchronized (lock) {
            table = change.apply(table);
        }
    }
}
