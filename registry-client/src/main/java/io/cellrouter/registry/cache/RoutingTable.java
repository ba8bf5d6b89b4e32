package io.cellrouter.registry.cache;

import io.cellrouter.registry.cache.Resolution.Outcome;
import io.cellrouter.registry.cache.Resolution.Source;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.Override;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The cells and overrides as last read, plus the decision for every (cell, source) pair computed
 * once, as an already completed future. Routing a cached customer is then two map lookups and no
 * allocation. Immutable: the follower swaps in a new table when cells or overrides change.
 */
final class RoutingTable {

    private static final EnumMap<Source, CompletableFuture<Resolution>> UNKNOWN_CELL =
            bySource(source -> new Resolution(Outcome.UNKNOWN_CELL, null, source, null, null));

    private final Map<String, Cell> cells;
    private final List<Cell> cellList;
    private final Map<String, Override> overrides;
    private final Map<String, EnumMap<Source, CompletableFuture<Resolution>>> routes;
    private final Duration retryAfter;

    private RoutingTable(
            Map<String, Cell> cells,
            Map<String, Override> overrides,
            Map<String, EnumMap<Source, CompletableFuture<Resolution>>> routes,
            Duration retryAfter) {
        this.cells = cells;
        this.cellList = List.copyOf(cells.values());
        this.overrides = overrides;
        this.routes = routes;
        this.retryAfter = retryAfter;
    }

    static RoutingTable empty(Duration retryAfter) {
        return new RoutingTable(Map.of(), Map.of(), Map.of(), retryAfter);
    }

    RoutingTable withCells(Collection<Cell> newCells) {
        Map<String, Cell> byName = new LinkedHashMap<>();
        Map<String, EnumMap<Source, CompletableFuture<Resolution>>> newRoutes = new LinkedHashMap<>();
        for (Cell cell : newCells) {
            byName.put(cell.name(), cell);
            newRoutes.put(cell.name(), bySource(source -> decide(cell, source)));
        }
        return new RoutingTable(
                Collections.unmodifiableMap(byName), overrides, Collections.unmodifiableMap(newRoutes), retryAfter);
    }

    RoutingTable withOverrides(Collection<Override> newOverrides) {
        Map<String, Override> byCustomer = new LinkedHashMap<>();
        newOverrides.forEach(override -> byCustomer.put(override.customer(), override));
        return new RoutingTable(cells, Collections.unmodifiableMap(byCustomer), routes, retryAfter);
    }

    List<Cell> cells() {
        return cellList;
    }

    /** Every stored override, expired or not. */
    Collection<Override> overrides() {
        return overrides.values();
    }

    /** The stored override of the customer, expired or not, or null. */
    Override override(String customer) {
        return overrides.get(customer);
    }

    /**
     * The decision for sending a customer to {@code cell}, found via {@code source}: a shared,
     * already completed future (completing it again has no effect).
     */
    CompletableFuture<Resolution> route(String cell, Source source) {
        EnumMap<Source, CompletableFuture<Resolution>> decisions = routes.get(cell);
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

    private static EnumMap<Source, CompletableFuture<Resolution>> bySource(Function<Source, Resolution> decision) {
        EnumMap<Source, CompletableFuture<Resolution>> map = new EnumMap<>(Source.class);
        for (Source source : Source.values()) {
            map.put(source, CompletableFuture.completedFuture(decision.apply(source)));
        }
        return map;
    }
}
