package io.cellrouter.router.forward;

import io.cellrouter.router.admission.Bulkheads;
import io.cellrouter.router.admission.OverloadGuard;
import io.cellrouter.router.config.RouterConfig;
import io.cellrouter.router.routing.RequestRouter;

/** What every downstream connection of one listener shares. Immutable; the parts are thread-safe. */
public record ProxyContext(
        RequestRouter router,
        UpstreamPool pool,
        ExchangeRecorder recorder,
        RouterConfig.Proxy config,
        DrainState drain,
        String scheme,
        Bulkheads bulkheads,
        OverloadGuard overload,
        CustomerExchanges exchanges,
        Migration migration) {

    /** A context whose misroute correction and shadow traffic are built from its parts. */
    public ProxyContext(
            RequestRouter router,
            UpstreamPool pool,
            ExchangeRecorder recorder,
            RouterConfig.Proxy config,
            DrainState drain,
            String scheme,
            Bulkheads bulkheads,
            OverloadGuard overload,
            CustomerExchanges exchanges) {
        this(
                router,
                pool,
                recorder,
                config,
                drain,
                scheme,
                bulkheads,
                overload,
                exchanges,
                Migration.create(router, pool, recorder, config, drain, bulkheads));
    }

    /** A context whose exchanges are tracked in a registry of their own (handler tests). */
    public ProxyContext(
            RequestRouter router,
            UpstreamPool pool,
            ExchangeRecorder recorder,
            RouterConfig.Proxy config,
            DrainState drain,
            String scheme,
            Bulkheads bulkheads,
            OverloadGuard overload) {
        this(router, pool, recorder, config, drain, scheme, bulkheads, overload, new CustomerExchanges());
    }

    /** The same context for another listener (e.g. TLS, with scheme https). */
    public ProxyContext withScheme(String otherScheme) {
        return new ProxyContext(
                router, pool, recorder, config, drain, otherScheme, bulkheads, overload, exchanges, migration);
    }
}
