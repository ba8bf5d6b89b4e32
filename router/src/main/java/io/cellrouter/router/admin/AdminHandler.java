package io.cellrouter.router.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.ErrorResponses;
import io.cellrouter.router.metrics.RouterMetrics;
import io.netty.buffer.ByteBuf;
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
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener's endpoints (README "Admin API and migrations"): {@code /healthz}, {@code
 * /readyz} and {@code /metrics} are open, and so are the console's files ({@link ConsoleAssets});
 * {@code /admin/v1/*} needs a bearer token ({@link AdminAuth}) and is routed by {@link
 * AdminRoutes}. Requests are small and aggregated; nothing here is on the request path of customers.
 * A malformed percent-escape in the path or query is a 400 (README: Admin API and migrations).
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "/admin/v1/";
    private static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";
    static final String MALFORMED_PATH = "malformed percent-escape in the path (an encoded '/' is refused too)";

    private final AdminRoutes routes;
    private final AdminAuth auth;
    private final ConsoleAssets console;
    private final RouterMetrics metrics;
    private final Readiness readiness;
    /** Counts a 401 ({@code cellrouter_admin_unauthorized_total}). */
    private final Runnable unauthorized;

    AdminHandler(
            AdminRoutes routes,
            AdminAuth auth,
            ConsoleAssets console,
            RouterMetrics metrics,
            Readiness readiness,
            Runnable unauthorized) {
        this.routes = routes;
        this.auth = auth;
        this.console = console;
        this.metrics = metrics;
        this.readiness = readiness;
        this.unauthorized = unauthorized;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            send(ctx, error(ErrorCode.MALFORMED_REQUEST, "malformed request"), false);
            return;
        }
        String decoded = decodedPath(request.uri());
        String path = decoded == null ? rawPath(request.uri()) : decoded;
        HttpMethod method = request.method();
        try {
            if (decoded == null && !path.startsWith(PREFIX)) {
                send(ctx, error(ErrorCode.BAD_REQUEST, MALFORMED_PATH), keepAlive);
            } else if (path.equals("/healthz")) {
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
                AdminAuth.Caller caller = auth.caller(request);
                if (caller == null) {
                    this.unauthorized.run();
                    send(ctx, unauthorized(), keepAlive);
                    return;
                }
                String malformed = decoded == null ? MALFORMED_PATH : queryProblem(request.uri());
                reply(ctx, routes.route(request, path, caller, malformed), keepAlive);
            } else if (console.serves(path)) {
                if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
                    send(ctx, methodNotAllowed("GET, HEAD"), keepAlive);
                    return;
                }
                send(ctx, console.response(path), keepAlive);
            } else {
                send(ctx, error(ErrorCode.NOT_FOUND, "no such endpoint"), keepAlive);
            }
        } catch (RuntimeException e) {
            LOG.warn("{} admin request {} {} failed", ctx.channel(), method, path, e);
            send(ctx, error(ErrorCode.INTERNAL, "internal error"), false);
        }
    }

    private void reply(ChannelHandlerContext ctx, CompletableFuture<AdminRoutes.Reply> reply, boolean keepAlive) {
        reply.whenComplete((r, e) -> ctx.executor().execute(() -> {
            if (e != null) {
                LOG.warn("{} admin request failed", ctx.channel(), e);
                send(ctx, error(ErrorCode.INTERNAL, "internal error"), false);
                return;
            }
            FullHttpResponse response = json(r.answer().status(), r.answer().body());
            if (r.replayed()) {
                response.headers().set(IDEMPOTENT_REPLAYED, "true");
            }
            if (r.allow() != null) {
                response.headers().set(HttpHeaderNames.ALLOW, r.allow());
            }
            send(ctx, response, keepAlive);
        }));
    }

    /** 401 {@code unauthorized} with {@code WWW-Authenticate: Bearer}: a missing or invalid token. */
    static FullHttpResponse unauthorized() {
        FullHttpResponse denied = error(ErrorCode.UNAUTHORIZED, "a valid admin bearer token is required");
        denied.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        return denied;
    }

    /** Whether a request to {@code uri} needs a token: its path (decoded, or raw if it cannot be) is {@code /admin/v1/*}. */
    static boolean needsToken(String uri) {
        String decoded = decodedPath(uri);
        return (decoded == null ? rawPath(uri) : decoded).startsWith(PREFIX);
    }

    /** Whether a percent-escape in the path of {@code uri} is malformed. */
    static boolean malformedPath(String uri) {
        return decodedPath(uri) == null;
    }

    /**
     * The path of {@code uri}, percent-decoded; null when a percent-escape in it is malformed, or
     * is an encoded {@code /}: decoded, it would split a name into two segments and reach another
     * endpoint ({@code /customers/acme%2Fmove} the move), past any rule that filters paths as sent.
     */
    private static String decodedPath(String uri) {
        if (rawPath(uri).toLowerCase(java.util.Locale.ROOT).contains("%2f")) {
            return null;
        }
        try {
            return new QueryStringDecoder(uri).path();
        } catch (IllegalArgumentException malformed) {
            return null;
        }
    }

    /** The path of {@code uri} as sent, without its query or fragment. */
    private static String rawPath(String uri) {
        int end = uri.length();
        for (char c : new char[] {'?', '#'}) {
            int at = uri.indexOf(c);
            end = at >= 0 ? Math.min(end, at) : end;
        }
        return uri.substring(0, end);
    }

    /** Why the query of {@code uri} cannot be decoded, or null. */
    private static String queryProblem(String uri) {
        try {
            new QueryStringDecoder(uri).parameters();
            return null;
        } catch (IllegalArgumentException malformed) {
            return "malformed percent-escape in the query";
        }
    }

    private static FullHttpResponse methodNotAllowed(String allow) {
        FullHttpResponse r = error(ErrorCode.METHOD_NOT_ALLOWED, "use " + allow);
        r.headers().set(HttpHeaderNames.ALLOW, allow);
        return r;
    }

    static FullHttpResponse error(ErrorCode code, String message) {
        return response(
                code.status(), ErrorResponses.json(code.code(), message), HttpHeaderValues.APPLICATION_JSON.toString());
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
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set("X-Content-Type-Options", "nosniff");
        return response;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (!keepAlive) {
            // The gate, on the way out, closes the connection after it (AdminGate#write).
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.writeAndFlush(response);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("{} admin connection failed", ctx.channel(), cause);
        ctx.close();
    }
}
