package io.cellrouter.router.forward;

import io.cellrouter.router.accesslog.AccessLog;
import io.cellrouter.router.admission.Bulkheads;
import io.cellrouter.router.admission.OverloadGuard;
import io.cellrouter.router.config.ConfigLoader;
import io.cellrouter.router.config.RouterConfig;
import io.cellrouter.router.identity.IdentityResolver;
import io.cellrouter.router.metrics.RouterMetrics;
import io.cellrouter.router.routing.RequestRouter;
import io.cellrouter.router.testing.StubResolver;
import io.cellrouter.router.transport.Transport;
import java.nio.file.Path;
import java.time.Clock;

/** A {@link ProxyContext} for handler tests on an EmbeddedChannel: real parts, a stub resolver. */
final class TestProxyContexts {

    private TestProxyContexts() {}

    /** {@code yaml}: a configuration file's text (defaults for the rest). */
    static ProxyContext of(String yaml, StubResolver resolver, RouterMetrics metrics) {
        return of(yaml, resolver, metrics, null);
    }

    /** The same, whose exchanges go to {@code accessLog} (null: none). */
    static ProxyContext of(String yaml, StubResolver resolver, RouterMetrics metrics, AccessLog accessLog) {
        RouterConfig config = ConfigLoader.parse(yaml, "test.yaml", Path.of("."), n -> null);
        return new ProxyContext(
                new RequestRouter(IdentityResolver.fromConfig(config.identity()), resolver),
                new UpstreamPool(Transport.detect(), config.proxy().upstream(), metrics, null, 256, 1024, null, 8),
                new ExchangeRecorder(metrics, accessLog, Clock.systemUTC()),
                config.proxy(),
                new DrainState(),
                "http",
                new Bulkheads(config.proxy().limits(), System::nanoTime),
                new OverloadGuard(100, n -> {}));
    }
}
