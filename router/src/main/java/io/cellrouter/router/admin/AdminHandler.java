package io.cellrouter.router.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellrouter.registry.cache.Resolution;
import io.cellrouter.registry.cache.Resolver;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.error.ErrorResponses;
import io.cellrouter.router.metrics.RouterMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener's endpoints (SPEC section 6): {@code /healthz}, {@code /readyz} and
 * {@code /metrics} are open; {@code /admin/v1/*} needs the bearer token, compared in constant
 * time. Requests are small and aggregated; nothing here is on the request path of customers.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "/admin/v1/";
    private static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";

    private final Resolver resolver;
    private final AdminApi api;
    private final RouterMetrics metrics;
    private final Readiness readiness;
    private final byte[] token;

    AdminHandler(Resolver resolver, AdminApi api, RouterMetrics metrics, Readiness readiness, String token) {
        this.resolver = resolver;
        this.api = api;
        this.metrics = metrics;
        this.readiness = readiness;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            send(ctx, error(HttpResponseStatus.BAD_REQUEST, "malformed_request", "malformed request"), false);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        HttpMethod method = request.method();
        try {
            if (path.equals("/healthz")) {
                send(ctx, json(HttpResponseStatus.OK, JSON.createObjectNode().put("status", "ok")), keepAlive);
            } else if (path.equals("/readyz")) {
                boolean isReady = readiness.ready();
                send(
                        ctx,
                        json(
                                isReady ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                                readiness.body(isReady)),
                        keepAlive);
            } else if (path.equals("/metrics")) {
                send(ctx, text(metrics.scrape()), keepAlive);
            } else if (path.startsWith(PREFIX)) {
                if (!authorized(request)) {
                    FullHttpResponse denied = error(
                            HttpResponseStatus.UNAUTHORIZED, "unauthorized", "a valid admin bearer token is required");
                    denied.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
                    send(ctx, denied, keepAlive);
                    return;
                }
                admin(ctx, request, path.substring(PREFIX.length()), keepAlive);
            } else {
                send(ctx, error(HttpResponseStatus.NOT_FOUND, "not_found", "no such endpoint"), keepAlive);
            }
        } catch (RuntimeException e) {
            LOG.warn("{} admin request {} {} failed", ctx.channel(), method, path, e);
            send(ctx, error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal", "internal error"), false);
        }
    }

    private void admin(ChannelHandlerContext ctx, FullHttpRequest request, String rest, boolean keepAlive) {
        HttpMethod method = request.method();
        String[] parts = rest.split("/", -1);
        String collection = parts[0];
        boolean named = parts.length >= 2 && Cell.NAME.matcher(parts[1]).matches();
        if (parts.length == 1 && collection.equals("cells")) {
            if (!HttpMethod.GET.equals(method)) {
                send(ctx, methodNotAllowed("GET"), keepAlive);
                return;
            }
            send(ctx, json(HttpResponseStatus.OK, cells()), keepAlive);
        } else if (parts.length == 2 && collection.equals("resolve") && named) {
            if (!HttpMethod.GET.equals(method)) {
                send(ctx, methodNotAllowed("GET"), keepAlive);
                return;
            }
            String customer = parts[1];
            resolver.resolve(customer, null)
                    .whenComplete((r, e) -> ctx.executor().execute(() -> {
                        if (e != null) {
                            send(ctx, error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal", e.toString()), false);
                        } else {
                            ObjectNode body = resolution(customer, r);
                            if (r.source() == Resolution.Source.CACHE && r.cacheAge() == null) {
                                // A hit carries no age (its path allocates nothing): ask the cache.
                                resolver.cacheAge(customer)
                                        .ifPresent(age -> body.put("cacheAgeMillis", age.toMillis()));
                            }
                            send(ctx, json(HttpResponseStatus.OK, body), keepAlive);
                        }
                    }));
        } else if (api != null && named && (parts.length == 2 || (parts.length == 3 && parts[2].equals("move")))) {
            endpoint(ctx, request, parts, keepAlive);
        } else if (parts.length == 2
                && !named
                && (collection.equals("cells")
                        || collection.equals("customers")
                        || collection.equals("overrides")
                        || collection.equals("resolve"))) {
            send(
                    ctx,
                    error(HttpResponseStatus.BAD_REQUEST, "bad_request", "name must match " + Cell.NAME.pattern()),
                    keepAlive);
        } else {
            send(ctx, error(HttpResponseStatus.NOT_FOUND, "not_found", "no such admin endpoint"), keepAlive);
        }
    }

    /** The registry endpoints: reads answer directly, writes go through {@link AdminWrites}. */
    private void endpoint(ChannelHandlerContext ctx, FullHttpRequest request, String[] parts, boolean keepAlive) {
        HttpMethod method = request.method();
        String name = parts[1];
        String route = parts[0] + (parts.length == 3 ? "/move" : "") + " " + method;
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        String body = request.content().toString(StandardCharsets.UTF_8);
        Supplier<CompletableFuture<Answer>> write;
        boolean dryRun = false;
        switch (route) {
            case "customers GET" -> {
                reply(ctx, api.customers().get(name), false, keepAlive);
                return;
            }
            case "customers PUT" -> write = () -> api.customers().place(name, body);
            case "customers/move POST" -> {
                List<String> dry = query.parameters().getOrDefault("dryRun", List.of("false"));
                if (dry.size() != 1 || !(dry.get(0).equals("true") || dry.get(0).equals("false"))) {
                    send(
                            ctx,
                            error(HttpResponseStatus.BAD_REQUEST, "bad_request", "dryRun must be true or false"),
                            keepAlive);
                    return;
                }
                dryRun = dry.get(0).equals("true");
                boolean dry0 = dryRun;
                write = () -> api.moves().move(name, body, dry0);
            }
            case "cells PUT" -> write = () -> api.cells().put(name, body);
            case "overrides PUT" -> write = () -> api.overrides().put(name, body);
            case "overrides DELETE" -> write = () -> api.overrides().delete(name);
            default -> {
                send(
                        ctx,
                        error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "not allowed here"),
                        keepAlive);
                return;
            }
        }
        for (String parameter : query.parameters().keySet()) {
            if (!parameter.equals("dryRun") || !route.equals("customers/move POST")) {
                send(
                        ctx,
                        error(
                                HttpResponseStatus.BAD_REQUEST,
                                "bad_request",
                                "unknown query parameter '" + parameter + "'"),
                        keepAlive);
                return;
            }
        }
        String key = request.headers().get(IDEMPOTENCY_KEY);
        if (key != null && !Idempotency.valid(key)) {
            send(
                    ctx,
                    error(
                            HttpResponseStatus.BAD_REQUEST,
                            "bad_request",
                            "Idempotency-Key must be 1 to 255 visible ASCII characters"),
                    keepAlive);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        Idempotency.Result result = api.writes().run(actor(request), method.name(), path, key, body, dryRun, write);
        reply(ctx, result.answer(), result.replayed(), keepAlive);
    }

    private void reply(
            ChannelHandlerContext ctx, CompletableFuture<Answer> answer, boolean replayed, boolean keepAlive) {
        answer.whenComplete((a, e) -> ctx.executor().execute(() -> {
            if (e != null) {
                LOG.warn("{} admin request failed", ctx.channel(), e);
                send(ctx, error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal", "internal error"), false);
                return;
            }
            FullHttpResponse response = json(a.status(), a.body());
            if (replayed) {
                response.headers().set(IDEMPOTENT_REPLAYED, "true");
            }
            send(ctx, response, keepAlive);
        }));
    }

    /** Who is asking, for the audit log: a label of the presented token, never the token. */
    private String actor(FullHttpRequest request) {
        if (token == null) {
            return Actor.LOOPBACK;
        }
        return Actor.of(request.headers()
                .get(HttpHeaderNames.AUTHORIZATION)
                .substring(7)
                .trim());
    }

    private ObjectNode cells() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode array = root.putArray("cells");
        resolver.cells().stream().sorted(Comparator.comparing(Cell::name)).forEach(cell -> array.add(Views.cell(cell)));
        return root;
    }

    private static ObjectNode resolution(String customer, Resolution r) {
        ObjectNode node = JSON.createObjectNode()
                .put("customer", customer)
                .put("outcome", r.outcome().name().toLowerCase(java.util.Locale.ROOT))
                .put("source", r.source().name().toLowerCase(java.util.Locale.ROOT));
        node.put("cell", r.cell() == null ? null : r.cell().name());
        if (r.cacheAge() != null) {
            node.put("cacheAgeMillis", r.cacheAge().toMillis());
        }
        if (r.retryAfter() != null) {
            node.put("retryAfterSeconds", r.retryAfter().toSeconds());
        }
        return node;
    }

    private boolean authorized(FullHttpRequest request) {
        if (token == null) {
            return true; // only possible on a loopback listener (ConfigLoader enforces it)
        }
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] presented = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(presented, token);
    }

    private static FullHttpResponse methodNotAllowed(String allow) {
        FullHttpResponse r = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "use " + allow);
        r.headers().set(HttpHeaderNames.ALLOW, allow);
        return r;
    }

    static FullHttpResponse error(HttpResponseStatus status, String code, String message) {
        return response(status, ErrorResponses.json(code, message), HttpHeaderValues.APPLICATION_JSON.toString());
    }

    private static FullHttpResponse json(HttpResponseStatus status, Object body) {
        try {
            return response(status, JSON.writeValueAsString(body), HttpHeaderValues.APPLICATION_JSON.toString());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static FullHttpResponse text(String body) {
        return response(HttpResponseStatus.OK, body, "text/plain; version=0.0.4; charset=utf-8");
    }

    private static FullHttpResponse response(HttpResponseStatus status, String body, String contentType) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ByteBuf content = io.netty.buffer.Unpooled.wrappedBuffer(bytes);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return response;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(response);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("{} admin connection failed", ctx.channel(), cause);
        ctx.close();
    }
}
