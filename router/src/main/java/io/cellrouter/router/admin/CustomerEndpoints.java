package io.cellrouter.router.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellrouter.registry.cache.Resolver;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.Override;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.registry.store.VersionConflictException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /admin/v1/customers/{id}} and {@code POST /admin/v1/customers/{id}/move}.
 *
 * <p>A move is one conditional write on the placement's version: of two concurrent moves from the
 * same version exactly one wins, the other gets 409. The instance that took the move forgets its
 * cached placement at once; the others follow through the registry's change feed.
 */
final class CustomerEndpoints {

    private static final Logger AUDIT = LoggerFactory.getLogger("cellrouter.audit");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> MOVE_FIELDS = Set.of("toCell", "expectedVersion");

    private final RegistryStore store;
    private final Resolver resolver;
    private final Clock clock;

    CustomerEndpoints(RegistryStore store, Resolver resolver, Clock clock) {
        this.store = store;
        this.resolver = resolver;
        this.clock = clock;
    }

    /** An answer: status and JSON body. */
    record Answer(HttpResponseStatus status, ObjectNode body) {
        static Answer error(HttpResponseStatus status, String code, String message) {
            return new Answer(status, JSON.createObjectNode().put("error", code).put("message", message));
        }
    }

    CompletableFuture<Answer> get(String customer) {
        return store.placement(customer).thenCombine(store.overrides(), (placement, overrides) -> {
            if (placement.isEmpty()) {
                return Answer.error(
                        HttpResponseStatus.NOT_FOUND, "not_found", "customer " + customer + " is not placed");
            }
            Placement p = placement.get();
            ObjectNode body = JSON.createObjectNode()
                    .put("customer", customer)
                    .put("cell", p.cell())
                    .put("version", p.version())
                    .put("updatedAt", p.updatedAt().toString());
            activeOverride(overrides, customer)
                    .ifPresentOrElse(o -> body.set("override", overrideJson(o)), () -> body.putNull("override"));
            return new Answer(HttpResponseStatus.OK, body);
        });
    }

    CompletableFuture<Answer> move(String customer, String requestBody, String who) {
        JsonNode body;
        try {
            body = JSON.readTree(requestBody.isEmpty() ? "{}" : requestBody);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return done(Answer.error(HttpResponseStatus.BAD_REQUEST, "bad_request", "body is not valid JSON"));
        }
        if (!body.isObject()) {
            return done(Answer.error(HttpResponseStatus.BAD_REQUEST, "bad_request", "body must be a JSON object"));
        }
        for (var names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!MOVE_FIELDS.contains(name)) {
                return done(Answer.error(
                        HttpResponseStatus.BAD_REQUEST,
                        "bad_request",
                        "unknown field '" + name + "'"
                                + ("freezeFor".equals(name) ? " (freezeFor is not supported in this version)" : "")));
            }
        }
        JsonNode to = body.get("toCell");
        if (to == null || !to.isTextual() || !Cell.NAME.matcher(to.asText()).matches()) {
            return done(Answer.error(HttpResponseStatus.BAD_REQUEST, "bad_request", "toCell must be a cell name"));
        }
        JsonNode expected = body.get("expectedVersion");
        if (expected != null && !expected.canConvertToLong()) {
            return done(
                    Answer.error(HttpResponseStatus.BAD_REQUEST, "bad_request", "expectedVersion must be a number"));
        }
        String toCell = to.asText();
        return store.placement(customer)
                .thenCombine(store.cells(), (placement, cells) -> {
                    if (placement.isEmpty()) {
                        throw new Refusal(Answer.error(
                                HttpResponseStatus.NOT_FOUND, "not_found", "customer " + customer + " is not placed"));
                    }
                    Cell target = cells.stream()
                            .filter(c -> c.name().equals(toCell))
                            .findFirst()
                            .orElseThrow(() -> new Refusal(Answer.error(
                                    HttpResponseStatus.NOT_FOUND, "not_found", "cell " + toCell + " does not exist")));
                    if (target.state() != CellState.ACTIVE) {
                        throw new Refusal(Answer.error(
                                HttpResponseStatus.UNPROCESSABLE_ENTITY,
                                "cell_not_active",
                                "cell " + toCell + " is " + target.state().wireName() + ", not active"));
                    }
                    long current = placement.get().version();
                    if (expected != null && expected.asLong() != current) {
                        throw new Refusal(Answer.error(
                                HttpResponseStatus.CONFLICT,
                                "version_conflict",
                                "expected version " + expected.asLong() + " but the placement is at " + current));
                    }
                    return placement.get();
                })
                .thenCompose(before -> store.putPlacement(customer, toCell, before.version())
                        .thenApply(after -> {
                            resolver.invalidate(customer);
                            AUDIT.info(
                                    "{\"time\":\"{}\",\"who\":\"{}\",\"what\":\"move\",\"customer\":\"{}\",\"before\":{\"cell\":\"{}\",\"version\":{}},\"after\":{\"cell\":\"{}\",\"version\":{}}}",
                                    clock.instant(),
                                    who,
                                    customer,
                                    before.cell(),
                                    before.version(),
                                    after.cell(),
                                    after.version());
                            return new Answer(
                                    HttpResponseStatus.OK,
                                    JSON.createObjectNode()
                                            .put("customer", customer)
                                            .put("fromCell", before.cell())
                                            .put("toCell", after.cell())
                                            .put("version", after.version()));
                        }))
                .exceptionally(CustomerEndpoints::refusal);
    }

    private static Answer refusal(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof Refusal r) {
            return r.answer;
        }
        if (cause instanceof VersionConflictException) {
            return Answer.error(HttpResponseStatus.CONFLICT, "version_conflict", cause.getMessage());
        }
        if (cause instanceof io.cellrouter.registry.store.NotFoundException) {
            return Answer.error(HttpResponseStatus.NOT_FOUND, "not_found", cause.getMessage());
        }
        return Answer.error(
                HttpResponseStatus.SERVICE_UNAVAILABLE, "registry_unavailable", String.valueOf(cause.getMessage()));
    }

    private Optional<Override> activeOverride(List<Override> overrides, String customer) {
        return overrides.stream()
                .filter(o -> o.customer().equals(customer) && o.isActiveAt(clock.instant()))
                .findFirst();
    }

    private static ObjectNode overrideJson(Override o) {
        ObjectNode node = JSON.createObjectNode();
        if (o.freeze()) {
            node.put("freeze", true);
        } else {
            node.put("cell", o.cell());
        }
        node.put("expiresAt", o.expiresAt().toString());
        if (o.reason() != null) {
            node.put("reason", o.reason());
        }
        return node;
    }

    private static CompletableFuture<Answer> done(Answer answer) {
        return CompletableFuture.completedFuture(answer);
    }

    /** A refusal decided while validating; carried through the future chain as a value. */
    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Answer answer;

        Refusal(Answer answer) {
            super(answer.body().path("message").asText(), null, false, false);
            this.answer = answer;
        }
    }
}
