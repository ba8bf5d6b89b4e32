package io.cellrouter.loadtest.bench.standard;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as wrk and h2load print them ({@code 823.00us}, {@code 1.71ms}, {@code 1.23s}, {@code 2.00m}). */
final class ToolDurations {

    private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)(us|ms|s|m|h)");

    private ToolDurations() {}

    /** The duration in microseconds, rounded. */
    static long micros(String text) {
        Matcher m = FORMAT.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: '" + text + "'");
        }
        double v = Double.parseDouble(m.group(1));

        double scale =
                switch (m.group(2)) {
                    case "us" -> 1;
                    case "ms" -> 1e3;
                    case "s" -> 1e6;
                    case "m" -> 60e6;
                    default -> 3600e6;
                };
        return Math.round(v * scale);
    }
}
