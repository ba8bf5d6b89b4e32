package io.cellrouter.router.forward;

import io.cellrouter.router.config.RouterConfig;
import io.cellrouter.router.routing.RequestRouter;

/** What every downstream connection of one listener shares. Immutable; the parts are thread-safe. */
public record ProxyContext(
        RequestRouter router,
        UpstreamPool pool,
        ExchangeRecorder recorder,
        RouterConfig.Proxy config,
        DrainState drain,
        String scheme) {}
