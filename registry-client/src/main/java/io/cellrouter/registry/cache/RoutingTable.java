package io.cellrouter.registry.cache;

import com.github.benmanes.caffeine.cache.Interner;
import io.cellrouter.registry.cache.Resolution.Outcome;
import io.cellrouter.registry.cache.Resolution.Source;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The cells, overrides and shadows as last read, plus the decision for every (cell, source) pair computed
 * once, as an already completed future. Routing a cached customer is then two hash lookups, an
 * array read and no allocation. Immutable: the follower swaps in a new table when cells,
 * overrides or shadows change.
 *
 * <p>The maps are plain {@link HashMap}s, never changed after construction and never handed out:
 * a lookup on the hit path is one hop from this object to the map's table, not three through an
 * unmodifiable view and an {@code EnumMap}. Cell names are interned ({@link #CELL_NAMES}) the same
 * way the placement cache interns them, so the lookup of a cached customer's cell matches by
 * reference without comparing characters.
 */
final class RoutingTable {

    /** One String per cell name, shared by this table and the placement cache's entries. */
    static final Interner<String> CELL_NAMES = Interner.newWeakInterner();

    private static final Map<Source, CompletableFuture<Resolution>> UNKNOWN_CELL =
            bySource(source -> new Resolution(Outcome.UNKNOWN_CELL, null, source, null, null));

    private final Map<String, Map<Source, CompletableFuture<Resolution>>> routes;
    private final Map<String, RoutingOverride> overrides;
    /** Null when there is none: the common case costs one null check per request, not a lookup. */
    private final Map<String, Shadow> shadows;

    private final List<Cell> cellList;
    private final Duration retryAfter;

    private RoutingTable(
            List<Cell> cells,
            Map<String, RoutingOverride> overrides,
            Map<String, Shadow> shadows,
            Map<String, Map<Source, CompletableFuture<Resolution>>> routes,
            Duration retryAfter) {
        this.cellList = cells;
        this.overrides = overrides;
        this.shadows = shadows;
        this.routes = routes;
        this.retryAfter = retryAfter;
    }

    static RoutingTable empty(Duration retryAfter) {
        return new RoutingTable(List.of(), new LinkedHashMap<>(), null, new HashMap<>(), retryAfter);
    }

    RoutingTable withCells(Collection<Cell> newCells) {
        Map<String, Cell> byName = new LinkedHashMap<>();
        newCells.forEach(cell -> byName.put(cell.name(), cell));
        HashMap<String, Map<Source, CompletableFuture<Resolution>>> newRoutes = new HashMap<>();
        for (Cell cell : byName.values()) {
            newRoutes.put(CELL_NAMES.intern(cell.name()), bySource(source -> decide(cell, source)));
        }
        return new RoutingTable(List.copyOf(byName.values()), overrides, shadows, newRoutes, retryAfter);
    }

    RoutingTable withOverrides(Collection<RoutingOverride> newOverrides) {
        LinkedHashMap<String, RoutingOverride> byCustomer = new LinkedHashMap<>();
        newOverrides.forEach(override -> byCustomer.put(override.customer(), override));
        return new RoutingTable(cellList, byCustomer, shadows, routes, retryAfter);
    }

    RoutingTable withShadows(Collection<Shadow> newShadows) {
        LinkedHashMap<String, Shadow> byCustomer = null;
        if (!newShadows.isEmpty()) {
            byCustomer = new LinkedHashMap<>();
            for (Shadow shadow : newShadows) {
                byCustomer.put(shadow.customer(), shadow);
            }
        }
        return new RoutingTable(cellList, overrides, byCustomer, routes, retryAfter);
    }

    /** Every stored shadow, expired or not. */
    Collection<Shadow> shadows() {
        return shadows == null ? List.of() : Collections.unmodifiableCollection(shadows.values());
    }

    /** The stored shadow of the customer, expired or not, or null. */
    Shadow shadow(String customer) {
        return shadows == null ? null : shadows.get(customer);
    }

    List<Cell> cells() {
        return cellList;
    }

    /** Every stored override, expired or not. */
    Collection<RoutingOverride> overrides() {
        return Collections.unmodifiableCollection(overrides.values());
    }

    /** The stored override of the customer, expired or not, or null. */
    RoutingOverride override(String customer) {
        return overrides.get(customer);
    }

    /**
     * The decision for sending a customer to {@code cell}, found via {@code source}: a shared,
     * already completed future (completing it again has no effect).
     */
    CompletableFuture<Resolution> route(String cell, Source source) {
        Map<Source, CompletableFuture<Resolution>> decisions = routes.get(cell);
        return (decisions == null ? UNKNOWN_CELL : decisions).get(source);
    }

    private Resolution decide(Cell cell, Source source) {
        // Only a placement read just now has a known age without asking the cache.
        Duration age = source == Source.REGISTRY ? Duration.ZERO : null;
        if (cell.state() == CellState.OFFLINE) {
            return new Resolution(Outcome.CELL_OFFLINE, cell, source, age, retryAfter);
        }
        return new Resolution(Outcome.ROUTE, cell, source, age, null);
    }

    private static Map<Source, CompletableFuture<Resolution>> bySource(Function<Source, Resolution> decision) {
        EnumMap<Source, CompletableFuture<Resolution>> decisions = new EnumMap<>(Source.class);
        for (Source source : Source.values()) {
            decisions.put(source, CompletableFuture.completedFuture(decision.apply(source)));
        }
        return decisions;
    }
}
