package io.cellrouter.router.admin;

import io.cellrouter.registry.cache.Resolver;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.router.config.AdminConfig;
import io.cellrouter.router.config.AdminToken;
import io.cellrouter.router.metrics.LiveStats;
import io.cellrouter.router.metrics.RouterMetrics;
import io.cellrouter.router.transport.ShutdownInputOnClose;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.ToIntFunction;

/**
 * The admin listener's pipeline: a bound on open connections ({@link AdminConnectionLimit}, shared),
 * idle and whole-request deadlines ({@link AdminRequestDeadline}, which also admits the connection),
 * a read timeout as a backstop, the token and the body checked on the request head ({@link
 * AdminGate}), small aggregated requests, {@link AdminHandler}.
 */
public final class AdminChannelInitializer extends ChannelInitializer<Channel> {

    /** Admin bodies are small JSON documents. */
    static final int MAX_BODY = 64 * 1024;

    private final AdminRoutes routes;
    private final AdminAuth auth;
    private final ConsoleAssets console = ConsoleAssets.fromJar();
    private final RouterMetrics metrics;
    private final Readiness readiness;
    private final AdminConnectionLimit connectionLimit;
    private final Duration requestTimeout;
    /** Counts a 401 ({@code cellrouter_admin_unauthorized_total}). */
    private final Runnable unauthorized;

    /** One operator token (null: none, loopback only); no live traffic figures. */
    public AdminChannelInitializer(
            Resolver resolver,
            RegistryStore store,
            RouterMetrics metrics,
            BooleanSupplier ready,
            String token,
            Clock clock) {
        this(
                resolver,
                store,
                metrics,
                ready,
                token == null ? List.of() : List.of(new AdminToken(token, AdminToken.Role.OPERATOR)),
                clock,
                new LiveStats(clock::millis),
                cell -> 0,
                AdminConfig.DEFAULT_MAX_CONNECTIONS,
                AdminConfig.DEFAULT_REQUEST_TIMEOUT);
    }

    /**
     * {@code store} may be null: then only the read-only endpoints exist. {@code tokens}: every
     * accepted bearer token with its role (empty: no token needed, loopback only). {@code live} and
     * {@code inFlight}: this instance's traffic per cell, for {@code /admin/v1/stats}. {@code
     * maxConnections} and {@code requestTimeout}: README, Admin API and migrations, "Limits of the
     * admin listener".
     */
    public AdminChannelInitializer(
            Resolver resolver,
            RegistryStore store,
            RouterMetrics metrics,
            BooleanSupplier ready,
            List<AdminToken> tokens,
            Clock clock,
            LiveStats live,
            ToIntFunction<String> inFlight,
            int maxConnections,
            Duration requestTimeout) {
        this.routes = new AdminRoutes(
                resolver,
                store == null ? null : AdminApi.create(store, resolver, clock, metrics.admin()::write),
                new StatsEndpoint(live, inFlight, resolver));
        this.auth = new AdminAuth(tokens);
        this.metrics = metrics;
        this.readiness = new Readiness(ready, resolver, store);
        this.connectionLimit = new AdminConnectionLimit(
                maxConnections,
                metrics.admin().connectionsRefused()::increment,
                metrics.admin().connectionsEvicted()::increment);
        this.unauthorized = metrics.admin().unauthorized()::increment;
        this.requestTimeout = requestTimeout;
    }

    @Override
    protected void initChannel(Channel ch) {
        ShutdownInputOnClose.install(ch);
        AdminRequestDeadline deadline = new AdminRequestDeadline(requestTimeout, connectionLimit);
        ch.pipeline()
                .addLast("connection-limit-and-deadlines", deadline)
                // A backstop only: AdminRequestDeadline bounds idleness and requests more tightly.
                .addLast("read-timeout", new ReadTimeoutHandler(60))
                .addLast("http1-codec", new HttpServerCodec())
                .addLast("token-on-head", new AdminGate(auth, deadline, unauthorized))
                .addLast("aggregate", new AdminBodyLimit())
                .addLast("admin", new AdminHandler(routes, auth, console, metrics, readiness, unauthorized));
    }
}
