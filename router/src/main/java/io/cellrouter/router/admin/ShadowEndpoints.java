package io.cellrouter.router.admin;

import io.cellrouter.registry.model.Shadow;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.router.admin.Answer.Refusal;
import io.cellrouter.router.error.ErrorCode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code PUT /admin/v1/customers/{id}/shadow} {@code {toCell, fraction, ttl, methods?, reason?}} and
 * {@code DELETE /admin/v1/customers/{id}/shadow}. A shadow copies a {@code fraction} of the
 * customer's requests of the given methods (default GET, HEAD) to {@code toCell} until {@code now +
 * ttl}, on every router of the fleet (it is in the registry, and in its change feed), and then
 * stops by itself. Where the customer is routed does not change.
 */
final class ShadowEndpoints {

    private static final Set<String> FIELDS = Set.of("toCell", "fraction", "ttl", "methods", "reason");

    /** A shadow is a check before a move, not a way of running: a week is plenty. */
    static final Duration MAXIMUM_TTL = Duration.ofDays(7);

    private static final int MAXIMUM_REASON = 500;

    private final RegistryStore store;
    private final Clock clock;
    private final LocalCatchUp catchUp;

    ShadowEndpoints(RegistryStore store, Clock clock, LocalCatchUp catchUp) {
        this.store = store;
        this.clock = clock;
        this.catchUp = catchUp;
    }

    /**
     * 200 with the shadow; 400 a bad body; 404 the customer is not placed or the cell does not
     * exist; 409 the customer is on that cell already; 422 the cell is not active.
     */
    CompletableFuture<Answer> put(String customer, String requestBody) {
        String target = "shadow/" + customer;
        Shadow shadow;
        try {
            shadow = parse(customer, JsonBody.parse(requestBody, FIELDS));
        } catch (Refusal refusal) {
            return CompletableFuture.completedFuture(
                    refusal.answer().describing("put_shadow", target, null, null, null));
        }
        return store.placement(customer)
                .thenCombine(store.cells(), (placement, cells) -> {
                    var placed = placement.orElseThrow(
                            () -> new Refusal(ErrorCode.NOT_FOUND, "customer " + customer + " is not placed"));
                    CustomerEndpoints.requireActive(cells, shadow.toCell());
                    if (placed.cell().equals(shadow.toCell())) {
                        throw new Refusal(
                                ErrorCode.ALREADY_THERE,
                                "customer " + customer + " is on cell " + shadow.toCell()
                                        + " already; a shadow there would compare the cell with itself");
                    }
                    return placed;
                })
                .thenCompose(placed -> store.shadows())
                .thenCompose(shadows -> {
                    Optional<Shadow> before = Views.activeShadow(shadows, customer, clock.instant());
                    return store.putShadow(shadow)
                            .thenCompose(stored -> catchUp.after(null))
                            .thenApply(ignored -> {
                                var body = JsonBody.JSON.createObjectNode().put("customer", customer);
                                body.set("shadow", Views.shadow(shadow));
                                return Answer.of(HttpResponseStatus.OK, body)
                                        .describing(
                                                "put_shadow",
                                                target,
                                                before.map(Views::shadow).orElse(null),
                                                Views.shadow(shadow),
                                                null);
                            });
                })
                .exceptionally(error -> StoreFailures.answer(error).describing("put_shadow", target, null, null, null));
    }

    /** 200 removed; 404 there was none. */
    CompletableFuture<Answer> delete(String customer) {
        String target = "shadow/" + customer;
        return store.shadows()
                .thenCompose(shadows -> {
                    Optional<Shadow> before = shadows.stream()
                            .filter(s -> s.customer().equals(customer))
                            .findFirst();
                    return store.deleteShadow(customer).thenCompose(deleted -> {
                        if (!deleted) {
                            return CompletableFuture.completedFuture(
                                    Answer.error(ErrorCode.NOT_FOUND, "customer " + customer + " has no shadow")
                                            .describing("delete_shadow", target, null, null, null));
                        }
                        return catchUp.after(null).thenApply(ignored -> Answer.of(
                                        HttpResponseStatus.OK,
                                        JsonBody.JSON
                                                .createObjectNode()
                                                .put("customer", customer)
                                                .put("deleted", true))
                                .describing(
                                        "delete_shadow",
                                        target,
                                        before.map(Views::shadow).orElse(null),
                                        null,
                                        null));
                    });
                })
                .exceptionally(
                        error -> StoreFailures.answer(error).describing("delete_shadow", target, null, null, null));
    }

    private Shadow parse(String customer, JsonBody body) {
        String toCell = body.name("toCell");
        Double fraction = body.number("fraction");
        if (fraction == null || !(fraction > 0 && fraction <= 1)) {
            throw JsonBody.bad("fraction is required: a number above 0 and at most 1, e.g. 0.1");
        }
        Duration ttl = body.duration("ttl", MAXIMUM_TTL);
        if (ttl == null) {
            throw JsonBody.bad("ttl is required, e.g. \"2h\"");
        }
        List<String> methods = body.texts("methods");
        if (methods != null && methods.isEmpty()) {
            throw JsonBody.bad("methods must name at least one HTTP method, or be left out (GET, HEAD)");
        }
        String reason = body.text("reason");
        if (reason != null && reason.length() > MAXIMUM_REASON) {
            throw JsonBody.bad("reason is longer than " + MAXIMUM_REASON + " characters");
        }
        try {
            return new Shadow(
                    customer, toCell, fraction, methods, clock.instant().plus(ttl), reason);
        } catch (IllegalArgumentException e) {
            throw JsonBody.bad("methods must be HTTP method names like GET or POST");
        }
    }
}
