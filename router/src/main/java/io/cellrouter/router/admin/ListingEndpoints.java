package io.cellrouter.router.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.store.PlacementQuery;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.router.admin.Answer.Refusal;
import io.cellrouter.router.error.ErrorCode;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The registry as lists, read from the store (not this instance's cache):
 *
 * <ul>
 *   <li>{@code GET /admin/v1/customers?cell=C&prefix=P&limit=N&cursor=K}: one page of placements,
 *       {@code {customers: [{customer, cell, version, override?}], next?}}. Each page is one bounded
 *       store read plus the overrides (a small set); the first page of a cell also checks the cell
 *       exists (404 otherwise), later pages do not.
 *   <li>{@code GET /admin/v1/overrides}: every active override, soonest expiry first.
 *   <li>{@code GET /admin/v1/cells/{cell}}: one cell as the registry holds it, with {@code
 *       customerCount} and {@code countedAt} (counts are kept a while: {@link CellCounts}).
 * </ul>
 */
final class ListingEndpoints {

    private static final Set<String> LISTING_PARAMETERS = Set.of("cell", "prefix", "limit", "cursor");

    private final RegistryStore store;
    private final Clock clock;
    private final CellCounts counts;

    ListingEndpoints(RegistryStore store, Clock clock, CellCounts counts) {
        this.store = store;
        this.clock = clock;
        this.counts = counts;
    }

    CompletableFuture<Answer> customers(QueryStringDecoder query) {
        PlacementQuery page;
        try {
            page = parse(query);
        } catch (Refusal refusal) {
            return CompletableFuture.completedFuture(refusal.answer());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(Answer.error(ErrorCode.BAD_REQUEST, e.getMessage()));
        }
        CompletableFuture<Void> cellExists = page.cell() == null || page.cursor() != null
                ? CompletableFuture.completedFuture(null)
                : store.cells().thenAccept(cells -> {
                    if (cells.stream().noneMatch(c -> c.name().equals(page.cell()))) {
                        throw new Refusal(ErrorCode.NOT_FOUND, "cell " + page.cell() + " does not exist");
                    }
                });
        return cellExists
                .thenCompose(ignored -> store.placementPage(page))
                .thenCombine(store.overrides(), (result, overrides) -> {
                    Map<String, RoutingOverride> active = active(overrides, clock.instant());
                    ObjectNode body = JsonBody.JSON.createObjectNode();
                    ArrayNode customers = body.putArray("customers");
                    for (Placement placement : result.placements()) {
                        ObjectNode entry = customers
                                .addObject()
                                .put("customer", placement.customer())
                                .put("cell", placement.cell())
                                .put("version", placement.version());
                        RoutingOverride override = active.get(placement.customer());
                        if (override != null) {
                            entry.set("override", Views.override(override));
                        }
                    }
                    if (result.next() != null) {
                        body.put("next", result.next());
                    }
                    return Answer.of(HttpResponseStatus.OK, body);
                })
                .exceptionally(StoreFailures::answer);
    }

    CompletableFuture<Answer> overrides() {
        return store.overrides()
                .thenApply(overrides -> {
                    ObjectNode body = JsonBody.JSON.createObjectNode();
                    ArrayNode list = body.putArray("overrides");
                    active(overrides, clock.instant()).values().stream()
                            .sorted(Comparator.comparing(RoutingOverride::expiresAt)
                                    .thenComparing(RoutingOverride::customer))
                            .forEach(override -> {
                                ObjectNode entry = list.addObject().put("customer", override.customer());
                                entry.setAll(Views.override(override));
                            });
                    return Answer.of(HttpResponseStatus.OK, body);
                })
                .exceptionally(StoreFailures::answer);
    }

    CompletableFuture<Answer> cell(String name) {
        return store.cells()
                .thenCompose(cells -> {
                    Cell cell = cells.stream()
                            .filter(c -> c.name().equals(name))
                            .findFirst()
                            .orElseThrow(() -> new Refusal(ErrorCode.NOT_FOUND, "cell " + name + " does not exist"));
                    return counts.of(name)
                            .thenApply(count -> Answer.of(
                                    HttpResponseStatus.OK,
                                    Views.cell(cell)
                                            .put("customerCount", count.customers())
                                            .put("countedAt", count.at().toString())));
                })
                .exceptionally(StoreFailures::answer);
    }

    private static PlacementQuery parse(QueryStringDecoder query) {
        Map<String, List<String>> parameters = query.parameters();
        for (var entry : parameters.entrySet()) {
            if (!LISTING_PARAMETERS.contains(entry.getKey())) {
                throw JsonBody.bad(
                        "unknown query parameter '" + entry.getKey() + "'; allowed: cell, cursor, limit," + " prefix");
            }
            if (entry.getValue().size() != 1) {
                throw JsonBody.bad("query parameter '" + entry.getKey() + "' is given more than once");
            }
        }
        String limit = single(parameters, "limit");
        int parsedLimit = PlacementQuery.DEFAULT_LIMIT;
        if (limit != null) {
            try {
                parsedLimit = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                throw JsonBody.bad("limit must be a whole number from 1 to " + PlacementQuery.MAXIMUM_LIMIT);
            }
        }
        try {
            return new PlacementQuery(
                    single(parameters, "cell"),
                    single(parameters, "prefix"),
                    parsedLimit,
                    single(parameters, "cursor"));
        } catch (RuntimeException e) {
            throw JsonBody.bad(e.getMessage());
        }
    }

    private static String single(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        return values == null ? null : values.get(0);
    }

    private static Map<String, RoutingOverride> active(List<RoutingOverride> overrides, Instant now) {
        Map<String, RoutingOverride> active = new HashMap<>();
        for (RoutingOverride override : overrides) {
            if (override.isActiveAt(now)) {
                active.put(override.customer(), override);
            }
        }
        return active;
    }
}
