package io.cellrouter.loadtest.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cellrouter.loadtest.load.RunResult;
import io.cellrouter.loadtest.report.RunReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The side-by-side table of a benchmark, the ratios, and the targets of issue 7 with whether each
 * held, as text and as JSON.
 */
public final class BenchReport {

    /** One target of issue 7: what, the measured value, the bound, and whether it held. */
    public record Check(String name, String measured, boolean held) {}

    private final Map<String, Object> header;
    private final BenchRunner.Settings settings;
    private final BenchRunner.Outcome outcome;
    private final List<String> skipped;

    public BenchReport(
            Map<String, Object> header,
            BenchRunner.Settings settings,
            BenchRunner.Outcome outcome,
            List<String> skipped) {
        this.header = header;
        this.settings = settings;
        this.outcome = outcome;
        this.skipped = skipped;
    }

    public String text() {
        StringBuilder sb = new StringBuilder();
        header.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%-12s %s%n", k, v)));
        for (String s : skipped) {
            sb.append("skipped      ").append(s).append('\n');
        }
        sb.append(String.format(
                Locale.ROOT,
                "%nMaximum throughput: closed loop, %d connections, %s after %s warm-up;"
                        + " cpu: CPU time of the target's processes per request%n",
                settings.connections(),
                seconds(settings.probeDuration().toMillis()),
                seconds(settings.probeWarmup().toMillis())));
        sb.append(String.format(
                Locale.ROOT,
                "  %-8s %10s %8s %8s %9s %7s %11s %11s%n",
                "target",
                "req/s",
                "p50 us",
                "p99 us",
                "p99.9 us",
                "errors",
                "cpu us/req",
                "router/this"));
        RunResult router = outcome.maximum().get("router");
        for (Map.Entry<String, RunResult> e : outcome.maximum().entrySet()) {
            RunResult r = e.getValue();
            sb.append(String.format(
                    Locale.ROOT,
                    "  %-8s %10.0f %8d %8d %9d %7d %11.1f %11s%n",
                    e.getKey(),
                    r.achievedRate(),
                    r.percentileMicros(50),
                    r.percentileMicros(99),
                    r.percentileMicros(99.9),
                    r.errorCount(),
                    outcome.maximumCpuMicros().getOrDefault(e.getKey(), 0.0),
                    router == null || r.achievedRate() == 0
                            ? "-"
                            : String.format(Locale.ROOT, "%.2f", router.achievedRate() / r.achievedRate())));
        }
        sb.append(String.format(
                Locale.ROOT,
                "%nOpen loop at steps of the router's maximum (%.0f req/s): %d connections, %s each after %s"
                        + " warm-up;%nlatency from the intended send time; +p50/+p99: this target minus direct%n",
                outcome.baseRate(),
                settings.connections(),
                seconds(settings.duration().toMillis()),
                seconds(settings.stepWarmup().toMillis())));
        sb.append(String.format(
                Locale.ROOT,
                "  %5s %8s  %-8s %10s %7s %8s %8s %9s %8s %6s %7s %7s %8s%n",
                "step",
                "rate",
                "target",
                "achieved",
                "/direct",
                "p50 us",
                "p99 us",
                "p99.9 us",
                "max us",
                "errors",
                "cpu/req",
                "+p50",
                "+p99"));
        for (BenchRunner.Step step : outcome.steps()) {
            RunResult direct = step.results().get("direct");
            boolean first = true;
            for (Map.Entry<String, RunResult> e : step.results().entrySet()) {
                RunResult r = e.getValue();
                boolean isDirect = e.getKey().equals("direct");
                sb.append(String.format(
                        Locale.ROOT,
                        "  %5s %8s  %-8s %10.1f %7s %8d %8d %9d %8d %6d %7.1f %7s %8s%n",
                        first ? step.percent() + "%" : "",
                        first ? String.format(Locale.ROOT, "%.0f", step.rate()) : "",
                        e.getKey(),
                        r.achievedRate(),
                        direct == null || direct.achievedRate() == 0
                                ? "-"
                                : String.format(Locale.ROOT, "%.3f", r.achievedRate() / direct.achievedRate()),
                        r.percentileMicros(50),
                        r.percentileMicros(99),
                        r.percentileMicros(99.9),
                        r.maxMicros(),
                        r.errorCount(),
                        step.cpuMicros().getOrDefault(e.getKey(), 0.0),
                        direct == null || isDirect ? "" : signed(r.percentileMicros(50) - direct.percentileMicros(50)),
                        direct == null || isDirect
                                ? ""
                                : signed(r.percentileMicros(99) - direct.percentileMicros(99))));
                first = false;
            }
        }
        sb.append("\nTargets of issue 7")
                .append(
                        settings.protocol() == io.cellrouter.loadtest.load.Protocol.HTTP1
                                ? ""
                                : " (set for HTTP/1.1; shown for "
                                        + settings.protocol().label() + ")")
                .append('\n');
        for (Check c : checks()) {
            sb.append(String.format(
                    Locale.ROOT, "  [%s] %s: %s%n", c.held() ? "held" : "MISSED", c.name(), c.measured()));
        }
        return sb.toString();
    }

    public String json() {
        Map<String, Object> out = new LinkedHashMap<>(header);
        out.put("skipped", skipped);
        Map<String, Object> max = new LinkedHashMap<>();
        outcome.maximum().forEach((k, v) -> {
            Map<String, Object> m = RunReport.toMap(v);
            m.put("cpu_us_per_request", round1(outcome.maximumCpuMicros().getOrDefault(k, 0.0)));
            max.put(k, m);
        });
        out.put("maximum", max);
        out.put("base_rate", Math.round(outcome.baseRate()));
        List<Object> steps = new ArrayList<>();
        for (BenchRunner.Step step : outcome.steps()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("percent", step.percent());
            s.put("rate", Math.round(step.rate()));
            Map<String, Object> results = new LinkedHashMap<>();
            step.results().forEach((k, v) -> {
                Map<String, Object> m = RunReport.toMap(v);
                m.put("cpu_us_per_request", round1(step.cpuMicros().getOrDefault(k, 0.0)));
                results.put(k, m);
            });
            s.put("results", results);
            steps.add(s);
        }
        out.put("steps", steps);
        out.put("ratios", ratios());
        List<Object> checks = new ArrayList<>();
        for (Check c : checks()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", c.name());
            m.put("measured", c.measured());
            m.put("held", c.held());
            checks.add(m);
        }
        out.put("targets", checks);
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** router/x maximum-throughput ratios, and router-added p50/p99 at each step. */
    public Map<String, Object> ratios() {
        Map<String, Object> out = new LinkedHashMap<>();
        RunResult router = outcome.maximum().get("router");
        if (router != null) {
            for (Map.Entry<String, RunResult> e : outcome.maximum().entrySet()) {
                if (!e.getKey().equals("router") && e.getValue().achievedRate() > 0) {
                    out.put(
                            "max_router_vs_" + e.getKey(),
                            round3(router.achievedRate() / e.getValue().achievedRate()));
                    double cpuOther = outcome.maximumCpuMicros().getOrDefault(e.getKey(), 0.0);
                    if (cpuOther > 0) {
                        out.put(
                                "cpu_per_request_router_vs_" + e.getKey(),
                                round3(outcome.maximumCpuMicros().getOrDefault("router", 0.0) / cpuOther));
                    }
                }
            }
        }
        for (BenchRunner.Step step : outcome.steps()) {
            RunResult direct = step.results().get("direct");
            RunResult r = step.results().get("router");
            if (direct != null && r != null && direct.achievedRate() > 0) {
                String p = "at_" + step.percent() + "pct_";
                out.put(p + "achieved_router_vs_direct", round3(r.achievedRate() / direct.achievedRate()));
                out.put(p + "added_p50_us", r.percentileMicros(50) - direct.percentileMicros(50));
                out.put(p + "added_p99_us", r.percentileMicros(99) - direct.percentileMicros(99));
            }
        }
        return out;
    }

    public List<Check> checks() {
        List<Check> checks = new ArrayList<>();
        RunResult router = outcome.maximum().get("router");
        RunResult direct = outcome.maximum().get("direct");
        RunResult nginx = outcome.maximum().get("nginx");
        if (router == null) {
            return checks;
        }
        String proto = settings.protocol().label();
        if (nginx != null && nginx.achievedRate() > 0) {
            double ratio = router.achievedRate() / nginx.achievedRate();
            checks.add(new Check(
                    proto + " routed max throughput >= 1.1x nginx",
                    String.format(
                            Locale.ROOT,
                            "%.0f vs %.0f req/s = %.2fx",
                            router.achievedRate(),
                            nginx.achievedRate(),
                            ratio),
                    ratio >= 1.1));
        }
        if (direct != null && direct.achievedRate() > 0) {
            double ratio = router.achievedRate() / direct.achievedRate();
            checks.add(new Check(
                    proto + " routed max throughput >= 0.57 of direct",
                    String.format(
                            Locale.ROOT,
                            "%.0f vs %.0f req/s = %.2f",
                            router.achievedRate(),
                            direct.achievedRate(),
                            ratio),
                    ratio >= 0.57));
        }
        if (nginx != null) {
            checks.add(new Check(
                    "p99 at " + settings.connections() + " connections (closed loop, max load) <= nginx's",
                    router.percentileMicros(99) + " vs " + nginx.percentileMicros(99) + " us",
                    router.percentileMicros(99) <= nginx.percentileMicros(99)));
        }
        for (BenchRunner.Step step : outcome.steps()) {
            if (step.percent() != 50) {
                continue;
            }
            RunResult d = step.results().get("direct");
            RunResult r = step.results().get("router");
            if (d == null || r == null) {
                continue;
            }
            long p50 = r.percentileMicros(50) - d.percentileMicros(50);
            long p99 = r.percentileMicros(99) - d.percentileMicros(99);
            checks.add(new Check(
                    "at 50% of router max, open loop: router-added p50 <= 50 us",
                    String.format(
                            Locale.ROOT, "%+d us (%d vs %d)", p50, r.percentileMicros(50), d.percentileMicros(50)),
                    p50 <= 50));
            checks.add(new Check(
                    "at 50% of router max, open loop: router-added p99 <= 300 us",
                    String.format(
                            Locale.ROOT, "%+d us (%d vs %d)", p99, r.percentileMicros(99), d.percentileMicros(99)),
                    p99 <= 300));
        }
        return checks;
    }

    private static String signed(long v) {
        return (v >= 0 ? "+" : "") + v;
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
