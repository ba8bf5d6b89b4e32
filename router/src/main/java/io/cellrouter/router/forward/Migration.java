package io.cellrouter.router.forward;

import io.cellrouter.router.admission.Bulkheads;
import io.cellrouter.router.config.RouterConfig;
import io.cellrouter.router.metrics.MigrationMetrics;
import io.cellrouter.router.routing.RequestRouter;

/**
 * Migration safety on the request path, shared by every exchange of the router: {@link
 * MisrouteCorrection} (a cell's 421) and {@link ShadowSender} (shadow traffic). Immutable.
 */
public record Migration(MisrouteCorrection misroutes, ShadowSender shadows) {

    /** The router's: meters on {@code recorder}'s registry, limits from {@code config}. */
    static Migration create(
            RequestRouter router,
            UpstreamPool pool,
            ExchangeRecorder recorder,
            RouterConfig.Proxy config,
            DrainState drain,
            Bulkheads bulkheads) {
        MigrationMetrics metrics = new MigrationMetrics(recorder.metrics().registry());
        return new Migration(
                new MisrouteCorrection(router, metrics),
                new ShadowSender(
                        router,
                        pool,
                        bulkheads,
                        metrics,
                        drain,
                        config.upstream().responseTimeout(),
                        config.limits().maxConcurrentPerCell()));
    }
}
