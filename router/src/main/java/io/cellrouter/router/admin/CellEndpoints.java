package io.cellrouter.router.admin;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.store.CellPatch;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.router.admin.Answer.Refusal;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code PUT /admin/v1/cells/{cell}} {@code {endpoint, state?, region?, tier?, labels?}}: creates
 * (201) or replaces (200) a cell. A PUT is a whole replacement, as in HTTP: a field it omits is
 * reset ({@code state} to {@code active}, {@code region}, {@code tier} and {@code labels} removed).
 * To change some fields and keep the rest, {@code PATCH /admin/v1/cells/{cell}} with only those
 * fields ({@code null} removes a region or tier; labels, when given, replace the labels): one
 * atomic store write, 404 when the cell does not exist. {@code draining} takes no new placements
 * while its customers keep routing, {@code offline} fails its customers fast with 503 {@code
 * cell_offline} and touches no other cell. A {@code tier} is one of {@link Cell#TIERS} (400 otherwise);
 * a {@code region} and label names follow the registry file's rules (400 otherwise).
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

    /** 200 with the patched cell; 400 an empty or bad body; 404 no such cell. */
    CompletableFuture<Answer> patch(String name, String requestBody) {
        String target = "cell/" + name;
        CellPatch patch;
        try {
            patch = parsePatch(name, JsonBody.parse(requestBody, FIELDS));
        } catch (Refusal refusal) {
            return CompletableFuture.completedFuture(
                    refusal.answer().describing("patch_cell", target, null, null, null));
        }
        return store.cells()
                .thenCompose(cells -> {
                    Cell before = cells.stream()
                            .filter(c -> c.name().equals(name))
                            .findFirst()
                            .orElse(null);
                    return store.patchCell(name, patch).thenCompose(stored -> catchUp.after(null)
                            .thenApply(ignored -> Answer.of(HttpResponseStatus.OK, Views.cell(stored))
                                    .describing(
                                            "patch_cell",
                                            target,
                                            before == null ? null : Views.cell(before),
                                            Views.cell(stored),
                                            stored.version())));
                })
                .exceptionally(error -> StoreFailures.answer(error).describing("patch_cell", target, null, null, null));
    }

    private static CellPatch parsePatch(String name, JsonBody body) {
        if (body.isEmpty()) {
            throw JsonBody.bad("give at least one of "
                    + String.join(", ", FIELDS.stream().sorted().toList()));
        }
        URI endpoint = null;
        if (body.names("endpoint")) {
            try {
                endpoint = new URI(body.requiredText("endpoint"));
                new Cell(name, endpoint, CellState.ACTIVE); // the same checks as a whole cell's
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw JsonBody.bad("endpoint: " + e.getMessage());
            }
        }
        CellState state = null;
        if (body.names("state")) {
            try {
                state = CellState.parse(body.requiredText("state"));
            } catch (IllegalArgumentException e) {
                throw JsonBody.bad(e.getMessage());
            }
        }
        Optional<String> region = body.names("region") ? Optional.ofNullable(body.text("region")) : null;
        Optional<String> tier = body.names("tier") ? Optional.ofNullable(tier(body)) : null;
        Map<String, String> labels = body.names("labels") ? body.labels("labels") : null;
        checkMetadata(region == null ? null : region.orElse(null), labels);
        return new CellPatch(state, endpoint, region, tier, labels);
    }

    /**
     * A region or label name that the registry parser refuses is refused here by the same rule
     * ({@link Cell#metadataProblem}): written, it would leave a registry file that no router loads.
     */
    private static void checkMetadata(String region, Map<String, String> labels) {
        String problem = Cell.metadataProblem(region, null, labels);
        if (problem != null) {
            throw JsonBody.bad(problem.startsWith("region") ? problem + ", was '" + shown(region) + "'" : problem);
        }
    }

    /** A refused value as the error shows it: at most 64 characters. */
    private static String shown(String value) {
        return value.length() <= 64 ? value : value.substring(0, 64) + "... (" + value.length() + " characters)";
    }

    /** The body's tier, one of {@link Cell#TIERS} (or none). */
    private static String tier(JsonBody body) {
        String tier = body.text("tier");
        String problem = Cell.tierProblem(tier);
        if (problem != null) {
            throw JsonBody.bad("tier " + problem + ", was '" + tier + "'");
        }
        return tier;
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
        String region = body.text("region");
        Map<String, String> labels = body.labels("labels");
        checkMetadata(region, labels);
        try {
            return new Cell(name, endpoint, state, region, tier(body), labels, 0);
        } catch (IllegalArgumentException e) {
            throw JsonBody.bad(e.getMessage());
        }
    }
}
