package io.cellrouter.loadtest.bench.standard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The comparison's table: throughput of each target relative to direct, the router relative to
 * haproxy and nginx, p99 relative to direct, then the measured figures; and every missing tool
 * and failure, loudly. As text and as JSON. With several rounds each target's figures are its
 * median round, and {@link RoundsReport} adds every round.
 */
public final class StandardReport {

    private static final Map<String, String> COLUMN =
            Map.of("direct", "direct", "haproxy", "haproxy", "nginx", "nginx", "router", "cell-router");

    private final Map<String, Object> header;
    private final Duration warmup;
    private final Duration duration;
    private final List<StandardBench.Row> rows;
    private final RoundsReport rounds;

    public StandardReport(
            Map<String, Object> header, Duration warmup, Duration duration, List<StandardBench.Row> rows) {
        this(header, warmup, duration, 1, rows);
    }

    /** {@code rounds}: how many times each target was loaded (1: the report of one run, as it always was). */
    public StandardReport(
            Map<String, Object> header, Duration warmup, Duration duration, int rounds, List<StandardBench.Row> rows) {
        this.header = header;
        this.warmup = warmup;
        this.duration = duration;
        this.rows = rows;
        this.rounds = rounds > 1 ? new RoundsReport(rounds) : null;
    }

    public String text() {
        StringBuilder sb = new StringBuilder();
        header.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%-12s %s%n", k, v)));
        for (StandardBench.Row row : rows) {
            sb.append(String.format(
                    Locale.ROOT, "%-12s %s: %s%n", "client", row.load().label(), row.tool()));
            sb.append(String.format(Locale.ROOT, "%-12s   %s%n", "", row.client()));
        }
        sb.append(String.format(
                Locale.ROOT,
                "%nStandard clients, each target loaded alone: %d s warm-up (not recorded), then %d s measured.%n",
                warmup.toSeconds(),
                duration.toSeconds()));
        if (rounds != null) {
            sb.append(rounds.note());
        }
        sb.append("\nThroughput relative to direct; the router relative to haproxy and nginx; p99 relative to"
                + " direct\n");
        sb.append(String.format(
                Locale.ROOT,
                "  %-16s %8s %8s %8s %12s %10s %10s %12s%n",
                "load",
                "direct",
                "haproxy",
                "nginx",
                "cell-router",
                "r/haproxy",
                "r/nginx",
                "r p99/direct"));
        for (StandardBench.Row row : rows) {
            sb.append(String.format(Locale.ROOT, "  %-16s", row.load().label()));
            if (row.missing() != null) {
                sb.append(" MISSING: ").append(row.missing()).append('\n');
                continue;
            }
            for (String t : StandardBench.TARGETS) {
                sb.append(String.format(Locale.ROOT, " %" + (t.equals("router") ? 12 : 8) + "s", ratioCell(row, t)));
            }
            sb.append(String.format(
                    Locale.ROOT,
                    " %10s %10s %12s%n",
                    format(ratio(row, "router", "haproxy")),
                    format(ratio(row, "router", "nginx")),
                    row.load() == StandardLoad.H2C ? "n/a" : format(p99Ratio(row, "router"))));
        }
        sb.append("\nMeasured (us; h2load reports no percentiles, grpc-java's client no mean or count)\n");
        sb.append(String.format(
                        Locale.ROOT,
                        "  %-16s %-12s %10s %8s %8s %8s %9s %10s %7s",
                        "load",
                        "target",
                        "req/s",
                        "p50",
                        "p99",
                        "mean",
                        "max",
                        "requests",
                        "errors"))
                .append(rounds != null ? "  round\n" : "\n");
        List<String> problems = new ArrayList<>();
        for (StandardBench.Row row : rows) {
            if (row.missing() != null) {
                problems.add("MISSING  " + row.load().label() + ": " + row.missing());
                continue;
            }
            for (StandardBench.Measurement c : row.measurements().values()) {
                DriverResult r = c.result();
                List<StandardBench.Measurement> runs =
                        rounds == null ? null : row.rounds().get(c.target());
                if (runs != null) {
                    problems.addAll(rounds.problems(row.load().label(), COLUMN.get(c.target()), runs));
                }
                if (r == null) {
                    if (runs == null) {
                        problems.add((c.missing() ? "MISSING  " : "FAILED   ")
                                + row.load().label() + " " + COLUMN.get(c.target()) + ": " + c.problem());
                    }
                    continue;
                }
                sb.append(String.format(
                        Locale.ROOT,
                        "  %-16s %-12s %10.0f %8s %8s %8s %9s %10s %7s",
                        row.load().label(),
                        COLUMN.get(c.target()),
                        r.requestsPerSecond(),
                        figure(r.p50Micros()),
                        figure(r.p99Micros()),
                        figure(r.meanMicros()),
                        figure(r.maxMicros()),
                        figure(r.requests()),
                        r.errors() > 0 ? r.errors() + " !" : figure(r.errors())));
                sb.append(runs != null ? "  " + RoundsReport.choice(runs) + "\n" : "\n");
                if (r.errors() > 0 && runs == null) {
                    problems.add("ERRORS   " + row.load().label() + " " + COLUMN.get(c.target()) + ": " + r.errors()
                            + " failed requests: its throughput is not comparable");
                }
            }
        }
        if (rounds != null) {
            rounds.appendText(sb, rows);
        }
        appendRouterTimes(sb);
        CpuReport.appendText(sb, rows, rounds != null);
        if (!problems.isEmpty()) {
            sb.append('\n');
            problems.forEach(p -> sb.append(p).append('\n'));
        }
        boolean described =
                rows.stream().flatMap(r -> r.measurements().values().stream()).anyMatch(m -> m.description() != null);
        sb.append(described ? "\nTargets\n" : "");
        for (StandardBench.Row row : rows) {
            for (StandardBench.Measurement c : row.measurements().values()) {
                if (c.description() != null) {
                    sb.append(String.format(
                            Locale.ROOT,
                            "  %-16s %-12s %s%n",
                            row.load().label(),
                            COLUMN.get(c.target()),
                            c.description()));
                }
            }
        }
        return sb.toString();
    }

    /** The router's own view of its runs, when it had one: is a tail its work or the wait for the cell? */
    private void appendRouterTimes(StringBuilder sb) {
        boolean any =
                rows.stream().flatMap(r -> r.measurements().values().stream()).anyMatch(m -> m.routerTimes() != null);
        if (!any) {
            return;
        }
        sb.append(rounds != null ? "\nThe router's own view of its median round (" : "\nThe router's own view (");
        sb.append("its histograms over the warm-up and the measured run; us, p50 / p99):"
                + " the whole exchange, before the request left for the cell, from then to the cell's answer\n");
        sb.append(String.format(Locale.ROOT, "  %-16s %17s %17s %17s%n", "load", "whole", "before the cell", "cell"));
        boolean anyMeasuredOnly = false;
        for (StandardBench.Row row : rows) {
            StandardBench.Measurement m = row.measurements().get("router");
            if (m == null || m.routerTimes() == null) {
                continue;
            }
            RouterTimes t = m.routerTimes();
            anyMeasuredOnly |= t.measuredOnly();
            sb.append(String.format(
                    Locale.ROOT,
                    "  %-16s %17s %17s %17s%n",
                    row.load().label() + (t.measuredOnly() ? " *" : ""),
                    split(t.total()),
                    split(t.beforeCell()),
                    split(t.cell())));
        }
        if (anyMeasuredOnly) {
            sb.append("  * over the measured run only: its client warms up in a run of its own\n");
        }
    }

    private static String split(RouterTimes.Split s) {
        return s.count() == 0 ? "-" : figure(s.p50Micros()) + " / " + figure(s.p99Micros());
    }

    public String json() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toMap());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>(header);
        out.put("warmup_s", warmup.toSeconds());
        out.put("duration_s", duration.toSeconds());
        if (rounds != null) {
            out.put("rounds", rounds.count());
        }
        List<Object> loads = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (StandardBench.Row row : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("load", row.load().id());
            m.put("label", row.load().label());
            m.put("tool", row.tool());
            m.put("client", row.client());
            m.put("missing", row.missing());
            if (row.missing() != null) {
                missing.add(row.load().id() + ": " + row.missing());
            }
            Map<String, Object> targets = new LinkedHashMap<>();
            for (StandardBench.Measurement c : row.measurements().values()) {
                Map<String, Object> t = c.result() != null ? c.result().toMap() : new LinkedHashMap<>();
                List<StandardBench.Measurement> runs =
                        rounds == null ? null : row.rounds().get(c.target());
                if (c.result() == null) {
                    t.put(c.missing() ? "missing" : "failed", c.problem());
                    if (runs == null) {
                        (c.missing() ? missing : failed).add(row.load().id() + " " + c.target() + ": " + c.problem());
                    }
                }
                if (runs != null) {
                    failed.addAll(rounds.failures(row.load().id(), c.target(), runs));
                }
                t.put("description", c.description());
                if (c.routerTimes() != null) {
                    t.put("router_times", c.routerTimes().toMap());
                }
                if (c.cpu() != null) {
                    t.put("cpu_per_request", c.cpu().toMap());
                }
                if (runs != null) {
                    rounds.putJson(t, runs);
                }
                targets.put(c.target(), t);
            }
            m.put("targets", targets);
            Map<String, Object> ratios = new LinkedHashMap<>();
            for (String t : StandardBench.TARGETS.subList(1, StandardBench.TARGETS.size())) {
                ratios.put(t + "_vs_direct", round(ratio(row, t, "direct")));
            }
            ratios.put("router_vs_haproxy", round(ratio(row, "router", "haproxy")));
            ratios.put("router_vs_nginx", round(ratio(row, "router", "nginx")));
            ratios.put("router_p99_vs_direct", round(p99Ratio(row, "router")));
            m.put("ratios", ratios);
            if (rounds != null) {
                m.put("round_ratios", rounds.roundRatios(row));
            }
            loads.add(m);
        }
        out.put("loads", loads);
        out.put("missing", missing);
        out.put("failed", failed);
        return out;
    }

    /** {@code a}'s throughput over {@code b}'s; NaN when either has no result. */
    static double ratio(StandardBench.Row row, String a, String b) {
        return ratio(result(row, a), result(row, b));
    }

    /** {@code a}'s throughput over {@code b}'s; NaN when either has no result. */
    static double ratio(DriverResult a, DriverResult b) {
        return a == null || b == null || b.requestsPerSecond() <= 0
                ? Double.NaN
                : a.requestsPerSecond() / b.requestsPerSecond();
    }

    static double p99Ratio(StandardBench.Row row, String target) {
        DriverResult r = result(row, target);
        DriverResult d = result(row, "direct");
        return r == null || d == null || !r.hasP99() || !d.hasP99() || d.p99Micros() <= 0
                ? Double.NaN
                : (double) r.p99Micros() / d.p99Micros();
    }

    private static String ratioCell(StandardBench.Row row, String target) {
        StandardBench.Measurement c = row.measurements().get(target);
        if (c == null) {
            return "-";
        }
        if (c.result() == null) {
            return c.missing() ? "MISSING" : "FAILED";
        }
        return format(ratio(row, target, "direct")) + (c.result().errors() > 0 ? "!" : "");
    }

    private static DriverResult result(StandardBench.Row row, String target) {
        StandardBench.Measurement c = row.measurements().get(target);
        return c == null ? null : c.result();
    }

    /** The table's name of a target (the router is "cell-router"). */
    static String column(String target) {
        return COLUMN.get(target);
    }

    static String format(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    static Double round(double v) {
        return Double.isNaN(v) ? null : Math.round(v * 1000) / 1000.0;
    }

    private static String figure(long v) {
        return v == DriverResult.NOT_REPORTED ? "-" : String.valueOf(v);
    }
}
