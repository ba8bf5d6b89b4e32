package io.cellrouter.loadtest.cli;

import io.cellrouter.loadtest.bench.standard.StandardBench;
import io.cellrouter.loadtest.bench.standard.StandardLoad;
import io.cellrouter.loadtest.bench.standard.StandardReport;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code bench --drivers standard}: its settings from the command line, the run, and the report. */
final class StandardBenchRun {

    static final int DEFAULT_CUSTOMERS = 1000;
    static final Duration DEFAULT_WARMUP = Duration.ofSeconds(3);
    static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);

    private StandardBenchRun() {}

    /** Validates bench's options for the standard clients; errors name the option and the value. */
    static StandardBench.Settings settings(BenchCommand c, Path routerJar) {
        List<StandardLoad> loads = c.standard.loads();
        int customers = c.customers != null ? c.customers : DEFAULT_CUSTOMERS;
        if (customers < 1 || customers > 100_000) {
            throw new IllegalArgumentException(
                    "--customers must be in [1, 100000] with --drivers standard (the proxies' maps hold them all), was "
                            + customers);
        }
        Duration warmup = wholeSeconds("--warmup", c.warmup != null ? c.warmup : DEFAULT_WARMUP, 0);
        Duration duration = wholeSeconds("--probe", c.probe != null ? c.probe : DEFAULT_DURATION, 1);
        int rounds = c.standard.rounds();
        List<String> compare = c.comparisons();
        for (String peer : compare) {
            if (!peer.equals("nginx") && !peer.equals("haproxy")) {
                throw new IllegalArgumentException(
                        "--compare: '" + peer + "' is not compared with --drivers standard" + " (nginx, haproxy)");
            }
        }
        return new StandardBench.Settings(
                loads,
                customers,
                warmup,
                duration,
                routerJar,
                c.routerJvmOptions(),
                compare.stream().distinct().toList(),
                c.proxyWorkers(),
                c.keepFiles,
                rounds);
    }

    /** Runs the loads and returns the table (or the JSON). */
    static String run(StandardBench.Settings s, Path routerJar, boolean json, PrintStream log) throws Exception {
        String loadBefore = BenchCommand.loadAverage();
        List<StandardBench.Row> rows = new StandardBench(s, log).run();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("date", BenchCommand.now());
        header.put("commit", StandardBench.commit());
        header.put("machine", BenchCommand.machine());
        header.put(
                "loadavg",
                "before " + loadBefore + ", after " + BenchCommand.loadAverage()
                        + " (1/5/15 min; other processes share these cores)");
        header.put("router", "java " + String.join(" ", s.routerJvmArgs()) + " -jar " + routerJar + " serve");
        header.put(
                "customers",
                s.customers() + " (c0..c" + (s.customers() - 1) + ", alternating cell-1 and cell-2), routed on "
                        + StandardBench.CUSTOMER_HEADER);
        StandardReport report = new StandardReport(header, s.warmup(), s.duration(), s.rounds(), rows);
        return json ? report.json() : report.text();
    }

    private static Duration wholeSeconds(String option, Duration d, int min) {
        if (d.toMillis() % 1000 != 0 || d.toSeconds() < min || d.toSeconds() > 3600) {
            throw new IllegalArgumentException(option + " must be whole seconds in [" + min + "s, 3600s] with --drivers"
                    + " standard (the clients count in seconds), was " + d.toMillis() + "ms");
        }
        return d;
    }
}
