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
        double scale;
        switch (m.group(2)) {
            case "us":
                scale = 1;
                break;
            case "ms":
                scale = 1e3;
                break;
            case "s":
                scale = 1e6;
                break;
            case "m":
                scale = 60e6;
                break;
            default:
                scale = 3600e6;
        }
        return Math.round(v * scale);
    }
}
