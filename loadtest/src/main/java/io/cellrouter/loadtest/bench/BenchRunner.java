package io.cellrouter.loadtest.bench;

import io.cellrouter.loadtest.load.CustomerDistribution;
import io.cellrouter.loadtest.load.GrpcCall;
import io.cellrouter.loadtest.load.Identities;
import io.cellrouter.loadtest.load.LoadGenerator;
import io.cellrouter.loadtest.load.LoadPlan;
import io.cellrouter.loadtest.load.Protocol;
import io.cellrouter.loadtest.load.RunResult;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The benchmark protocol, given running servers:
 *
 * <ol>
 *   <li>For each target: closed loop with {@code connections} connections, {@code probeWarmup}
 *       (not recorded, warms the JITs) then {@code probeDuration}: the maximum throughput, and the
 *       latency at that load.
 *   <li>The router's maximum is the base. For each step of the ladder (10, 25, 50, 75% of it), every
 *       target gets the same open-loop rate for {@code duration} after {@code stepWarmup}.
 * </ol>
 *
 * Targets run one after the other, never together: on two cores, anything else running would be
 * measured too.
 */
public final class BenchRunner {

    /** How to load. */
    public record Settings(
            Protocol protocol,
            GrpcCall grpcCall,
            int customers,
            int connections,
            int threads,
            Duration probeWarmup,
            Duration probeDuration,
            Duration stepWarmup,
            Duration duration,
            List<Integer> ladderPercent,
            Duration timeout) {}

    /** One step of the ladder: its rate and each target's result. */
    public record Step(int percent, double rate, Map<String, RunResult> results, Map<String, Double> cpuMicros) {}

    /** Everything measured. */
    public record Outcome(
            Map<String, RunResult> maximum, Map<String, Double> maximumCpuMicros, double baseRate, List<Step> steps) {}

    private final Settings settings;
    private final PrintStream log;

    public BenchRunner(Settings settings, PrintStream log) {
        this.settings = settings;
        this.log = log;
    }

    public Outcome run(List<BenchServers.Target> targets) throws InterruptedException {
        Map<String, RunResult> maximum = new LinkedHashMap<>();
        Map<String, Double> maximumCpu = new LinkedHashMap<>();
        for (BenchServers.Target t : targets) {
            AtomicReference<Duration> cpuBefore = new AtomicReference<>();
            RunResult r = load(t, true, 0, settings.probeWarmup(), settings.probeDuration(), cpuBefore);
            maximum.put(t.name(), r);
            maximumCpu.put(t.name(), cpuMicrosPerRequest(t, cpuBefore, r));
            log.println(String.format(
                    Locale.ROOT,
                    "max %-8s %9.0f req/s  p50 %5d us  p99 %6d us  errors %d  cpu %.1f us/req",
                    t.name(),
                    r.achievedRate(),
                    r.percentileMicros(50),
                    r.percentileMicros(99),
                    r.errorCount(),
                    maximumCpu.get(t.name())));
        }
        RunResult router = maximum.get("router");
        double base = router != null && router.achievedRate() > 0
                ? router.achievedRate()
                : maximum.values().iterator().next().achievedRate();
        List<Step> steps = new ArrayList<>();
        for (int percent : settings.ladderPercent()) {
            double rate = Math.max(1, Math.round(base * percent / 100.0));
            Map<String, RunResult> results = new LinkedHashMap<>();
            Map<String, Double> cpu = new LinkedHashMap<>();
            for (BenchServers.Target t : targets) {
                AtomicReference<Duration> cpuBefore = new AtomicReference<>();
                RunResult r = load(t, false, rate, settings.stepWarmup(), settings.duration(), cpuBefore);
                results.put(t.name(), r);
                cpu.put(t.name(), cpuMicrosPerRequest(t, cpuBefore, r));
                log.println(String.format(
                        Locale.ROOT,
                        "%3d%% %-8s %8.0f of %8.0f req/s  p50 %5d us  p99 %6d us  p99.9 %6d us  errors %d  cpu %.1f us/req",
                        percent,
                        t.name(),
                        r.achievedRate(),
                        rate,
                        r.percentileMicros(50),
                        r.percentileMicros(99),
                        r.percentileMicros(99.9),
                        r.errorCount(),
                        cpu.get(t.name())));
            }
            steps.add(new Step(percent, rate, results, cpu));
        }
        return new Outcome(maximum, maximumCpu, base, steps);
    }

    /**
     * CPU time of the target's processes per answered request over the measured window (warm-up
     * and the JIT work in it excluded): unlike throughput on shared cores, hardly moved by
     * neighbours.
     */
    private static double cpuMicrosPerRequest(BenchServers.Target t, AtomicReference<Duration> before, RunResult r) {
        Duration start = before.get();
        return start == null || r.requests() == 0 ? 0 : t.cpu().minus(start).toNanos() / 1000.0 / r.requests();
    }

    private RunResult load(
            BenchServers.Target target,
            boolean closedLoop,
            double rate,
            Duration warmup,
            Duration duration,
            AtomicReference<Duration> cpuAtMeasureStart)
            throws InterruptedException {
        List<URI> urls = target.urls();
        LoadPlan plan = new LoadPlan(
                urls,
                settings.protocol(),
                closedLoop,
                rate,
                duration,
                warmup,
                settings.connections(),
                settings.threads(),
                CustomerDistribution.uniform(settings.customers()),
                Identities.header("x-customer-id"),
                "/",
                settings.timeout(),
                // Closed loop: one request per connection at a time whatever the protocol, so that
                // every protocol's maximum is measured at the same concurrency.
                closedLoop ? 1 : 100,
                settings.grpcCall(),
                1,
                16,
                1,
                0);
        return new LoadGenerator(plan).run(null, null, () -> cpuAtMeasureStart.set(target.cpu()));
    }
}
