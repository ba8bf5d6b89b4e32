package io.cellrouter.loadtest.bench.standard;

import io.cellrouter.loadtest.bench.BenchServers;
import io.cellrouter.loadtest.bench.ProcessCpu;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Runs the comparison with the standard clients: for each load, start its cells, the router and
 * the peers ({@link StandardServers}), check each target routes one request, then load each target
 * alone with the load's client, in the order direct, haproxy, nginx, router. A missing client or
 * peer, a target that does not start or a client that fails is recorded in its row (the table says
 * what and why) and the bench goes on with the rest.
 *
 * <p>With several rounds ({@code --rounds}) the servers of a load stay up and every round loads
 * every target once in that order, so the targets take turns in time and a burst of other work on
 * the machine falls on one round of one target rather than on all of its figures. Each target's
 * reported measurement is its median round ({@link MedianRound}); every round is kept in the row.
 */
public final class StandardBench {

    /** The routing header of every load (gRPC: metadata). */
    public static final String CUSTOMER_HEADER = "x-customer-id";

    /** The columns, in the order the targets run. */
    public static final List<String> TARGETS = List.of("direct", "haproxy", "nginx", "router");

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(15);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** What to run. */
    public record Settings(
            List<StandardLoad> loads,
            int customers,
            Duration warmup,
            Duration duration,
            Path routerJar,
            List<String> routerJvmArgs,
            List<String> compare,
            int proxyWorkers,
            boolean keepFiles,
            int rounds) {

        public Settings {
            if (rounds < 1) {
                throw new IllegalArgumentException("rounds must be at least 1, was " + rounds);
            }
        }
    }

    /**
     * One target of one load: its result, or why there is none ({@code missing}: a tool to install;
     * otherwise a failure). {@code routerTimes}: the router's own view of the run, or null; {@code
     * cpu}: the proxy's CPU per request over the run, or null (direct, or no schedstat here).
     */
    public record Measurement(
            String target,
            String description,
            DriverResult result,
            String problem,
            boolean missing,
            RouterTimes routerTimes,
            CpuPerRequest cpu) {

        public Measurement(String target, String description, DriverResult result, String problem, boolean missing) {
            this(target, description, result, problem, missing, null, null);
        }

        static Measurement measured(StandardServers.Target t, DriverResult r, RouterTimes times, CpuPerRequest cpu) {
            return new Measurement(t.name(), t.description(), r, null, false, times, cpu);
        }

        static Measurement failed(String target, String description, String problem) {
            return new Measurement(target, description, null, problem, false);
        }

        static Measurement notInstalled(String target, String what) {
            return new Measurement(target, null, null, what, true);
        }
    }

    /**
     * One load: its client, and each target's cell (empty with {@code missing} when the client is not
     * installed). {@code rounds}: for each target that was loaded, its measurement of every round in
     * run order (round n at index n - 1); its cell in {@code measurements} is the median round.
     */
    public record Row(
            StandardLoad load,
            String tool,
            String client,
            String missing,
            Map<String, Measurement> measurements,
            Map<String, List<Measurement>> rounds) {

        /** A row without the rounds kept (one round: each cell is the only one). */
        public Row(
                StandardLoad load, String tool, String client, String missing, Map<String, Measurement> measurements) {
            this(load, tool, client, missing, measurements, Map.of());
        }
    }

    private final Settings settings;
    private final PrintStream log;

    public StandardBench(Settings settings, PrintStream log) {
        this.settings = settings;
        this.log = log;
    }

    public List<Row> run() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("cell-bench-standard");
        if (settings.keepFiles()) {
            log.println("files: " + dir);
        }
        try {
            String java = ProcessHandle.current().info().command().orElse("java");
            // The children run from copies: a build replacing the jars mid-run must not break them.
            String classpath = copyIfJar(BenchServers.ownClasspath(), dir);
            Path routerJar = dir.resolve("cell-router.jar");
            Files.copy(settings.routerJar(), routerJar);
            StandardServers.Settings servers = new StandardServers.Settings(
                    settings.customers(),
                    java,
                    classpath,
                    routerJar,
                    settings.routerJvmArgs(),
                    settings.compare(),
                    settings.proxyWorkers());
            List<Row> rows = new ArrayList<>();
            for (StandardLoad load : settings.loads()) {
                Path loadDir = Files.createDirectories(dir.resolve(load.id()));
                rows.add(runLoad(load, driver(load, java, classpath), servers, loadDir));
            }
            return rows;
        } finally {
            if (!settings.keepFiles()) {
                delete(dir);
            }
        }
    }

    static Driver driver(StandardLoad load, String java, String classpath) {
        return switch (load) {
            case GRPC_UNARY -> new GrpcBenchDriver(false, java, classpath);
            case GRPC_STREAMING -> new GrpcBenchDriver(true, java, classpath);
            case H2C -> new H2loadDriver(BenchServers.which("h2load"));
            default -> new WrkDriver(BenchServers.which("wrk"));
        };
    }

    private Row runLoad(StandardLoad load, Driver driver, StandardServers.Settings s, Path dir)
            throws InterruptedException {
        Optional<String> missing = driver.missing();
        if (missing.isPresent()) {
            log.println("MISSING " + load.id() + ": " + missing.get());
            return new Row(load, driver.tool(), driver.description(), missing.get(), Map.of());
        }
        Map<String, Measurement> measured = new LinkedHashMap<>();
        Map<String, List<Measurement>> rounds = new LinkedHashMap<>();
        int count = settings.rounds();
        try (StandardServers servers = StandardServers.start(load, s, dir, log)) {
            for (int round = 1; round <= count; round++) {
                // One round: the folder of the load, as before; several: one folder per round, so
                // --keep-files keeps every round's client output.
                Path roundDir = count == 1 ? dir : Files.createDirectories(dir.resolve("round-" + round));
                String tag = count == 1 ? "" : " round " + round + "/" + count;
                for (StandardServers.Target t : servers.targets()) {
                    rounds.computeIfAbsent(t.name(), k -> new ArrayList<>())
                            .add(measure(load, driver, t, roundDir, tag));
                }
            }
            rounds.forEach((name, runs) -> measured.put(name, reported(load, runs)));
            servers.missing().forEach((name, what) -> {
                log.println("MISSING " + load.id() + " " + name + ": " + what);
                measured.put(name, Measurement.notInstalled(name, what));
            });
            servers.failed().forEach((name, why) -> {
                log.println(load.id() + " " + name + " FAILED to start: " + why);
                measured.put(name, Measurement.failed(name, null, "did not start: " + why));
            });
        } catch (IOException | RuntimeException e) {
            log.println(load.id() + ": could not start the cells or the router: " + e.getMessage());
            // Targets already loaded keep their rounds; the rounds not run are failures of their own.
            rounds.forEach((name, runs) -> {
                while (runs.size() < count) {
                    runs.add(Measurement.failed(name, null, "not run: " + e.getMessage()));
                }
                measured.put(name, reported(load, runs));
            });
            for (String name : TARGETS) {
                measured.putIfAbsent(name, Measurement.failed(name, null, "servers did not start: " + e.getMessage()));
            }
        }
        Map<String, Measurement> ordered = new LinkedHashMap<>();
        Map<String, List<Measurement>> orderedRounds = new LinkedHashMap<>();
        for (String name : TARGETS) {
            if (measured.containsKey(name)) {
                ordered.put(name, measured.get(name));
            }
            if (rounds.containsKey(name)) {
                orderedRounds.put(name, List.copyOf(rounds.get(name)));
            }
        }
        return new Row(load, driver.tool(), driver.description(), null, ordered, orderedRounds);
    }

    /** The target's median round, and (with several rounds) which one it was, on the progress log. */
    private Measurement reported(StandardLoad load, List<Measurement> runs) {
        Measurement m = MedianRound.reported(runs);
        if (runs.size() > 1) {
            int median = MedianRound.index(runs);
            log.println(String.format(
                    Locale.ROOT,
                    "%-15s %-8s %s",
                    load.id(),
                    m.target(),
                    median < 0
                            ? "FAILED in every round"
                            : String.format(
                                    Locale.ROOT,
                                    "median: round %d of %d measured, %.0f req/s",
                                    median + 1,
                                    MedianRound.measured(runs),
                                    m.result().requestsPerSecond())));
        }
        return m;
    }

    private Measurement measure(StandardLoad load, Driver driver, StandardServers.Target t, Path dir, String round)
            throws InterruptedException {
        try {
            awaitRouted(driver, t.url(), dir);
            // The router's histograms from here, or from the end of the warm-up where the tool
            // warms up in a run of its own: then they cover the measured run only.
            RouterScrapes scrapes = new RouterScrapes(t.metrics());
            // The proxy's CPU, counted like the router's histograms (after its scrape: that is
            // the bench's work, not the load's).
            CpuPerRequest.Window cpu = new CpuPerRequest.Window(
                    t.process() == null ? OptionalLong::empty : () -> ProcessCpu.nanos(t.process()), System::nanoTime);
            DriverResult r = driver.run(new Driver.Run(
                    t.url(), t.name(), settings.customers(), settings.warmup(), settings.duration(), dir, () -> {
                        scrapes.warmedUp();
                        cpu.warmedUp();
                    }));
            CpuPerRequest perRequest = cpu.end(r.requestsPerSecond());
            RouterTimes times = scrapes.times();
            log.println(String.format(
                    Locale.ROOT,
                    "%-15s %-8s%s %10.0f req/s  p99 %s  errors %d%s",
                    load.id(),
                    t.name(),
                    round,
                    r.requestsPerSecond(),
                    r.hasP99() ? r.p99Micros() + " us" : "-",
                    Math.max(0, r.errors()),
                    perRequest == null
                            ? ""
                            : String.format(Locale.ROOT, "  cpu %.1f us/request", perRequest.micros())));
            if (times != null) {
                log.println(String.format(
                        Locale.ROOT,
                        "%-15s %-8s%s its own view, p99: whole %d us, before the cell %d us, cell %d us",
                        load.id(),
                        t.name(),
                        round,
                        times.total().p99Micros(),
                        times.beforeCell().p99Micros(),
                        times.cell().p99Micros()));
            }
            return Measurement.measured(t, r, times, perRequest);
        } catch (DriverException e) {
            log.println(load.id() + " " + t.name() + round + " FAILED: " + e.getMessage());
            return Measurement.failed(t.name(), t.description(), e.getMessage());
        }
    }

    /** The router's metrics scraped before a run (again once it is warm, if told) and after it. */
    private static final class RouterScrapes {
        private final URI metrics;
        private String before;
        private boolean measuredOnly;

        RouterScrapes(URI metrics) throws DriverException, InterruptedException {
            this.metrics = metrics;
            this.before = metrics == null ? null : scrape(metrics);
        }

        void warmedUp() throws DriverException, InterruptedException {
            if (metrics != null) {
                before = scrape(metrics);
                measuredOnly = true;
            }
        }

        RouterTimes times() throws DriverException, InterruptedException {
            return metrics == null ? null : RouterTimes.between(before, scrape(metrics), measuredOnly);
        }
    }

    /** The router's Prometheus text; a failed scrape fails the target's measurement. */
    private static String scrape(URI metrics) throws DriverException, InterruptedException {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(metrics).timeout(PROBE_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new DriverException("GET " + metrics + " answered " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new DriverException("GET " + metrics + " failed: " + e.getMessage(), e);
        }
    }

    /** The target must answer one routed request before it is loaded (it may still be warming up). */
    private static void awaitRouted(Driver driver, URI target, Path dir) throws DriverException, InterruptedException {
        long deadline = System.nanoTime() + PROBE_TIMEOUT.toNanos();
        while (true) {
            try {
                driver.probe(target, dir);
                return;
            } catch (DriverException e) {
                if (System.nanoTime() > deadline) {
                    throw new DriverException(
                            "no routed answer within " + PROBE_TIMEOUT.toSeconds() + " s: " + e.getMessage(), e);
                }
            }
            Thread.sleep(200);
        }
    }

    /** The current commit of the working directory's repository (with "-dirty" for uncommitted changes), if any. */
    public static String commit() {
        String head = ToolProcess.firstLine(List.of("git", "rev-parse", "--short", "HEAD"), "");
        if (!head.matches("[0-9a-f]{7,40}")) {
            return "unknown (not run from a git checkout)";
        }
        String dirty = ToolProcess.firstLine(List.of("git", "status", "--porcelain", "--untracked-files=no"), "");
        return head + (dirty.isEmpty() ? "" : "-dirty");
    }

    private static String copyIfJar(String classpath, Path dir) throws IOException {
        Path path = Path.of(classpath);
        if (!classpath.contains(File.pathSeparator) && Files.isRegularFile(path)) {
            Path copy = dir.resolve("cell-loadtest.jar");
            Files.copy(path, copy);
            return copy.toString();
        }
        return classpath;
    }

    private static void delete(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temporary folder is not worth failing the run for.
        }
    }
}
