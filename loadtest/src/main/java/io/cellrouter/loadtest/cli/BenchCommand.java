package io.cellrouter.loadtest.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellrouter.loadtest.bench.standard.StandardBench;
import io.cellrouter.loadtest.load.Transport;
import io.cellrouter.router.cli.DurationConverter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
            "--drivers standard instead loads each path with the standard client of its protocol (wrk,"
                    + " h2load, grpc-java's benchmark client) for gRPC unary, gRPC streaming, h2c and"
                    + " HTTP/1.1, and prints throughput and p99 relative to direct, haproxy and nginx.",
            "Progress on stderr; the table (or --json) on stdout."
        })
public final class BenchCommand implements Callable<Integer> {

    @Option(
            names = "--drivers",
            defaultValue = "own",
            split = ",",
            description = "own: this harness's open-loop generator (maximum, then the ladder); standard: the"
                    + " standard clients (wrk, h2load, grpc-java's benchmark client), see docs/BENCHMARKS.md;"
                    + " own,standard: both, one after the other. Default: ${DEFAULT-VALUE}.")
    List<String> drivers;

    /** --loads and --rounds, which only the standard clients read. */
    @Mixin
    StandardOptions standard = new StandardOptions();

    @Option(
            names = "--protocol",
            defaultValue = "http1",
            description = "With --drivers own: http1, h2c or grpc (nginx and haproxy are compared on http1 only)."
                    + " Default: ${DEFAULT-VALUE}.")
    String protocol;

    @Option(
            names = "--grpc-call",
            defaultValue = "unary",
            description = "unary, server-stream or bidi. Default: ${DEFAULT-VALUE}.")
    String grpcCall;

    @Option(
            names = "--customers",
            description = "Customers in the registry (c0..cN-1, alternating cells). Default: 10000 (own), 1000"
                    + " (standard).")
    Integer customers;

    @Option(
            names = "--duration",
            defaultValue = "20s",
            converter = DurationConverter.class,
            description = "Each open-loop step. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(
            names = "--probe",
            converter = DurationConverter.class,
            description = "The closed-loop maximum-throughput probe of each path (standard: each client's"
                    + " measured run, whole seconds). Default: 10s.")
    Duration probe;

    @Option(
            names = "--warmup",
            converter = DurationConverter.class,
            description = "Warm-up before each probe (JITs of router and proxies), not recorded. Default: 5s"
                    + " (own), 3s (standard).")
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
                    + " and (own only) 'relay', a bare Netty byte relay (no HTTP, no routing): the floor of one"
                    + " hop. With standard, one not installed is reported as MISSING in its column.")
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
        Set<String> chosen = drivers();
        refuseRoundsWithoutStandard(chosen);
        Path jar = routerJar();
        StandardBench.Settings standardSettings =
                chosen.contains("standard") ? StandardBenchRun.settings(this, jar) : null;
        if (chosen.contains("own")) {
            OwnBenchRun.validate(this);
        }
        String own = chosen.contains("own") ? OwnBenchRun.run(this, jar, System.err) : null;
        String standardOut =
                standardSettings != null ? StandardBenchRun.run(standardSettings, jar, json, System.err) : null;
        if (own != null && standardOut != null && json) {
            ObjectMapper mapper = new ObjectMapper();
            Map<String, Object> both = new LinkedHashMap<>();
            both.put("own", mapper.readTree(own));
            both.put("standard", mapper.readTree(standardOut));
            System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(both));
        } else {
            if (own != null) {
                System.out.print(json ? own + "\n" : own);
            }
            if (standardOut != null) {
                System.out.print(json ? standardOut + "\n" : (own != null ? "\n" : "") + standardOut);
            }
        }
        System.out.flush();
        return 0;
    }

    /** --drivers: own, standard, or both. */
    Set<String> drivers() {
        Set<String> out = new LinkedHashSet<>();
        for (String d : drivers) {
            String v = d.strip().toLowerCase(Locale.ROOT);
            if (!v.equals("own") && !v.equals("standard")) {
                throw new IllegalArgumentException("--drivers: unknown driver '" + d + "' (own, standard)");
            }
            out.add(v);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--drivers: give own, standard or own,standard");
        }
        return out;
    }

    /** --rounds is the standard clients' (with own,standard it applies to the standard part). */
    void refuseRoundsWithoutStandard(Set<String> chosen) {
        standard.refuseRoundsWithoutStandard(chosen);
    }

    /** --compare, blanks dropped. */
    List<String> comparisons() {
        return compare.stream().map(String::strip).filter(c -> !c.isEmpty()).collect(Collectors.toList());
    }

    /** JVM options of the router process. */
    List<String> routerJvmOptions() {
        return Arrays.asList(routerJvmArgs.strip().split("\\s+"));
    }

    int proxyWorkers() {
        return proxyWorkers != null ? proxyWorkers : Runtime.getRuntime().availableProcessors();
    }

    Path routerJar() {
        Path jar = routerJar != null ? routerJar : findRouterJar();
        if (jar == null || !Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(
                    "router jar not found (" + (jar == null ? "router/target/cell-router.jar" : jar)
                            + "): build it with 'mvn -B -DskipTests package' or pass --router-jar");
        }
        return jar.toAbsolutePath();
    }

    static String now() {
        return OffsetDateTime.now(ZoneOffset.UTC)
                .truncatedTo(ChronoUnit.SECONDS)
                .toString();
    }

    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.version") + ", generator transport "
                + Transport.detect().name();
    }

    static String loadAverage() {
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
