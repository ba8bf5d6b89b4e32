package io.cellrouter.router.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.store.InvalidRegistryException;
import io.cellrouter.registry.store.NotFoundException;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.registry.store.StoreUnavailableException;
import io.cellrouter.registry.store.VersionConflictException;
import io.cellrouter.router.admin.Answer.Refusal;
import io.cellrouter.router.error.ErrorCode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /admin/v1/customers/{id}/move} {@code {toCell, expectedVersion?, freezeFor?}}.
 *
 * <p>A move is one conditional write on the placement's version: of two concurrent moves from the
 * same version exactly one wins, the other gets 409. With {@code freezeFor} the order is:
 *
 * <pre>
 * 1. write override {customer, freeze, expiresAt = now + freezeFor}   (every router: 503 customer_frozen;
 *                                                                      its feed entry lost: 503, stop)
 * 2. write placement → toCell, conditional on the version read         (409 or an unknown outcome: the
 *                                                                      freeze stays; the cell gone: undone)
 *    the freeze still there until expiresAt, or written again
 * 3. answer 200 {..., frozenUntil}
 * expiresAt passes: the override stops winning by itself; every router routes to toCell.
 * </pre>
 *
 * <p>Both writes are in the registry before the answer, and the freeze ends by its absolute
 * {@code expiresAt}, not by a timer in this process: a router restart, or another instance that
 * never saw the request, cannot lose the switch or hold the customer longer. The freeze is written
 * first, and routers apply a feed batch's overrides before its placements, so no router routes to
 * the new cell before the freeze is in its table. A freeze replaces any override the customer had;
 * a freeze is never shortened: when one that ends later stands, this move's ends then too (a
 * concurrent move or an operator keeps the time it asked for).
 *
 * <p>{@code ?dryRun=true}: the same checks, nothing written: from, to, the version the move
 * would write and the active override. A move to the cell the customer is already on is 409
 * {@code already_there} and writes nothing (no freeze either).
 */
final class MoveEndpoint {

    private static final Set<String> FIELDS = Set.of("toCell", "expectedVersion", "freezeFor");

    /** A freeze holds a customer's traffic; a day is already far longer than a data copy should take. */
    static final Duration MAXIMUM_FREEZE = Duration.ofDays(1);

    private record Plan(Placement before, String toCell, Optional<RoutingOverride> override) {}

    private final RegistryStore store;
    private final Clock clock;
    private final LocalCatchUp catchUp;

    MoveEndpoint(RegistryStore store, Clock clock, LocalCatchUp catchUp) {
        this.store = store;
        this.clock = clock;
        this.catchUp = catchUp;
    }

    CompletableFuture<Answer> move(String customer, String requestBody, boolean dryRun) {
        String target = "customer/" + customer;
        String toCell;
        Long expected;
        Duration freezeFor;
        try {
            JsonBody body = JsonBody.parse(requestBody, FIELDS);
            toCell = body.name("toCell");
            expected = body.positiveLong("expectedVersion");
            freezeFor = body.duration("freezeFor", MAXIMUM_FREEZE);
        } catch (Refusal refusal) {
            return CompletableFuture.completedFuture(refusal.answer().describing("move", target, null, null, null));
        }
        CompletableFuture<Plan> plan = store.placement(customer)
                .thenCombine(store.cells(), (placement, cells) -> {
                    Placement before = placement.orElseThrow(
                            () -> new Refusal(ErrorCode.NOT_FOUND, "customer " + customer + " is not placed"));
                    if (before.cell().equals(toCell)) {
                        throw new Refusal(
                                ErrorCode.ALREADY_THERE,
                                "customer " + customer + " is already on cell " + toCell + "; nothing to move");
                    }
                    CustomerEndpoints.requireActive(cells, toCell);
                    if (expected != null && expected != before.version()) {
                        throw new Refusal(
                                ErrorCode.VERSION_CONFLICT,
                                "expected version " + expected + " but the placement is at " + before.version());
                    }
                    return before;
                })
                .thenCombine(
                        store.overrides(),
                        (before, overrides) ->
                                new Plan(before, toCell, Views.active(overrides, customer, clock.instant())));
        if (dryRun) {
            return plan.thenApply(p -> dryRunAnswer(customer, p, freezeFor)).exceptionally(StoreFailures::answer);
        }
        return plan.thenCompose(p ->
                        freezeFor == null ? switchCell(customer, p, null) : freezeThenSwitch(customer, p, freezeFor))
                .exceptionally(error -> StoreFailures.answer(error).describing("move", target, null, null, null));
    }

    private CompletableFuture<Answer> freezeThenSwitch(String customer, Plan plan, Duration freezeFor) {
        Instant asked = clock.instant().plus(freezeFor);
        // Read again just before writing: a freeze written since the plan was read (a concurrent
        // move's, an operator's) that ends later is never shortened: this move's own freeze ends
        // when that one would have. (It is still written: a move that loses and undoes its own
        // freeze must not take this move's protection with it.) A freeze whose change-feed entry
        // could not be written fails here (the store says so), and the move stops before the
        // placement: routers must never hear of it first.
        return store.overrides().thenCompose(overrides -> {
            Instant until = Views.active(overrides, customer, clock.instant())
                    .filter(o -> o.freeze() && o.expiresAt().isAfter(asked))
                    .map(RoutingOverride::expiresAt)
                    .orElse(asked);
            RoutingOverride freeze = RoutingOverride.freeze(
                    customer, until, "move from " + plan.before().cell() + " to " + plan.toCell());
            return store.putOverride(freeze)
                    .thenCompose(stored -> catchUp.after(customer))
                    .thenCompose(ignored -> switchCell(customer, plan, freeze)
                            .thenCompose(answer -> keepFrozen(customer, freeze, answer))
                            .exceptionallyCompose(error -> switchFailed(plan, freeze, error)));
        });
    }

    /**
     * The switch failed. Only a refusal before anything was written (the target cell or the
     * customer gone) undoes the freeze, and only if it is still this move's. A 409 keeps it: the
     * move that won may be relying on it (its own freeze may have been replaced by this one). Any
     * other failure keeps it too: the placement write may have landed.
     */
    private CompletableFuture<Answer> switchFailed(Plan plan, RoutingOverride freeze, Throwable error) {
        Throwable cause = error instanceof CompletionException c && c.getCause() != null ? c.getCause() : error;
        String customer = plan.before().customer();
        if (cause instanceof NotFoundException || cause instanceof InvalidRegistryException) {
            return undoFreeze(plan, freeze).thenApply(ignored -> {
                throw error instanceof RuntimeException r ? r : new IllegalStateException(error);
            });
        }
        String frozen = "customer " + customer + " stays frozen until " + freeze.expiresAt();
        if (cause instanceof VersionConflictException) {
            // Refused, yet it wrote its freeze: the audit line says so (before: the override the
            // customer had; after: this move's freeze, which stays).
            ObjectNode overrideBefore = JsonBody.JSON.createObjectNode();
            overrideBefore.set("override", plan.override().map(Views::override).orElse(null));
            ObjectNode overrideAfter = JsonBody.JSON.createObjectNode();
            overrideAfter.set("override", Views.override(freeze));
            return CompletableFuture.completedFuture(Answer.error(
                            ErrorCode.VERSION_CONFLICT,
                            cause.getMessage() + "; " + frozen
                                    + " (the move that won may rely on this freeze): delete the override once its data"
                                    + " is in place")
                    .describing("move", "customer/" + customer, overrideBefore, overrideAfter, null));
        }
        return CompletableFuture.failedFuture(new StoreUnavailableException(
                "the move's outcome is unknown (" + cause.getMessage() + "); " + frozen
                        + ": read its placement, then move again or delete the override",
                cause));
    }

    /**
     * The switch is written. A concurrent move may have replaced this move's freeze with its own,
     * possibly shorter: the customer must stay frozen at least until this move's end, so a freeze
     * that ends earlier (or none) is written again; a longer one is left and reported.
     */
    private CompletableFuture<Answer> keepFrozen(String customer, RoutingOverride freeze, Answer answer) {
        return store.overrides().thenCompose(overrides -> {
            RoutingOverride current = overrides.stream()
                    .filter(o -> o.customer().equals(customer))
                    .findFirst()
                    .orElse(null);
            if (current != null && current.freeze() && !current.expiresAt().isBefore(freeze.expiresAt())) {
                answer.body().put("frozenUntil", current.expiresAt().toString());
                return CompletableFuture.completedFuture(answer);
            }
            if (current != null && !current.freeze()) {
                return CompletableFuture.completedFuture(answer); // an operator's override to a cell since: theirs
            }
            return store.putOverride(freeze)
                    .thenCompose(ignored -> catchUp.after(customer))
                    .thenApply(ignored -> answer);
        });
    }

    /** A refused switch: put back the override the customer had before, if the freeze is still this move's. */
    private CompletableFuture<Void> undoFreeze(Plan plan, RoutingOverride freeze) {
        String customer = plan.before().customer();
        return store.overrides()
                .thenCompose(overrides -> {
                    if (!overrides.contains(freeze)) { // no longer this move's (an override is per customer)
                        return CompletableFuture.<Object>completedFuture(null);
                    }
                    return plan.override().isPresent()
                            ? store.putOverride(plan.override().get()).thenApply(Object.class::cast)
                            : store.deleteOverride(customer).thenApply(Object.class::cast);
                })
                .handle((ignored, error) -> null)
                .thenCompose(ignored -> catchUp.after(customer));
    }

    private CompletableFuture<Answer> switchCell(String customer, Plan plan, RoutingOverride freeze) {
        Placement before = plan.before();
        return store.putPlacement(customer, plan.toCell(), before.version())
                .thenCompose(after -> catchUp.after(customer).thenApply(ignored -> {
                    ObjectNode body = JsonBody.JSON
                            .createObjectNode()
                            .put("customer", customer)
                            .put("fromCell", before.cell())
                            .put("toCell", after.cell())
                            .put("version", after.version());
                    ObjectNode auditedAfter = Views.placement(after);
                    if (freeze != null) {
                        body.put("frozenUntil", freeze.expiresAt().toString());
                        auditedAfter.set("override", Views.override(freeze));
                    }
                    ObjectNode auditedBefore = Views.placement(before);
                    auditedBefore.set(
                            "override", plan.override().map(Views::override).orElse(null));
                    return Answer.of(HttpResponseStatus.OK, body)
                            .describing("move", "customer/" + customer, auditedBefore, auditedAfter, after.version());
                }));
    }

    private Answer dryRunAnswer(String customer, Plan plan, Duration freezeFor) {
        ObjectNode body = JsonBody.JSON
                .createObjectNode()
                .put("customer", customer)
                .put("fromCell", plan.before().cell())
                .put("toCell", plan.toCell())
                .put("version", plan.before().version())
                .put("nextVersion", plan.before().version() + 1)
                .put("dryRun", true);
        body.set("override", plan.override().map(Views::override).orElse(null));
        if (freezeFor != null) {
            body.put("freezeFor", freezeFor.toString());
        }
        return Answer.of(HttpResponseStatus.OK, body);
    }
}
