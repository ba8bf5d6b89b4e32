package io.cellrouter.router.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.Shadow;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.registry.store.VersionConflictException;
import io.cellrouter.router.admin.Answer.Refusal;
import io.cellrouter.router.error.ErrorCode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code GET /admin/v1/customers/{id}} (placement, active override and active shadow, read from the
 * registry, not from this instance's cache) and {@code PUT /admin/v1/customers/{id}} (place a new customer: a
 * write conditional on the customer not being placed yet, so two concurrent placements cannot
 * both win). Moves are {@link MoveEndpoint}.
 */
final class CustomerEndpoints {

    private static final Set<String> PLACE_FIELDS = Set.of("cell");

    private final RegistryStore store;
    private final Clock clock;
    private final LocalCatchUp catchUp;

    CustomerEndpoints(RegistryStore store, Clock clock, LocalCatchUp catchUp) {
        this.store = store;
        this.clock = clock;
        this.catchUp = catchUp;
    }

    CompletableFuture<Answer> get(String customer) {
        CompletableFuture<List<Shadow>> shadows = store.shadows();
        return store.placement(customer)
                .thenCombine(store.overrides(), (placement, overrides) -> {
                    if (placement.isEmpty()) {
                        return Answer.error(ErrorCode.NOT_FOUND, "customer " + customer + " is not placed");
                    }
                    Placement p = placement.get();
                    ObjectNode body = JsonBody.JSON
                            .createObjectNode()
                            .put("customer", customer)
                            .put("cell", p.cell())
                            .put("version", p.version())
                            .put("updatedAt", p.updatedAt().toString());
                    body.set(
                            "override",
                            Views.active(overrides, customer, clock.instant())
                                    .map(Views::override)
                                    .orElse(null));
                    return Answer.of(HttpResponseStatus.OK, body);
                })
                .thenCombine(shadows, (answer, all) -> {
                    if (answer.ok()) {
                        Shadow shadow = Views.activeShadow(all, customer, clock.instant())
                                .orElse(null);
                        answer.body().set("shadow", Views.shadow(shadow));
                    }
                    return answer;
                });
    }

    /**
     * 201 placed; 404 no such cell; 409 {@code version_conflict} already placed (on which cell, and
     * to move it instead); 422 the cell takes no new placements.
     */
    CompletableFuture<Answer> place(String customer, String requestBody) {
        String action = "place";
        String target = "customer/" + customer;
        String cellName;
        try {
            cellName = JsonBody.parse(requestBody, PLACE_FIELDS).name("cell");
        } catch (Refusal refusal) {
            return CompletableFuture.completedFuture(refusal.answer().describing(action, target, null, null, null));
        }
        return store.cells()
                .thenCompose(cells -> {
                    requireActive(cells, cellName);
                    return store.putPlacement(customer, cellName, 0);
                })
                .exceptionallyCompose(error -> alreadyPlaced(customer, error))
                .thenCompose(placed -> catchUp.after(customer).thenApply(ignored -> Answer.of(
                                HttpResponseStatus.CREATED,
                                JsonBody.JSON
                                        .createObjectNode()
                                        .put("customer", customer)
                                        .put("cell", placed.cell())
                                        .put("version", placed.version()))
                        .describing(action, target, null, Views.placement(placed), placed.version())))
                .exceptionally(error -> StoreFailures.answer(error).describing(action, target, null, null, null));
    }

    /**
     * A placement conditional on version 0 conflicts when the customer is placed already: the
     * refusal says where it is and that a move changes its cell (the store's own message speaks of
     * versions). Any other failure, or a placement that cannot be read, is passed on as it was.
     */
    private CompletableFuture<Placement> alreadyPlaced(String customer, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (!(cause instanceof VersionConflictException)) {
            return CompletableFuture.failedFuture(cause);
        }
        return store.placement(customer)
                .handle((placement, readError) -> placement == null || placement.isEmpty() ? null : placement.get())
                .thenCompose(placed -> CompletableFuture.<Placement>failedFuture(
                        placed == null
                                ? cause
                                : new Refusal(
                                        ErrorCode.VERSION_CONFLICT,
                                        "customer " + customer + " is already placed on cell " + placed.cell()
                                                + "; PUT places new customers only: to change its cell, move it"
                                                + " (POST /admin/v1/customers/" + customer + "/move)")));
    }

    /** The named cell, when it exists (else 404) and takes new placements (else 422). */
    static Cell requireActive(List<Cell> cells, String name) {
        Cell cell = cells.stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new Refusal(ErrorCode.NOT_FOUND, "cell " + name + " does not exist"));
        if (cell.state() != CellState.ACTIVE) {
            throw new Refusal(
                    ErrorCode.CELL_NOT_ACTIVE,
                    "cell " + name + " is " + cell.state().wireName() + " and takes no new placements");
        }
        return cell;
    }
}
