package io.cellrouter.loadtest.bench.standard;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what grpc-java's {@code AsyncClient} prints at the end of its run:
 *
 * <pre>
 * 50%ile Latency (in micros):     1023
 * 99%ile Latency (in micros):     3487
 * Maximum Latency (in micros):    76799
 * QPS:                            18589
 * </pre>
 *
 * The client stops at the first failed call (it prints the exception and no figures), so a result
 * means no call failed. It prints no request count and no mean.
 */
final class GrpcBenchOutputParser {

    private static final Pattern QPS = Pattern.compile("(?m)^QPS:\\s+(\\d+)\\s*$");

    private GrpcBenchOutputParser() {}

    static DriverResult parse(String output) throws DriverException {
        Matcher qps = QPS.matcher(output);
        if (!qps.find()) {
            throw new DriverException("the grpc benchmark client printed no result (QPS: ...)");
        }
        return new DriverResult(
                Long.parseLong(qps.group(1)),
                DriverResult.NOT_REPORTED,
                0,
                micros(output, "50%ile Latency"),
                micros(output, "99%ile Latency"),
                DriverResult.NOT_REPORTED,
                micros(output, "Maximum Latency"));
    }

    private static long micros(String output, String label) throws DriverException {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(label) + " \\(in micros\\):\\s+(\\d+)\\s*$")
                .matcher(output);
        if (!m.find()) {
            throw new DriverException("the grpc benchmark client printed no '" + label + "'");
        }
        return Long.parseLong(m.group(1));
    }
}
