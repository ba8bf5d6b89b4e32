package io.cellrouter.router.metrics;

/**
 * Log-linear latency buckets in microseconds: each power of two is split into four equal steps, so
 * a bucket is at most 25% wide and a percentile read from it is within about 12% of the truth.
 * Bucket {@code 4e + s} holds {@code [2^e (1 + s/4), 2^e (1 + (s+1)/4))} µs; the last one (about
 * 2^27 µs, over two minutes) holds everything longer. Computing a bucket allocates nothing.
 */
final class LatencyBuckets {

    static final int COUNT = 4 * 28;

    private LatencyBuckets() {}

    static int of(long nanos) {
        long micros = Math.max(1, nanos / 1000);
        int exponent = 63 - Long.numberOfLeadingZeros(micros);
        int step = exponent >= 2 ? (int) ((micros >>> (exponent - 2)) & 3) : (int) ((micros << (2 - exponent)) & 3);
        return Math.min(COUNT - 1, 4 * exponent + step);
    }

    /** The middle of bucket {@code index}, in milliseconds. */
    static double middleMillis(int index) {
        int exponent = index / 4;
        int step = index % 4;
        return Math.pow(2, exponent) * (1 + (step + 0.5) / 4) / 1000.0;
    }

    /** The value at quantile {@code q} (0..1) of a histogram of {@code total} samples, in ms; 0 when empty. */
    static double quantileMillis(long[] counts, long total, double q) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return middleMillis(i);
            }
        }
        return middleMillis(counts.length - 1);
    }
}
