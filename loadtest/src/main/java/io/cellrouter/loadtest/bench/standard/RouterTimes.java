package io.cellrouter.loadtest.bench.standard;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the router's requests spent their time during one run, from its own latency histograms
 * (two scrapes of its {@code /metrics}: before the warm-up, or after it where the tool warms up
 * in a run of its own ({@link #measuredOnly}), and after the measured run): the whole exchange as
 * the router saw it, the part before the request left for the cell, and the part from then to the
 * head of the cell's answer. Beside the client's p99 it says whether a tail is the router's own
 * work or the wait for the cell's answer.
 *
 * <p>A quantile is the upper bound of the histogram bucket it falls in (the router's buckets are
 * about 10% wide), over every cell and protocol.
 */
public record RouterTimes(Split total, Split beforeCell, Split cell, boolean measuredOnly) {

    static final String TOTAL = "cellrouter_request_duration_seconds";
    static final String BEFORE_CELL = "cellrouter_request_router_seconds";
    static final String CELL = "cellrouter_request_cell_seconds";

    private static final Pattern BUCKET =
            Pattern.compile("^(\\w+)_bucket\\{(?:[^}]*,)?le=\"([^\"]+)\"[^}]*} (\\S+)$", Pattern.MULTILINE);

    /** p50 and p99 in microseconds, over {@code count} requests; -1 when there were none. */
    public record Split(long count, long p50Micros, long p99Micros) {

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("count", count);
            m.put("p50_us", p50Micros);
            m.put("p99_us", p99Micros);
            return m;
        }
    }

    /**
     * The times of the requests between two scrapes of the router's Prometheus text; {@code
     * measuredOnly}: the first scrape was taken after the warm-up.
     */
    public static RouterTimes between(String before, String after, boolean measuredOnly) {
        Map<String, TreeMap<Double, Double>> b = buckets(before);
        Map<String, TreeMap<Double, Double>> a = buckets(after);
        return new RouterTimes(split(b, a, TOTAL), split(b, a, BEFORE_CELL), split(b, a, CELL), measuredOnly);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", total.toMap());
        m.put("before_cell", beforeCell.toMap());
        m.put("cell", cell.toMap());
        if (measuredOnly) {
            m.put("measured_only", true);
        }
        return m;
    }

    /** Per histogram: cumulative count per upper bound, summed over the label sets. */
    static Map<String, TreeMap<Double, Double>> buckets(String exposition) {
        Map<String, TreeMap<Double, Double>> out = new LinkedHashMap<>();
        Matcher m = BUCKET.matcher(exposition);
        while (m.find()) {
            double le = m.group(2).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(2));
            out.computeIfAbsent(m.group(1), k -> new TreeMap<>())
                    .merge(le, Double.parseDouble(m.group(3)), Double::sum);
        }
        return out;
    }

    private static Split split(
            Map<String, TreeMap<Double, Double>> before, Map<String, TreeMap<Double, Double>> after, String name) {
        TreeMap<Double, Double> then = before.getOrDefault(name, new TreeMap<>());
        TreeMap<Double, Double> now = after.getOrDefault(name, new TreeMap<>());
        TreeMap<Double, Double> run = new TreeMap<>();
        now.forEach((le, count) -> run.put(le, count - then.getOrDefault(le, 0.0)));
        double count = run.isEmpty() ? 0 : run.lastEntry().getValue();
        if (count <= 0) {
            return new Split(0, -1, -1);
        }
        return new Split((long) count, quantile(run, count, 0.50), quantile(run, count, 0.99));
    }

    private static long quantile(TreeMap<Double, Double> cumulative, double count, double q) {
        double rank = Math.ceil(q * count);
        for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
            if (e.getValue() >= rank) {
                return e.getKey().isInfinite() ? -1 : Math.round(e.getKey() * 1_000_000);
            }
        }
        return -1;
    }
}
