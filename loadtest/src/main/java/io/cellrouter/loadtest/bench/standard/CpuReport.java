package io.cellrouter.loadtest.bench.standard;

import java.util.List;
import java.util.Locale;

/**
 * The report's lines on each proxy's CPU per request, beside its throughput: on a machine whose
 * cores the client, the cells and the proxy share, a proxy that costs more CPU per request leaves
 * less for the others, so this says how far a throughput ratio is the proxy's own cost.
 */
final class CpuReport {

    private static final List<String> PROXIES = List.of("haproxy", "nginx", "router");

    private CpuReport() {}

    static void appendText(StringBuilder sb, List<StandardBench.Row> rows, boolean medianRounds) {
        boolean any =
                rows.stream().flatMap(r -> r.measurements().values().stream()).anyMatch(m -> m.cpu() != null);
        if (!any) {
            return;
        }
        sb.append(medianRounds ? "\nCPU per request of each proxy's median round" : "\nCPU per request of each proxy");
        sb.append(" (us; its processes' time on a CPU, from /proc schedstat, per wall second, over the client's"
                + " requests per second)\n");
        sb.append(String.format(Locale.ROOT, "  %-16s %10s %10s %12s%n", "load", "haproxy", "nginx", "cell-router"));
        boolean anyMeasuredOnly = false;
        for (StandardBench.Row row : rows) {
            String[] cells = new String[PROXIES.size()];
            boolean measuredOnly = false;
            boolean anyInRow = false;
            for (int i = 0; i < cells.length; i++) {
                StandardBench.Measurement m = row.measurements().get(PROXIES.get(i));
                CpuPerRequest cpu = m == null ? null : m.cpu();
                cells[i] = cpu == null ? "-" : String.format(Locale.ROOT, "%.1f", cpu.micros());
                measuredOnly |= cpu != null && cpu.measuredOnly();
                anyInRow |= cpu != null;
            }
            if (!anyInRow) {
                continue;
            }
            anyMeasuredOnly |= measuredOnly;
            sb.append(String.format(
                    Locale.ROOT,
                    "  %-16s %10s %10s %12s%n",
                    row.load().label() + (measuredOnly ? " *" : ""),
                    cells[0],
                    cells[1],
                    cells[2]));
        }
        if (anyMeasuredOnly) {
            sb.append("  * over the measured run only; other rows over warm-up and measured run, at the same load\n");
        }
    }
}
