package io.cellrouter.loadtest.bench.standard;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads h2load's summary:
 *
 * <pre>
 * finished in 13.00s, 92123.33 req/s, 3.51MB/s
 * requests: 921233 total, 921233 started, 921233 done, 921233 succeeded, 0 failed, 0 errored, 0 timeout
 * status codes: 921233 2xx, 0 3xx, 0 4xx, 0 5xx
 *                      min         max         mean         sd        +/- sd
 * time for request:       69us     19.53ms      1.71ms      1.32ms    89.49%
 * </pre>
 *
 * With {@code -D} the counts and req/s cover the measured window only (the warm-up is left out).
 * {@code failed} counts every request that did not end in a 2xx or 3xx answer (resets, timeouts,
 * errors included): those are the errors. h2load prints no percentiles, only min, max and mean. A
 * run that completed no request is an error, not a zero.
 */
final class H2loadOutputParser {

    private static final String TIME = "(\\d+(?:\\.\\d+)?(?:us|ms|s|m|h))";
    private static final Pattern FINISHED = Pattern.compile("(?m)^finished in \\S+, (\\d+(?:\\.\\d+)?) req/s");
    private static final Pattern REQUESTS = Pattern.compile("(?m)^requests: (\\d+) total, (\\d+) started, (\\d+) done,"
            + " (\\d+) succeeded, (\\d+) failed, (\\d+) errored, (\\d+) timeout\\s*$");
    private static final Pattern TIME_FOR_REQUEST =
            Pattern.compile("(?m)^time for request:\\s+" + TIME + "\\s+" + TIME + "\\s+" + TIME + "\\s");

    private H2loadOutputParser() {}

    static DriverResult parse(String output) throws DriverException {
        Matcher finished = FINISHED.matcher(output);
        Matcher requests = REQUESTS.matcher(output);
        if (!finished.find() || !requests.find()) {
            throw new DriverException("h2load printed no result (finished in ..., requests: ...)");
        }
        long done = Long.parseLong(requests.group(3));
        if (done == 0) {
            // What h2load prints when the target closed its connections (GOAWAY, e.g. a per-connection
            // request limit reached during the warm-up: h2load does not reconnect in -D mode) or
            // never answered.
            throw new DriverException("h2load completed no request in the measured window (connections closed by"
                    + " the target, or never answered)");
        }
        long failed = Long.parseLong(requests.group(5));
        Matcher time = TIME_FOR_REQUEST.matcher(output);
        boolean timed = time.find();
        return new DriverResult(
                Double.parseDouble(finished.group(1)),
                done,
                failed,
                DriverResult.NOT_REPORTED,
                DriverResult.NOT_REPORTED,
                timed ? ToolDurations.micros(time.group(3)) : DriverResult.NOT_REPORTED,
                timed ? ToolDurations.micros(time.group(2)) : DriverResult.NOT_REPORTED);
    }
}
