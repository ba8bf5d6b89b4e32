package io.cellrouter.loadtest.cli;

import io.cellrouter.loadtest.bench.BenchReport;
import io.cellrouter.loadtest.bench.BenchRunner;
import io.cellrouter.loadtest.bench.BenchServers;
import io.cellrouter.loadtest.load.GrpcCall;
import io.cellrouter.loadtest.load.LoadPlan;
import io.cellrouter.loadtest.load.Protocol;
import io.cellrouter.loadtest.load.RunResult;
import io.cellrouter.loadtest.load.Transport;
import io.cellrouter.loadtest.report.PercentilePlot;
import io.cellrouter.router.cli.DurationConverter;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench}: cells, router (and nginx, haproxy) side by side; see docs/BENCHMARKS.md. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Start two cells and the router (each its own process), find each path's maximum"
                    + " throughput (closed loop), then run the same open-loop load direct and through"
                    + " the router at steps of the router's maximum, and print them side by side with the"
                    + " ratios. Everything started is stopped at the end and on Ctrl-C.",
            "Progress on stderr; the table (or --json) on stdout."
        })
public final class BenchCommand implements Callable<Integer> {

    @Option(
            names = "--protocol",
            defaultValue = "http1",
            description =
                    "http1, h2c or grpc (nginx and haproxy are compared on http1 only). Default: ${DEFAULT-VALUE}.")
    String protocol;

    @Option(
            names = "--grpc-call",
            defaultValue = "unary",
            description = "unary, server-stream or bidi. Default: ${DEFAULT-VALUE}.")
    String grpcCall;

    @Option(
            names = "--customers",
            defaultValue = "10000",
            description = "Customers in the registry (c0..cN-1, alternating cells). Default: ${DEFAULT-VALUE}.")
    int customers;

    @Option(
            names = "--duration",
            defaultValue = "20s",
            converter = DurationConverter.class,
            description = "Each open-loop step. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(
            names = "--probe",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description = "The closed-loop maximum-throughput probe of each path. Default: ${DEFAULT-VALUE}.")
    Duration probe;

    @Option(
            names = "--warmup",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Warm-up before each probe (JITs of router and proxies). Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(
            names = "--step-warmup",
            defaultValue = "2s",
            converter = DurationConverter.class,
            description = "Warm-up before each open-loop step. Default: ${DEFAULT-VALUE}.")
    Duration stepWarmup;

    @Option(
            names = "--connections",
            defaultValue = "32",
            description = "Connections of every run. Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(
            names = "--threads",
            defaultValue = "1",
            description = "Event loops of the generator. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(
            names = "--ladder",
            defaultValue = "10,25,50,75",
            split = ",",
            description = "Open-loop steps, in percent of the router's maximum. Default: ${DEFAULT-VALUE}.")
    List<Integer> ladder;

    @Option(
            names = "--compare",
            split = ",",
            description = "Also start these proxies with the same header routing, when installed: nginx, haproxy;"
                    + " and 'relay', a bare Netty byte relay (no HTTP, no routing): the floor of one hop.")
    List<String> compare = new ArrayList<>();

    @Option(
            names = "--router-jar",
            description = "Default: router/target/cell-router.jar (from here or beside this jar).")
    Path routerJar;

    @Option(
            names = "--router-jvm-args",
            defaultValue = "-Xms512m -Xmx512m",
            description = "JVM options of the router process. Default: ${DEFAULT-VALUE}.")
    String routerJvmArgs;

    @Option(names = "--proxy-workers", description = "nginx workers and haproxy threads. Default: the number of cores.")
    Integer proxyWorkers;

    @Option(
            names = "--timeout",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Request timeout. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    @Option(
            names = "--plot",
            description = "Write the latency distributions of the 50%% step (or the middle one) to FILE (HTML).")
    Path plot;

    @Option(names = "--keep-files", description = "Keep the temporary folder (configurations, registry, logs).")
    boolean keepFiles;

    @Override
    public Integer call() throws Exception {
        if (customers < 1 || customers > 1_000_000) {
            throw new IllegalArgumentException("--customers must be in [1, 1000000]");
        }
        if (ladder.isEmpty() || ladder.stream().anyMatch(p -> p < 1 || p > 200)) {
            throw new IllegalArgumentException("--ladder: percentages in [1, 200]");
        }
        if (connections < 2 || connections > LoadPlan.MAX_CONNECTIONS) {
            throw new IllegalArgumentException("--connections must be in [2, " + LoadPlan.MAX_CONNECTIONS + "]");
        }
        Path jar = routerJar != null ? routerJar : findRouterJar();
        if (jar == null || !Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(
                    "router jar not found (" + (jar == null ? "router/target/cell-router.jar" : jar)
                            + "): build it with 'mvn -B -DskipTests package' or pass --router-jar");
        }
        Protocol p = RunCommand.parseEnum(Protocol.class, protocol, "--protocol");
        GrpcCall call = RunCommand.parseEnum(GrpcCall.class, grpcCall.replace('-', '_'), "--grpc-call");
        int workers = proxyWorkers != null ? proxyWorkers : Runtime.getRuntime().availableProcessors();
        List<String> comparisons =
                compare.stream().map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toList());
        List<String> notCompared = new ArrayList<>();
        if (p != Protocol.HTTP1 && !comparisons.isEmpty()) {
            comparisons.forEach(c -> notCompared.add(c + ": compared on http1 only"));
            comparisons = List.of();
        }
        PrintStream log = System.err;
        BenchServers.Settings serverSettings = new BenchServers.Settings(
                customers,
                jar.toAbsolutePath(),
                Arrays.asList(routerJvmArgs.strip().split("\\s+")),
                comparisons,
                workers,
                keepFiles);
        BenchRunner.Settings runSettings = new BenchRunner.Settings(
                p, call, customers, connections, threads, warmup, probe, stepWarmup, duration, ladder, timeout);
        String loadBefore = loadAverage();
        try (BenchServers servers = BenchServers.start(serverSettings, log)) {
            if (keepFiles) {
                log.println("files: " + servers.dir());
            }
            BenchRunner.Outcome outcome = new BenchRunner(runSettings, log).run(servers.targets());
            Map<String, Object> header = new LinkedHashMap<>();
            header.put(
                    "date",
                    OffsetDateTime.now(ZoneOffset.UTC)
                            .truncatedTo(ChronoUnit.SECONDS)
                            .toString());
            header.put(
                    "machine",
                    Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("java.vm.name") + " "
                            + System.getProperty("java.version") + ", transport "
                            + Transport.detect().name());
            header.put(
                    "load",
                    p.label() + (p == Protocol.GRPC ? " " + grpcCall : "") + ", " + customers
                            + " customers (uniform, x-customer-id), " + connections + " connections, generator threads "
                            + threads);
            header.put(
                    "loadavg",
                    "before " + loadBefore + ", after " + loadAverage()
                            + " (1/5/15 min; other processes share these cores)");
            for (BenchServers.Target t : servers.targets()) {
                header.put(t.name(), t.description());
            }
            List<String> skipped = new ArrayList<>(servers.skipped());
            skipped.addAll(notCompared);
            BenchReport report = new BenchReport(header, runSettings, outcome, skipped);
            if (plot != null) {
                writePlot(outcome);
            }
            System.out.print(json ? report.json() + "\n" : report.text());
            System.out.flush();
        }
        return 0;
    }

    private void writePlot(BenchRunner.Outcome outcome) throws java.io.IOException {
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
                                java.util.Locale.ROOT,
                                "open loop at %.0f req/s, %d connections, latency from the intended send time",
                                chosen.rate(),
                                connections),
                        series));
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static Path findRouterJar() {
        Path here = Path.of("router/target/cell-router.jar");
        if (Files.isRegularFile(here)) {
            return here;
        }
        try {
            Path self = Path.of(BenchCommand.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            Path beside = self.getParent()
                    .resolve("../../router/target/cell-router.jar")
                    .normalize();
            if (Files.isRegularFile(beside)) {
                return beside;
            }
        } catch (Exception e) {
            // Not found that way.
        }
        return null;
    }
}
