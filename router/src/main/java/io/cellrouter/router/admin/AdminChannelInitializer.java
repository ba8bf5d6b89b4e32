package io.cellrouter.router.admin;

import io.cellrouter.registry.cache.Resolver;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.router.metrics.RouterMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.time.Clock;
import java.util.function.BooleanSupplier;

/** The admin listener's pipeline: small aggregated requests, a read timeout, {@link AdminHandler}. */
public final class AdminChannelInitializer extends ChannelInitializer<Channel> {

    /** Admin bodies are small JSON documents. */
    static final int MAX_BODY = 64 * 1024;

    private final Resolver resolver;
    private final AdminApi api;
    private final RouterMetrics metrics;
    private final Readiness readiness;
    private final String token;

    /** {@code store} may be null: then only the read-only endpoints exist. */
    public AdminChannelInitializer(
            Resolver resolver,
            RegistryStore store,
            RouterMetrics metrics,
            BooleanSupplier ready,
            String token,
            Clock clock) {
        this.resolver = resolver;
        this.api = store == null ? null : AdminApi.create(store, resolver, clock);
        this.metrics = metrics;
        this.readiness = new Readiness(ready, resolver, store);
        this.token = token;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline()
                .addLast("read-timeout", new ReadTimeoutHandler(60))
                .addLast("http1-codec", new HttpServerCodec())
                .addLast("aggregate", new HttpObjectAggregator(MAX_BODY))
                .addLast("admin", new AdminHandler(resolver, api, metrics, readiness, token));
    }
}
