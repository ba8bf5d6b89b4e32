package io.cellrouter.loadtest.load;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one run measured, in the measured window only (warm-up excluded).
 *
 * @param plan what was asked
 * @param latency latency of every response (any status), nanoseconds from the intended send time
 * @param requests responses received (any status) for requests intended in the window
 * @param sent requests written to a connection
 * @param errors errors by kind (see {@link ErrorKind}); the fixed kinds are always present
 * @param achievedRate {@code requests} per second over the window, or over the time until the last
 *     of them was answered when that is longer (a server that falls behind does not look faster)
 * @param transport epoll or nio
 * @param warmupResponses responses received during the warm-up (not in any other figure)
 */
public record RunResult(
        LoadPlan plan,
        Histogram latency,
        long requests,
        long sent,
        Map<String, Long> errors,
        double achievedRate,
        String transport,
        long warmupResponses) {

    public long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Latency at {@code percentile} (0..100) in whole microseconds; 0 with no responses. */
    public long percentileMicros(double percentile) {
        if (latency.getTotalCount() == 0) {
            return 0;
        }
        return Math.round(latency.getValueAtPercentile(percentile) / 1000.0);
    }

    public long maxMicros() {
        return latency.getTotalCount() == 0 ? 0 : Math.round(latency.getMaxValue() / 1000.0);
    }

    public double meanMicros() {
        return latency.getTotalCount() == 0 ? 0 : latency.getMean() / 1000.0;
    }
}
