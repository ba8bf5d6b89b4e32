package io.cellrouter.router.admin;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.router.admin.Answer.Refusal;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code PUT /admin/v1/cells/{cell}} {@code {endpoint, state?, region?, tier?, labels?}}: creates
 * (201) or replaces (200) a cell. {@code state} defaults to {@code active}; {@code draining} takes
 * no new placements while its customers keep routing, {@code offline} fails its customers fast
 * with 503 {@code cell_offline} and touches no other cell.
 */
final class CellEndpoints {

    private static final Set<String> FIELDS = Set.of("endpoint", "state", "region", "tier", "labels");

    private final RegistryStore store;
    private final LocalCatchUp catchUp;

    CellEndpoints(RegistryStore store, LocalCatchUp catchUp) {
        this.store = store;
        this.catchUp = catchUp;
    }

    CompletableFuture<Answer> put(String name, String requestBody) {
        String target = "cell/" + name;
        Cell cell;
        try {
            cell = parse(name, JsonBody.parse(requestBody, FIELDS));
        } catch (Refusal refusal) {
            return CompletableFuture.completedFuture(refusal.answer().describing("put_cell", target, null, null, null));
        }
        return store.cells()
                .thenCompose(cells -> {
                    Cell before = cells.stream()
                            .filter(c -> c.name().equals(name))
                            .findFirst()
                            .orElse(null);
                    return store.putCell(cell)
                            .thenCompose(stored -> catchUp.after(null).thenApply(ignored -> Answer.of(
                                            before == null ? HttpResponseStatus.CREATED : HttpResponseStatus.OK,
                                            Views.cell(stored))
                                    .describing(
                                            "put_cell",
                                            target,
                                            before == null ? null : Views.cell(before),
                                            Views.cell(stored),
                                            stored.version())));
                })
                .exceptionally(error -> StoreFailures.answer(error).describing("put_cell", target, null, null, null));
    }

    private static Cell parse(String name, JsonBody body) {
        URI endpoint;
        try {
            endpoint = new URI(body.requiredText("endpoint"));
        } catch (URISyntaxException e) {
            throw JsonBody.bad("endpoint is not a URL: " + e.getMessage());
        }
        CellState state;
        try {
            String text = body.text("state");
            state = text == null ? CellState.ACTIVE : CellState.parse(text);
        } catch (IllegalArgumentException e) {
            throw JsonBody.bad(e.getMessage());
        }
        try {
            return new Cell(name, endpoint, state, body.text("region"), body.text("tier"), body.labels("labels"), 0);
        } catch (IllegalArgumentException e) {
            throw JsonBody.bad(e.getMessage());
        }
    }
}
