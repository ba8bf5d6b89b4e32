package io.cellrouter.loadtest.load;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/** Small plans for tests. */
final class Plans {

    private Plans() {}

    static LoadPlan open(URI target, Protocol protocol, double rate, Duration duration, int connections) {
        return new LoadPlan(
                List.of(target),
                protocol,
                false,
                rate,
                duration,
                Duration.ZERO,
                connections,
                1,
                CustomerDistribution.uniform(100),
                Identities.header("x-customer-id"),
                "/",
                Duration.ofSeconds(2),
                100,
                GrpcCall.UNARY,
                3,
                16,
                1,
                0);
    }

    static LoadPlan withGrpcCall(LoadPlan p, GrpcCall call) {
        return new LoadPlan(
                p.targets(),
                p.protocol(),
                p.closedLoop(),
                p.rate(),
                p.duration(),
                p.warmup(),
                p.connections(),
                p.threads(),
                p.customers(),
                p.identities(),
                p.path(),
                p.timeout(),
                p.streamsPerConnection(),
                call,
                p.grpcReplies(),
                p.payloadBytes(),
                p.seed(),
                p.postFraction());
    }

    static LoadPlan withWarmup(LoadPlan p, Duration warmup) {
        return new LoadPlan(
                p.targets(),
                p.protocol(),
                p.closedLoop(),
                p.rate(),
                p.duration(),
                warmup,
                p.connections(),
                p.threads(),
                p.customers(),
                p.identities(),
                p.path(),
                p.timeout(),
                p.streamsPerConnection(),
                p.grpcCall(),
                p.grpcReplies(),
                p.payloadBytes(),
                p.seed(),
                p.postFraction());
    }
}
