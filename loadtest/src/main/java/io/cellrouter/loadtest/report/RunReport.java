package io.cellrouter.loadtest.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellrouter.loadtest.load.LoadPlan;
import io.cellrouter.loadtest.load.RunResult;
import io.cellrouter.router.config.Durations;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The final report of {@code run}: the JSON of docs/BENCHMARKS.md, key order included, with extra keys
 * after the fixed ones, and the same figures as text for a person.
 *
 * <pre>
 * {"protocol": "http1", "requested_rate": 500, "achieved_rate": 499.8, "requests": 2499,
 *  "errors": {"timeout": 0, ...}, "latency_us": {"p50": 180, "p90": 240, "p99": 410, "p999": 900,
 *  "max": 1300}, ...}
 * </pre>
 */
public final class RunReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RunReport() {}

    /** The report as an ordered map (what {@link #json} prints). */
    public static Map<String, Object> toMap(RunResult r) {
        LoadPlan plan = r.plan();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("protocol", plan.protocol().label());
        out.put("requested_rate", plan.closedLoop() ? null : number(plan.rate()));
        out.put("achieved_rate", round1(r.achievedRate()));
        out.put("requests", r.requests());
        out.put("errors", new LinkedHashMap<>(r.errors()));
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("p50", r.percentileMicros(50));
        latency.put("p90", r.percentileMicros(90));
        latency.put("p99", r.percentileMicros(99));
        latency.put("p999", r.percentileMicros(99.9));
        latency.put("max", r.maxMicros());
        latency.put("mean", round1(r.meanMicros()));
        out.put("latency_us", latency);
        out.put("mode", plan.closedLoop() ? "closed" : "open");
        out.put("sent", r.sent());
        out.put("duration_s", plan.duration().toMillis() / 1000.0);
        out.put("warmup_s", plan.warmup().toMillis() / 1000.0);
        out.put("connections", plan.connections());
        out.put("customers", plan.customers().customers());
        out.put("distribution", plan.customers().describe());
        if (plan.postFraction() > 0) {
            out.put("post_fraction", plan.postFraction());
        }
        out.put("targets", plan.targets().stream().map(Object::toString).collect(Collectors.toList()));
        out.put("transport", r.transport());
        return out;
    }

    public static String json(RunResult r) {
        try {
            return JSON.writeValueAsString(toMap(r));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String text(RunResult r) {
        LoadPlan plan = r.plan();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%s %s, %s, %s measured (+%s warm-up), %d connections, %d customers (%s)%n",
                plan.protocol().label(),
                plan.closedLoop() ? "closed loop" : "open loop",
                plan.closedLoop() ? "as fast as answered" : number(plan.rate()) + " req/s requested",
                Durations.format(plan.duration()),
                Durations.format(plan.warmup()),
                plan.connections(),
                plan.customers().customers(),
                plan.customers().describe()));
        if (plan.postFraction() > 0) {
            sb.append(String.format(
                    Locale.ROOT,
                    "  methods   GET and POST (%s of the requests, %d-byte body)%n",
                    number(plan.postFraction()),
                    LoadPlan.POST_BODY_BYTES));
        }
        sb.append("  target    ")
                .append(plan.targets().stream().map(Object::toString).collect(Collectors.joining(", ")))
                .append('\n');
        sb.append(String.format(
                Locale.ROOT,
                "  achieved  %.1f req/s (%d responses, %d sent)%n",
                r.achievedRate(),
                r.requests(),
                r.sent()));
        sb.append(String.format(
                Locale.ROOT,
                "  latency   p50 %d us   p90 %d us   p99 %d us   p99.9 %d us   max %d us   (from intended send time)%n",
                r.percentileMicros(50),
                r.percentileMicros(90),
                r.percentileMicros(99),
                r.percentileMicros(99.9),
                r.maxMicros()));
        String errors = r.errors().entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
        sb.append("  errors    ").append(errors.isEmpty() ? "none" : errors).append('\n');
        return sb.toString();
    }

    /** 500.0 as 500, 12.5 as 12.5: the JSON keeps a whole rate whole, as documented. */
    static Object number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? (Object) (long) v : (Object) v;
    }

    static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
