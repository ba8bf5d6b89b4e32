package io.cellrouter.router.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellrouter.registry.cache.Resolution;
import io.cellrouter.registry.cache.Resolver;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.admin.AdminAuth.Caller;
import io.cellrouter.router.error.ErrorCode;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Which endpoint answers a request under {@code /admin/v1/}, once the caller is known:
 *
 * <pre>
 *  whoami                 GET                       the caller's role
 *  stats                  GET                       this instance's live traffic per cell
 *  cells                  GET                       this instance's view of the cells
 *  cells/{cell}           GET | PUT | PATCH         one cell with its customer count; replace; change fields
 *  customers              GET                       placements, paged (?cell, prefix, limit, cursor)
 *  customers/{id}         GET | PUT                 placement and override; place
 *  customers/{id}/move    POST [?dryRun=true]       move (with an optional freeze)
 *  customers/{id}/shadow  PUT | DELETE              start or stop shadow traffic to another cell
 *  overrides              GET                       every active override
 *  overrides/{id}         PUT | DELETE              set or remove an override
 *  resolve/{id}           GET                       this instance's routing decision
 * </pre>
 *
 * <p>A viewer may only GET: anything else is 403 {@code forbidden}, audited as a refused write.
 * Requests a browser sends for another site's page are 403 too ({@link BrowserGuard}).
 * Writes go through {@link AdminWrites} (idempotency keys, audit). Answers are futures; the handler
 * hops back to its event loop before it writes them.
 */
final class AdminRoutes {

    /**
     * An answer, whether it is an idempotent replay, the {@code Allow} header of a 405, and whether
     * {@link AdminWrites} has dealt with its audit line already.
     */
    record Reply(Answer answer, boolean replayed, String allow, boolean audited) {

        Reply(Answer answer, boolean replayed, String allow) {
            this(answer, replayed, allow, false);
        }

        static CompletableFuture<Reply> of(Answer answer) {
            return CompletableFuture.completedFuture(new Reply(answer, false, null));
        }
    }

    private static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final String PREFIX = "/admin/v1/";

    /** The methods each named resource takes: a 405's {@code Allow}. */
    private static final Map<String, String> ALLOWED = Map.of(
            "customers", "GET, HEAD, PUT",
            "cells", "GET, HEAD, PUT, PATCH",
            "customers/move", "POST",
            "customers/shadow", "PUT, DELETE",
            "overrides", "PUT, DELETE");

    private final Resolver resolver;
    private final AdminApi api;
    private final StatsEndpoint stats;

    /** {@code api} may be null: then only this instance's read-only endpoints exist. */
    AdminRoutes(Resolver resolver, AdminApi api, StatsEndpoint stats) {
        this.resolver = resolver;
        this.api = api;
        this.stats = stats;
    }

    /**
     * The reply to a request from {@code caller} for {@code path} (under {@code /admin/v1/}; as
     * sent when {@code malformed} says why it or the query cannot be decoded: then 400). Any method
     * but GET and HEAD is a write attempt: refused before it reaches {@link AdminWrites} (a viewer,
     * another site's page, a bad parameter or escape, a method the path does not take), it is
     * audited here.
     */
    CompletableFuture<Reply> route(FullHttpRequest request, String path, Caller caller, String malformed) {
        boolean write = !reads(request.method());
        String refusal = BrowserGuard.refusal(request, Actor.LOOPBACK.equals(caller.who()));
        CompletableFuture<Reply> reply;
        if (refusal != null) {
            reply = Reply.of(Answer.error(ErrorCode.FORBIDDEN, refusal));
        } else if (write && !caller.mayWrite()) {
            reply = Reply.of(Answer.error(
                    ErrorCode.FORBIDDEN,
                    "this token has the " + caller.role().wireName() + " role: it may only read (GET)"));
        } else if (malformed != null) {
            reply = Reply.of(Answer.error(ErrorCode.BAD_REQUEST, malformed));
        } else {
            reply = dispatch(request, path.substring(PREFIX.length()), caller);
        }
        if (!write || api == null) {
            return reply;
        }
        return reply.thenApply(r -> {
            if (!r.audited()) {
                api.writes()
                        .audit(
                                caller.who(),
                                request.method().name(),
                                path,
                                request.headers().get(IDEMPOTENCY_KEY),
                                WriteActions.describe(
                                        r.answer(),
                                        request.method().name(),
                                        path.substring(PREFIX.length()),
                                        request.uri()));
            }
            return r;
        });
    }

    private CompletableFuture<Reply> dispatch(FullHttpRequest request, String rest, Caller caller) {
        HttpMethod method = request.method();
        String[] parts = rest.split("/", -1);
        String collection = parts[0];
        boolean named = parts.length >= 2 && Cell.NAME.matcher(parts[1]).matches();
        if (parts.length == 1 && List.of("whoami", "stats", "cells").contains(collection)) {
            if (!reads(method)) {
                return methodNotAllowed("GET, HEAD");
            }
            return Reply.of(
                    switch (collection) {
                        case "whoami" -> whoami(caller);
                        case "stats" -> stats.stats();
                        default -> Answer.of(HttpResponseStatus.OK, cells());
                    });
        }
        if (api != null
                && parts.length == 1
                && List.of("customers", "overrides").contains(collection)) {
            if (!reads(method)) {
                return methodNotAllowed("GET, HEAD");
            }
            QueryStringDecoder query = new QueryStringDecoder(request.uri());
            if (collection.equals("overrides") && !query.parameters().isEmpty()) {
                return Reply.of(Answer.error(ErrorCode.BAD_REQUEST, "GET /admin/v1/overrides takes no parameters"));
            }
            return reply(
                    collection.equals("customers")
                            ? api.listings().customers(query)
                            : api.listings().overrides());
        }
        if (parts.length == 2 && collection.equals("resolve") && named) {
            if (!reads(method)) {
                return methodNotAllowed("GET, HEAD");
            }
            return resolve(parts[1]);
        }
        if (api != null
                && named
                && (parts.length == 2
                        || (parts.length == 3 && List.of("move", "shadow").contains(parts[2])))) {
            return endpoint(request, parts, caller);
        }
        if (parts.length == 2
                && !named
                && List.of("cells", "customers", "overrides", "resolve").contains(collection)) {
            return Reply.of(Answer.error(ErrorCode.BAD_REQUEST, "name must match " + Cell.NAME.pattern()));
        }
        return Reply.of(Answer.error(ErrorCode.NOT_FOUND, "no such admin endpoint"));
    }

    /** The registry endpoints of one name: reads answer directly, writes go through {@link AdminWrites}. */
    private CompletableFuture<Reply> endpoint(FullHttpRequest request, String[] parts, Caller caller) {
        HttpMethod method = request.method();
        String name = parts[1];
        String resource = parts[0] + (parts.length == 3 ? "/" + parts[2] : "");
        String route = resource + " " + (HttpMethod.HEAD.equals(method) ? HttpMethod.GET : method);
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        String body = request.content().toString(StandardCharsets.UTF_8);
        Supplier<CompletableFuture<Answer>> write;
        boolean dryRun = false;
        switch (route) {
            case "customers GET" -> {
                return reply(api.customers().get(name));
            }
            case "cells GET" -> {
                return reply(api.listings().cell(name));
            }
            case "customers PUT" -> write = () -> api.customers().place(name, body);
            case "customers/move POST" -> {
                List<String> dry = query.parameters().getOrDefault("dryRun", List.of("false"));
                if (dry.size() != 1 || !(dry.get(0).equals("true") || dry.get(0).equals("false"))) {
                    return Reply.of(Answer.error(ErrorCode.BAD_REQUEST, "dryRun must be true or false"));
                }
                dryRun = dry.get(0).equals("true");
                boolean dry0 = dryRun;
                write = () -> api.moves().move(name, body, dry0);
            }
            case "cells PUT" -> write = () -> api.cells().put(name, body);
            case "cells PATCH" -> write = () -> api.cells().patch(name, body);
            case "customers/shadow PUT" -> write = () -> api.shadows().put(name, body);
            case "customers/shadow DELETE" -> write = () -> api.shadows().delete(name);
            case "overrides PUT" -> write = () -> api.overrides().put(name, body);
            case "overrides DELETE" -> write = () -> api.overrides().delete(name);
            default -> {
                String allow = ALLOWED.get(resource);
                return allow == null
                        ? Reply.of(Answer.error(ErrorCode.NOT_FOUND, "no such admin endpoint"))
                        : methodNotAllowed(allow);
            }
        }
        for (String parameter : query.parameters().keySet()) {
            if (!parameter.equals("dryRun") || !route.equals("customers/move POST")) {
                return Reply.of(Answer.error(ErrorCode.BAD_REQUEST, "unknown query parameter '" + parameter + "'"));
            }
        }
        String key = request.headers().get(IDEMPOTENCY_KEY);
        if (key != null && !Idempotency.valid(key)) {
            return Reply.of(
                    Answer.error(ErrorCode.BAD_REQUEST, "Idempotency-Key must be 1 to 255 visible ASCII characters"));
        }
        String path = query.path();
        Idempotency.Result result = api.writes().run(caller.who(), method.name(), path, key, body, dryRun, write);
        return result.answer().thenApply(answer -> new Reply(answer, result.replayed(), null, true));
    }

    private CompletableFuture<Reply> resolve(String customer) {
        return resolver.resolve(customer, null).handle((r, e) -> {
            if (e != null) {
                return new Reply(Answer.error(ErrorCode.INTERNAL, e.toString()), false, null);
            }
            ObjectNode body = resolution(customer, r);
            if (r.source() == Resolution.Source.CACHE && r.cacheAge() == null) {
                // A hit carries no age (its path allocates nothing): ask the cache.
                resolver.cacheAge(customer).ifPresent(age -> body.put("cacheAgeMillis", age.toMillis()));
            }
            return new Reply(Answer.of(HttpResponseStatus.OK, body), false, null);
        });
    }

    private static Answer whoami(Caller caller) {
        return Answer.of(
                HttpResponseStatus.OK,
                JsonBody.JSON
                        .createObjectNode()
                        .put("who", caller.who())
                        .put("role", caller.role().wireName()));
    }

    private ObjectNode cells() {
        ObjectNode root = JsonBody.JSON.createObjectNode();
        ArrayNode array = root.putArray("cells");
        resolver.cells().stream().sorted(Comparator.comparing(Cell::name)).forEach(cell -> array.add(Views.cell(cell)));
        return root;
    }

    private static ObjectNode resolution(String customer, Resolution r) {
        ObjectNode node = JsonBody.JSON
                .createObjectNode()
                .put("customer", customer)
                .put("outcome", r.outcome().name().toLowerCase(Locale.ROOT))
                .put("source", r.source().name().toLowerCase(Locale.ROOT));
        node.put("cell", r.cell() == null ? null : r.cell().name());
        if (r.cacheAge() != null) {
            node.put("cacheAgeMillis", r.cacheAge().toMillis());
        }
        if (r.retryAfter() != null) {
            node.put("retryAfterSeconds", r.retryAfter().toSeconds());
        }
        return node;
    }

    private static CompletableFuture<Reply> reply(CompletableFuture<Answer> answer) {
        return answer.thenApply(a -> new Reply(a, false, null));
    }

    /** GET, and HEAD (the same answer without its body: the codec leaves the body out). */
    private static boolean reads(HttpMethod method) {
        return HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method);
    }

    private static CompletableFuture<Reply> methodNotAllowed(String allow) {
        return CompletableFuture.completedFuture(
                new Reply(Answer.error(ErrorCode.METHOD_NOT_ALLOWED, "use " + allow), false, allow));
    }
}
