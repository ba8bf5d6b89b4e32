package io.cellrouter.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * A self-contained HTML page (inline SVG, no scripts, no external files) drawing the latency
 * percentile distribution of one or more histograms, the way HdrHistogram's plotter does: the
 * x axis is the percentile on a log scale of {@code 1/(1-p)} (so 90%, 99%, 99.9% are evenly
 * spaced), the y axis is latency on a log scale. A table under the chart gives the usual percentiles.
 */
public final class PercentilePlot {

    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
    private static final int WIDTH = 960;
    private static final int HEIGHT = 520;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;

    /** One line of the chart; {@code histogram} in nanoseconds. */
    public record Series(String name, Histogram histogram) {}

    private PercentilePlot() {}

    public static String html(String title, String subtitle, List<Series> series) {
        long maxCount = series.stream()
                .mapToLong(s -> s.histogram().getTotalCount())
                .max()
                .orElse(0);
        int decades = (int) Math.max(2, Math.min(6, Math.ceil(Math.log10((double) Math.max(10, maxCount)))));
        double maxMicros = series.stream()
                .mapToDouble(s ->
                        s.histogram().getTotalCount() == 0 ? 0 : s.histogram().getMaxValue() / 1000.0)
                .max()
                .orElse(1);
        double minMicros = series.stream()
                .filter(s -> s.histogram().getTotalCount() > 0)
                .mapToDouble(s -> s.histogram().getMinValue() / 1000.0)
                .min()
                .orElse(1);
        // Log scale: tails of seconds and medians of microseconds on one chart.
        double yMin = Math.pow(10, Math.floor(Math.log10(Math.max(1, minMicros))));
        double yMax = Math.pow(10, Math.ceil(Math.log10(Math.max(yMin * 10, maxMicros))));
        double yDecades = Math.log10(yMax / yMin);

        StringBuilder svg = new StringBuilder();
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " font-family=\"sans-serif\" font-size=\"12\">%n",
                WIDTH,
                HEIGHT,
                WIDTH,
                HEIGHT));
        svg.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fff\" stroke=\"#999\"/>%n",
                LEFT,
                TOP,
                plotW,
                plotH));
        for (int d = 0; d <= decades; d++) {
            double x = LEFT + plotW * d / (double) decades;
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x,
                    TOP,
                    x,
                    TOP + plotH,
                    x,
                    TOP + plotH + 18,
                    percentileLabel(d)));
        }
        for (double v = yMin; v <= yMax * 1.001; v *= 10) {
            double y = yOf(v, yMin, yDecades, plotH);
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT,
                    y,
                    LEFT + plotW,
                    y,
                    LEFT - 6,
                    y + 4,
                    formatMicros(v)));
        }
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
                LEFT + plotW / 2,
                HEIGHT - 15));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 18 %d)\">latency</text>%n",
                TOP + plotH / 2,
                TOP + plotH / 2));

        for (int s = 0; s < series.size(); s++) {
            Histogram h = series.get(s).histogram();
            String color = COLORS[s % COLORS.length];
            List<String> points = new ArrayList<>();
            if (h.getTotalCount() > 0) {
                for (HistogramIterationValue v : h.percentiles(5)) {
                    double p = v.getPercentileLevelIteratedTo() / 100.0;
                    double decade = p >= 1 ? decades : Math.min(decades, Math.log10(1 / (1 - p)));
                    double x = LEFT + plotW * decade / decades;
                    double y = yOf(v.getValueIteratedTo() / 1000.0, yMin, yDecades, plotH);
                    points.add(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
                }
            }
            svg.append(String.format(
                    Locale.ROOT,
                    "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                    color,
                    String.join(" ", points)));
            int ly = TOP + 18 + 18 * s;
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>"
                            + "<text x=\"%d\" y=\"%d\">%s</text>%n",
                    LEFT + 14,
                    ly - 4,
                    LEFT + 38,
                    ly - 4,
                    color,
                    LEFT + 44,
                    ly,
                    escape(series.get(s).name())));
        }
        svg.append("</svg>\n");

        StringBuilder table = new StringBuilder(
                "<table><tr><th>series</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th>"
                        + "<th>max</th></tr>\n");
        for (Series s : series) {
            Histogram h = s.histogram();
            table.append("<tr><td>")
                    .append(escape(s.name()))
                    .append("</td><td>")
                    .append(h.getTotalCount())
                    .append("</td>");
            for (double p : new double[] {50, 90, 99, 99.9}) {
                table.append("<td>")
                        .append(h.getTotalCount() == 0 ? "-" : formatMicros(h.getValueAtPercentile(p) / 1000.0))
                        .append("</td>");
            }
            table.append("<td>")
                    .append(h.getTotalCount() == 0 ? "-" : formatMicros(h.getMaxValue() / 1000.0))
                    .append("</td></tr>\n");
        }
        table.append("</table>\n");

        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                + "</title>\n<style>body{font-family:sans-serif;margin:24px;color:#222}"
                + "table{border-collapse:collapse;margin-top:16px}td,th{border:1px solid #ccc;padding:4px 10px;"
                + "text-align:right}td:first-child,th:first-child{text-align:left}</style></head>\n<body>\n<h2>"
                + escape(title) + "</h2>\n<p>" + escape(subtitle) + "</p>\n" + svg + table + "</body></html>\n";
    }

    private static String percentileLabel(int decade) {
        return switch (decade) {
            case 0 -> "0%";
            case 1 -> "90%";
            case 2 -> "99%";
            default -> "99." + "9".repeat(decade - 2) + "%";
        };
    }

    static String formatMicros(double micros) {
        if (micros >= 10_000) {
            return String.format(Locale.ROOT, "%.0f ms", micros / 1000);
        }
        if (micros >= 1000) {
            return String.format(Locale.ROOT, "%.1f ms", micros / 1000);
        }
        return String.format(Locale.ROOT, "%.0f us", micros);
    }

    private static double yOf(double micros, double yMin, double yDecades, int plotH) {
        double f = Math.log10(Math.max(yMin, micros) / yMin) / yDecades;
        return TOP + plotH - plotH * Math.min(1, f);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
