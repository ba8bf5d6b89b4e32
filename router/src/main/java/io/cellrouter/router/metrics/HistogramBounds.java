package io.cellrouter.router.metrics;

import java.time.Duration;

/**
 * The bucket bounds of the router's latency histograms: 1, 2.5 and 5 per decade, over the range
 * each histogram measures. A few fixed buckets, not Micrometer's percentile histogram (about a
 * hundred per histogram): every (cell, protocol) has three histograms, and a fleet of routers in
 * front of many cells would otherwise send tens of thousands of series each to Prometheus. Fewer
 * buckets also make recording cheaper, once per request. {@code histogram_quantile} interpolates
 * inside a bucket, so a quantile read from these is accurate to its bucket's width.
 */
final class HistogramBounds {

    /** Whole exchanges, a cell's part, shadow copies: 250 µs to 60 s. */
    static final Duration[] EXCHANGE =
            millis(0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000);

    /** What the router adds before the request leaves (identity, routing, the connection): 5 µs to 10 s. */
    static final Duration[] ROUTER =
            millis(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1_000, 10_000);

    private HistogramBounds() {}

    private static Duration[] millis(double... bounds) {
        Duration[] durations = new Duration[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            durations[i] = Duration.ofNanos(Math.round(bounds[i] * 1_000_000));
        }
        return durations;
    }
}
