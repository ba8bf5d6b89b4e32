package io.cellrouter.loadtest.bench.standard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parts of {@link StandardReport} that exist only with several rounds ({@code --rounds} 2 or
 * more): which round each target's figures come from, every round's throughput in run order with
 * the router's ratios within each round (so the reader sees the spread the median hides), and each
 * failed round or round with failed requests by its number. As text and as JSON.
 */
final class RoundsReport {

    private final int rounds;

    RoundsReport(int rounds) {
        this.rounds = rounds;
    }

    int count() {
        return rounds;
    }

    /** The text's note under the run's description: what the figures are. */
    String note() {
        return String.format(
                Locale.ROOT,
                "%d rounds: the servers of a load stay up and each round loads every target once, in the order of"
                        + " the table,%nso the targets take turns in time. Each target's figures are its"
                        + " round with the median throughput%nover the rounds that measured (of an even count, the"
                        + " lower-middle one); the ratios compare those medians.%n",
                rounds);
    }

    /** The Measured table's last column for a target: its median round, of how many. */
    static String choice(List<StandardBench.Measurement> runs) {
        int median = MedianRound.index(runs);
        if (median < 0) {
            return "-";
        }
        long measured = MedianRound.measured(runs);
        StringBuilder failed = new StringBuilder();
        for (int i = 0; i < runs.size(); i++) {
            if (runs.get(i).result() == null) {
                failed.append(failed.length() == 0 ? "round " : ", ").append(i + 1);
            }
        }
        return "round " + (median + 1) + " (median of " + measured
                + (failed.length() == 0 ? "" : "; " + failed + " FAILED") + ")";
    }

    /** Every failed round and every round with failed requests of one target, by round number. */
    List<String> problems(String label, String column, List<StandardBench.Measurement> runs) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            StandardBench.Measurement m = runs.get(i);
            String where = label + " " + column + " round " + (i + 1) + "/" + rounds + ": ";
            if (m.result() == null) {
                out.add("FAILED   " + where + m.problem());
            } else if (m.result().errors() > 0) {
                out.add("ERRORS   " + where + m.result().errors()
                        + " failed requests: its throughput is not comparable");
            }
        }
        return out;
    }

    /** The section listing every round. */
    void appendText(StringBuilder sb, List<StandardBench.Row> rows) {
        if (rows.stream().allMatch(r -> r.rounds().isEmpty())) {
            return;
        }
        sb.append("\nRounds (req/s of each round, in run order; * the median round, ! failed requests;"
                + " r/haproxy and r/nginx: the router's throughput relative to theirs within the round)\n");
        sb.append(String.format(Locale.ROOT, "  %-16s %-12s", "load", "target"));
        for (int i = 1; i <= rounds; i++) {
            sb.append(String.format(Locale.ROOT, " %9s  ", "round " + i));
        }
        endLine(sb);
        for (StandardBench.Row row : rows) {
            row.rounds().forEach((target, runs) -> {
                int median = MedianRound.index(runs);
                List<Cell> cells = new ArrayList<>();
                for (int i = 0; i < runs.size(); i++) {
                    cells.add(throughput(runs.get(i), i == median));
                }
                line(sb, row, StandardReport.column(target), cells);
            });
            for (String peer : List.of("haproxy", "nginx")) {
                if (row.rounds().containsKey("router") && row.rounds().containsKey(peer)) {
                    List<Cell> cells = new ArrayList<>();
                    for (int i = 0; i < rounds; i++) {
                        cells.add(new Cell(StandardReport.format(ratio(row, i, "router", peer)), ""));
                    }
                    line(sb, row, "r/" + peer, cells);
                }
            }
        }
    }

    /** A figure of the rounds section and its marks (* the median round, ! failed requests), kept aligned. */
    private record Cell(String value, String marks) {}

    /** JSON of one target: its median round, how many rounds measured, and every round. */
    void putJson(Map<String, Object> target, List<StandardBench.Measurement> runs) {
        int median = MedianRound.index(runs);
        target.put("median_round", median < 0 ? null : median + 1);
        target.put("rounds_measured", MedianRound.measured(runs));
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            StandardBench.Measurement m = runs.get(i);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("round", i + 1);
            if (m.result() != null) {
                r.putAll(m.result().toMap());
            } else {
                r.put("failed", m.problem());
            }
            if (m.routerTimes() != null) {
                r.put("router_times", m.routerTimes().toMap());
            }
            list.add(r);
        }
        target.put("rounds", list);
    }

    /** JSON of one load: the router's ratios to haproxy and nginx within each round. */
    List<Object> roundRatios(StandardBench.Row row) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("round", i + 1);
            r.put("router_vs_haproxy", StandardReport.round(ratio(row, i, "router", "haproxy")));
            r.put("router_vs_nginx", StandardReport.round(ratio(row, i, "router", "nginx")));
            out.add(r);
        }
        return out;
    }

    /** The failed rounds of one target, for the JSON's list of failures. */
    List<String> failures(String load, String target, List<StandardBench.Measurement> runs) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            if (runs.get(i).result() == null) {
                out.add(load + " " + target + " round " + (i + 1) + "/" + rounds + ": "
                        + runs.get(i).problem());
            }
        }
        return out;
    }

    /** {@code a}'s throughput over {@code b}'s in the round at {@code index}; NaN when either has no result. */
    static double ratio(StandardBench.Row row, int index, String a, String b) {
        return StandardReport.ratio(result(row, index, a), result(row, index, b));
    }

    private static DriverResult result(StandardBench.Row row, int index, String target) {
        List<StandardBench.Measurement> runs = row.rounds().get(target);
        return runs == null || index >= runs.size() ? null : runs.get(index).result();
    }

    private void line(StringBuilder sb, StandardBench.Row row, String name, List<Cell> cells) {
        sb.append(String.format(Locale.ROOT, "  %-16s %-12s", row.load().label(), name));
        for (int i = 0; i < rounds; i++) {
            Cell c = i < cells.size() ? cells.get(i) : new Cell("-", "");
            sb.append(String.format(Locale.ROOT, " %9s%-2s", c.value(), c.marks()));
        }
        endLine(sb);
    }

    /** Ends a line without the padding of its last column. */
    private static void endLine(StringBuilder sb) {
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == ' ') {
            end--;
        }
        sb.setLength(end);
        sb.append('\n');
    }

    private static Cell throughput(StandardBench.Measurement m, boolean median) {
        DriverResult r = m.result();
        if (r == null) {
            return new Cell("FAILED", "");
        }
        return new Cell(
                String.format(Locale.ROOT, "%.0f", r.requestsPerSecond()),
                (r.errors() > 0 ? "!" : "") + (median ? "*" : ""));
    }
}
