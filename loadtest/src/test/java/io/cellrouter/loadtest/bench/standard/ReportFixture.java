package io.cellrouter.loadtest.bench.standard;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows of a report built from the real tools' recorded outputs ({@link Samples}): every kind of
 * cell the table prints (measured with and without percentiles, failed requests, a failed target,
 * a missing peer, a missing client, the router's own view).
 */
final class ReportFixture {

    private ReportFixture() {}

    static DriverResult wrkRouter() throws DriverException {
        return WrkOutputParser.parse(Samples.read("wrk-router.txt"));
    }

    static DriverResult wrkNon2xx() throws DriverException {
        return WrkOutputParser.parse(Samples.read("wrk-non2xx.txt"));
    }

    static DriverResult h2loadNginx() throws DriverException {
        return H2loadOutputParser.parse(Samples.read("h2load-nginx.txt"));
    }

    static DriverResult grpcUnaryRouter() throws DriverException {
        return GrpcBenchOutputParser.parse(Samples.read("grpc-unary-router.txt"));
    }

    static DriverResult grpcStreamingNginx() throws DriverException {
        return GrpcBenchOutputParser.parse(Samples.read("grpc-streaming-nginx.txt"));
    }

    /** {@code r} with another throughput: one sample, as several rounds of different speed. */
    static DriverResult at(DriverResult r, double rps) {
        return new DriverResult(
                rps, r.requests(), r.errors(), r.p50Micros(), r.p99Micros(), r.meanMicros(), r.maxMicros());
    }

    static StandardBench.Measurement measured(String target, DriverResult r) {
        return new StandardBench.Measurement(target, target + " on 127.0.0.1", r, null, false);
    }

    static StandardBench.Measurement failed(String target, String why) {
        return new StandardBench.Measurement(target, target + " on 127.0.0.1", null, why, false);
    }

    static RouterTimes routerTimes() {
        return new RouterTimes(
                new RouterTimes.Split(1000, 700, 4100),
                new RouterTimes.Split(1000, 12, 40),
                new RouterTimes.Split(1000, 650, 4000),
                false);
    }

    /** One row of each kind, as one round of the bench reports them. */
    static List<StandardBench.Row> oneRound() throws DriverException {
        Map<String, StandardBench.Measurement> grpc = new LinkedHashMap<>();
        grpc.put("direct", measured("direct", at(grpcUnaryRouter(), 28_902)));
        grpc.put("haproxy", measured("haproxy", grpcStreamingNginx()));
        grpc.put("nginx", failed("nginx", "no routed answer within 15 s: refused"));
        grpc.put(
                "router",
                new StandardBench.Measurement(
                        "router", "router on 127.0.0.1", grpcUnaryRouter(), null, false, routerTimes(), null));
        Map<String, StandardBench.Measurement> h2c = new LinkedHashMap<>();
        h2c.put("direct", measured("direct", at(h2loadNginx(), 20_000)));
        h2c.put(
                "haproxy",
                new StandardBench.Measurement(
                        "haproxy", null, null, "haproxy is not installed: apt-get install -y haproxy", true));
        h2c.put("nginx", measured("nginx", h2loadNginx()));
        h2c.put("router", measured("router", at(h2loadNginx(), 9_000)));
        Map<String, StandardBench.Measurement> http1 = new LinkedHashMap<>();
        http1.put("direct", measured("direct", at(wrkRouter(), 65_138)));
        http1.put("haproxy", measured("haproxy", at(wrkRouter(), 34_474)));
        http1.put("nginx", measured("nginx", at(wrkRouter(), 35_331)));
        http1.put("router", measured("router", wrkNon2xx()));
        return List.of(
                new StandardBench.Row(
                        StandardLoad.GRPC_UNARY, "grpc-java benchmark client 1.79.0", "AsyncClient", null, grpc),
                new StandardBench.Row(
                        StandardLoad.GRPC_STREAMING,
                        "grpc-java benchmark client 1.79.0",
                        "AsyncClient --streaming_rpcs",
                        "the client is missing",
                        Map.of()),
                new StandardBench.Row(StandardLoad.H2C, "h2load", "h2load -c16 -m10", null, h2c),
                new StandardBench.Row(StandardLoad.HTTP1, "wrk 4.1.0", "wrk -t1 -c32", null, http1));
    }
}
