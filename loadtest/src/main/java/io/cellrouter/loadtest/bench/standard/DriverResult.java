package io.cellrouter.loadtest.bench.standard;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a standard client reported for one measured run. A figure the tool does not report is
 * {@link #NOT_REPORTED} (h2load prints no percentiles, grpc-java's client no request count or mean).
 *
 * @param requestsPerSecond throughput of the measured window, as the tool computed it
 * @param requests requests completed in the measured window
 * @param errors requests that failed: socket errors, timeouts, non-2xx/3xx answers, reset streams
 */
public record DriverResult(
        double requestsPerSecond,
        long requests,
        long errors,
        long p50Micros,
        long p99Micros,
        long meanMicros,
        long maxMicros) {

    public static final long NOT_REPORTED = -1;

    public boolean hasP99() {
        return p99Micros != NOT_REPORTED;
    }

    /** For JSON: every figure, {@code null} where the tool does not report it. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests_per_second", Math.round(requestsPerSecond * 10) / 10.0);
        m.put("requests", orNull(requests));
        m.put("errors", orNull(errors));
        m.put("p50_us", orNull(p50Micros));
        m.put("p99_us", orNull(p99Micros));
        m.put("mean_us", orNull(meanMicros));
        m.put("max_us", orNull(maxMicros));
        return m;
    }

    private static Long orNull(long v) {
        return v == NOT_REPORTED ? null : v;
    }
}
