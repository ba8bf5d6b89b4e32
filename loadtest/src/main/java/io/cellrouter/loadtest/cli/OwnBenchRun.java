package io.cellrouter.loadtest.cli;

import io.cellrouter.loadtest.bench.BenchReport;
import io.cellrouter.loadtest.bench.BenchRunner;
import io.cellrouter.loadtest.bench.BenchServers;
import io.cellrouter.loadtest.load.GrpcCall;
import io.cellrouter.loadtest.load.LoadPlan;
import io.cellrouter.loadtest.load.Protocol;
import io.cellrouter.loadtest.load.RunResult;
import io.cellrouter.loadtest.report.PercentilePlot;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench --drivers own}: the harness's own protocol (each path's maximum, then the open-loop
 * ladder), its checks of the command line, the run, and the report.
 */
final class OwnBenchRun {

    static final int DEFAULT_CUSTOMERS = 10_000;
    static final Duration DEFAULT_WARMUP = Duration.ofSeconds(5);
    static final Duration DEFAULT_PROBE = Duration.ofSeconds(10);

    private OwnBenchRun() {}

    /** Validates bench's options for the own driver; errors name the option. */
    static void validate(BenchCommand c) {
        int customers = c.customers != null ? c.customers : DEFAULT_CUSTOMERS;
        if (customers < 1 || customers > 1_000_000) {
            throw new IllegalArgumentException("--customers must be in [1, 1000000]");
        }
        if (c.ladder.isEmpty() || c.ladder.stream().anyMatch(p -> p < 1 || p > 200)) {
            throw new IllegalArgumentException("--ladder: percentages in [1, 200]");
        }
        if (c.connections < 2 || c.connections > LoadPlan.MAX_CONNECTIONS) {
            throw new IllegalArgumentException("--connections must be in [2, " + LoadPlan.MAX_CONNECTIONS + "]");
        }
        RunCommand.parseEnum(Protocol.class, c.protocol, "--protocol");
        RunCommand.parseEnum(GrpcCall.class, c.grpcCall.replace('-', '_'), "--grpc-call");
    }

    /** Runs the maximum and the ladder on every path; returns the report, as text or JSON. */
    static String run(BenchCommand c, Path jar, PrintStream log) throws Exception {
        int customerCount = c.customers != null ? c.customers : DEFAULT_CUSTOMERS;
        Duration ownWarmup = c.warmup != null ? c.warmup : DEFAULT_WARMUP;
        Duration ownProbe = c.probe != null ? c.probe : DEFAULT_PROBE;
        Protocol p = RunCommand.parseEnum(Protocol.class, c.protocol, "--protocol");
        GrpcCall call = RunCommand.parseEnum(GrpcCall.class, c.grpcCall.replace('-', '_'), "--grpc-call");
        List<String> comparisons = c.comparisons();
        List<String> notCompared = new ArrayList<>();
        if (p != Protocol.HTTP1 && !comparisons.isEmpty()) {
            comparisons.forEach(x -> notCompared.add(x + ": compared on http1 only (see --drivers standard)"));
            comparisons = List.of();
        }
        BenchServers.Settings serverSettings = new BenchServers.Settings(
                customerCount, jar, c.routerJvmOptions(), comparisons, c.proxyWorkers(), c.keepFiles);
        BenchRunner.Settings runSettings = new BenchRunner.Settings(
                p,
                call,
                customerCount,
                c.connections,
                c.threads,
                ownWarmup,
                ownProbe,
                c.stepWarmup,
                c.duration,
                c.ladder,
                c.timeout);
        String loadBefore = BenchCommand.loadAverage();
        try (BenchServers servers = BenchServers.start(serverSettings, log)) {
            if (c.keepFiles) {
                log.println("files: " + servers.dir());
            }
            BenchRunner.Outcome outcome = new BenchRunner(runSettings, log).run(servers.targets());
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("date", BenchCommand.now());
            header.put("machine", BenchCommand.machine());
            header.put(
                    "load",
                    p.label() + (p == Protocol.GRPC ? " " + c.grpcCall : "") + ", " + customerCount
                            + " customers (uniform, x-customer-id), " + c.connections
                            + " connections, generator threads " + c.threads);
            header.put(
                    "loadavg",
                    "before " + loadBefore + ", after " + BenchCommand.loadAverage()
                            + " (1/5/15 min; other processes share these cores)");
            for (BenchServers.Target t : servers.targets()) {
                header.put(t.name(), t.description());
            }
            List<String> skipped = new ArrayList<>(servers.skipped());
            skipped.addAll(notCompared);
            BenchReport report = new BenchReport(header, runSettings, outcome, skipped);
            if (c.plot != null) {
                writePlot(c.plot, outcome, c.connections);
            }
            return c.json ? report.json() : report.text();
        }
    }

    /** The latency distributions of the 50% step (or the middle one), as HTML. */
    private static void writePlot(Path plot, BenchRunner.Outcome outcome, int connections) throws IOException {
        BenchRunner.Step chosen = outcome.steps().stream()
                .filter(s -> s.percent() == 50)
                .findFirst()
                .orElse(outcome.steps().get(outcome.steps().size() / 2));
        List<PercentilePlot.Series> series = new ArrayList<>();
        for (Map.Entry<String, RunResult> e : chosen.results().entrySet()) {
            series.add(new PercentilePlot.Series(e.getKey(), e.getValue().latency()));
        }
        Files.writeString(
                plot,
                PercentilePlot.html(
                        "cell-loadtest bench: " + chosen.percent() + "% of the router's maximum",
                        String.format(
                                Locale.ROOT,
                                "open loop at %.0f req/s, %d connections, latency from the intended send time",
                                chosen.rate(),
                                connections),
                        series));
    }
}
