package io.cellrouter.loadtest.bench.standard;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what {@code wrk --latency} prints:
 *
 * <pre>
 *   Thread Stats   Avg      Stdev     Max   +/- Stdev
 *     Latency   412.10us  301.55us  12.14ms   94.12%
 *   Latency Distribution
 *      50%  370.00us
 *      99%    1.02ms
 *   470606 requests in 10.00s, 49.37MB read
 *   Socket errors: connect 0, read 0, write 0, timeout 0
 *   Non-2xx or 3xx responses: 12
 * Requests/sec:  47058.92
 * </pre>
 *
 * Errors are the socket errors plus the non-2xx/3xx answers (both lines appear only when not zero).
 */
final class WrkOutputParser {

    private static final String TIME = "(\\d+(?:\\.\\d+)?(?:us|ms|s|m|h))";
    private static final Pattern RATE = Pattern.compile("(?m)^Requests/sec:\\s+(\\d+(?:\\.\\d+)?)\\s*$");
    private static final Pattern REQUESTS = Pattern.compile("(?m)^\\s*(\\d+) requests in ");
    private static final Pattern LATENCY =
            Pattern.compile("(?m)^\\s*Latency\\s+" + TIME + "\\s+" + TIME + "\\s+" + TIME + "\\s");
    private static final Pattern SOCKET_ERRORS =
            Pattern.compile("(?m)^\\s*Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)\\s*$");
    private static final Pattern NON_2XX = Pattern.compile("(?m)^\\s*Non-2xx or 3xx responses: (\\d+)\\s*$");

    private WrkOutputParser() {}

    static DriverResult parse(String output) throws DriverException {
        Matcher rate = RATE.matcher(output);
        Matcher requests = REQUESTS.matcher(output);
        Matcher latency = LATENCY.matcher(output);
        if (!rate.find() || !requests.find() || !latency.find()) {
            throw new DriverException("wrk printed no result (Requests/sec, requests, Latency)");
        }
        long requestCount = Long.parseLong(requests.group(1));
        if (requestCount == 0) {
            throw new DriverException("wrk completed no request");
        }
        long errors = 0;
        Matcher socket = SOCKET_ERRORS.matcher(output);
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(socket.group(g));
            }
        }
        Matcher non2xx = NON_2XX.matcher(output);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        return new DriverResult(
                Double.parseDouble(rate.group(1)),
                requestCount,
                errors,
                percentile(output, "50"),
                percentile(output, "99"),
                ToolDurations.micros(latency.group(1)),
                ToolDurations.micros(latency.group(3)));
    }

    private static long percentile(String output, String percent) throws DriverException {
        Matcher m = Pattern.compile("(?m)^\\s+" + Pattern.quote(percent) + "%\\s+" + TIME + "\\s*$")
                .matcher(output);
        if (!m.find()) {
            throw new DriverException("wrk printed no " + percent + "% latency (was --latency given?)");
        }
        return ToolDurations.micros(m.group(1));
    }
}
