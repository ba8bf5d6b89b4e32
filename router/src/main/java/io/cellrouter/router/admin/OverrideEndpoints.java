package io.cellrouter.router.admin;

import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.router.admin.Answer.Refusal;
import io.cellrouter.router.error.ErrorCode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code PUT /admin/v1/overrides/{id}} {@code {cell | freeze: true, ttl, reason?}} and
 * {@code DELETE /admin/v1/overrides/{id}}. An override wins over the placement until {@code now +
 * ttl} and then stops by itself, on every router, with no process having to remember it.
 */
final class OverrideEndpoints {

    private static final Set<String> FIELDS = Set.of("cell", "freeze", "ttl", "reason");

    /** Overrides are temporary by nature; a longer rule belongs in the placement. */
    static final Duration MAXIMUM_TTL = Duration.ofDays(30);

    private static final int MAXIMUM_REASON = 500;

    private final RegistryStore store;
    private final Clock clock;
    private final LocalCatchUp catchUp;

    OverrideEndpoints(RegistryStore store, Clock clock, LocalCatchUp catchUp) {
        this.store = store;
        this.clock = clock;
        this.catchUp = catchUp;
    }

    /** 200 with the override; 400 a bad body; 404 the cell does not exist. */
    CompletableFuture<Answer> put(String customer, String requestBody) {
        String target = "override/" + customer;
        RoutingOverride override;
        try {
            override = parse(customer, JsonBody.parse(requestBody, FIELDS));
        } catch (Refusal refusal) {
            return CompletableFuture.completedFuture(
                    refusal.answer().describing("put_override", target, null, null, null));
        }
        return store.overrides()
                .thenCompose(overrides -> {
                    var before = Views.active(overrides, customer, clock.instant());
                    return store.putOverride(override)
                            .thenCompose(stored -> catchUp.after(customer))
                            .thenApply(ignored -> {
                                var body = JsonBody.JSON.createObjectNode().put("customer", customer);
                                body.set("override", Views.override(override));
                                return Answer.of(HttpResponseStatus.OK, body)
                                        .describing(
                                                "put_override",
                                                target,
                                                before.map(Views::override).orElse(null),
                                                Views.override(override),
                                                null);
                            });
                })
                .exceptionally(
                        error -> StoreFailures.answer(error).describing("put_override", target, null, null, null));
    }

    /** 200 removed; 404 there was none. */
    CompletableFuture<Answer> delete(String customer) {
        String target = "override/" + customer;
        return store.overrides()
                .thenCompose(overrides -> {
                    var before = overrides.stream()
                            .filter(o -> o.customer().equals(customer))
                            .findFirst();
                    return store.deleteOverride(customer).thenCompose(deleted -> {
                        if (!deleted) {
                            return CompletableFuture.completedFuture(
                                    Answer.error(ErrorCode.NOT_FOUND, "customer " + customer + " has no override")
                                            .describing("delete_override", target, null, null, null));
                        }
                        return catchUp.after(customer).thenApply(ignored -> Answer.of(
                                        HttpResponseStatus.OK,
                                        JsonBody.JSON
                                                .createObjectNode()
                                                .put("customer", customer)
                                                .put("deleted", true))
                                .describing(
                                        "delete_override",
                                        target,
                                        before.map(Views::override).orElse(null),
                                        null,
                                        null));
                    });
                })
                .exceptionally(
                        error -> StoreFailures.answer(error).describing("delete_override", target, null, null, null));
    }

    private RoutingOverride parse(String customer, JsonBody body) {
        boolean freeze = body.bool("freeze");
        boolean hasCell = body.has("cell");
        if (freeze == hasCell) {
            throw JsonBody.bad("give either cell or freeze: true, not both or neither");
        }
        if (body.has("freeze") && !freeze) {
            throw JsonBody.bad("freeze may only be true; use cell to route elsewhere");
        }
        Duration ttl = body.duration("ttl", MAXIMUM_TTL);
        if (ttl == null) {
            throw JsonBody.bad("ttl is required, e.g. \"30m\"");
        }
        String reason = body.text("reason");
        if (reason != null && reason.length() > MAXIMUM_REASON) {
            throw JsonBody.bad("reason is longer than " + MAXIMUM_REASON + " characters");
        }
        var expiresAt = clock.instant().plus(ttl);
        return freeze
                ? RoutingOverride.freeze(customer, expiresAt, reason)
                : RoutingOverride.toCell(customer, body.name("cell"), expiresAt, reason);
    }
}
