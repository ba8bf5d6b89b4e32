package io.cellrouter.loadtest.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The scheduler against a real server that stalls on purpose for one second: requests keep leaving
 * at their intended times, and the latency of every request caught by the stall counts its wait
 * (coordinated omission corrected), whether it waited in the server or in the generator's queue.
 *
 * <p>Timing: these runs measure wall-clock behaviour, so the figures are chosen to stay apart from
 * what a busy machine adds. A one-second warm-up (not measured) takes the cold start out of the
 * figures: class loading, the first connections and the JIT made the first requests of a fresh JVM
 * wait over 100 ms. The stall (1 s) is long against a scheduling hiccup, and the latency threshold
 * (half the stall, 500 ms) is far above one, so only a request the stall caught can cross it. A
 * broken generator misses the expected counts by a wide factor: one that pauses while answers are
 * missing sends none during the stall, and one that measures from the actual send instead of the
 * intended time counts one slow request instead of about fifty.
 */
class OpenLoopSchedulerTest {

    private static final int RATE = 100;
    private static final Duration WARMUP = Duration.ofSeconds(1);
    private static final Duration DURATION = Duration.ofSeconds(3);
    private static final long STALL_AFTER_MILLIS = 1_500; // from the first request: 0.5 s into the measured window
    private static final long STALL_MILLIS = 1_000;
    private static final long HALF_STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS / 2);
    /** Requests intended during the stall: RATE per second. */
    private static final long CAUGHT = RATE * STALL_MILLIS / 1_000;
    /** Of them, those intended during its first half, so waiting more than half of it. */
    private static final long WAITED_OVER_HALF = CAUGHT / 2;

    @Test
    void manyConnections_serverStalls_requestsStillArriveAtTheirIntendedTimes() throws Exception {
        try (StallingServer server = new StallingServer(STALL_AFTER_MILLIS, STALL_MILLIS)) {
            // More connections than the stall catches requests: none waits for a free connection.
            RunResult result = new LoadGenerator(plan(server, (int) (CAUGHT * 3 / 2))).run(null, null);

            long total = RATE * DURATION.toSeconds();
            assertThat(result.sent()).isEqualTo(total);
            assertThat(result.requests()).isEqualTo(total);
            assertThat(result.errorCount()).isZero();
            // The generator did not pause while nothing came back: ~100 requests arrived during the stall.
            long duringStall = server.arrivals().stream()
                    .filter(t -> t >= server.stallStart() && t < server.stallEnd())
                    .count();
            assertThat(duringStall).isBetween(CAUGHT * 8 / 10, CAUGHT * 12 / 10);
            // Each of them waited until the stall ended: latencies spread from ~1 s down to ~0.
            assertThat(result.latency().getMaxValue()).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(900));
            assertThat(overHalfTheStall(result))
                    .as(summary(result))
                    .isBetween(WAITED_OVER_HALF * 8 / 10, WAITED_OVER_HALF * 12 / 10);
        }
    }

    @Test
    void oneConnection_serverStalls_queuedRequestsCountTheirWait() throws Exception {
        try (StallingServer server = new StallingServer(STALL_AFTER_MILLIS, STALL_MILLIS)) {
            RunResult result = new LoadGenerator(plan(server, 1)).run(null, null);

            // Every request was issued, none dropped, although only one could be outstanding at a time.
            assertThat(result.requests()).isEqualTo(RATE * DURATION.toSeconds());
            assertThat(result.errorCount()).isZero();
            // A closed-loop tool would record one slow request; here every request intended during the
            // first half of the stall waited more than half of it (about 50 of them).
            assertThat(overHalfTheStall(result))
                    .as(summary(result))
                    .isBetween(WAITED_OVER_HALF * 8 / 10, WAITED_OVER_HALF * 12 / 10);
            assertThat(result.latency().getMaxValue()).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(900));
            // And the rate held: the queue drained after the stall.
            assertThat(result.achievedRate()).isGreaterThan(RATE * 0.95);
        }
    }

    @Test
    void noServer_requestsFailFastAsConnectErrors() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RunResult result = new LoadGenerator(Plans.open(
                        java.net.URI.create("http://127.0.0.1:" + port), Protocol.HTTP1, 100, Duration.ofSeconds(1), 2))
                .run(null, null);

        assertThat(result.requests()).isZero();
        assertThat(result.errors().get(ErrorKind.CONNECT)).isEqualTo(100);
    }

    private static LoadPlan plan(StallingServer server, int connections) {
        return Plans.withWarmup(Plans.open(server.uri(), Protocol.HTTP1, RATE, DURATION, connections), WARMUP);
    }

    private static long overHalfTheStall(RunResult result) {
        return result.latency().getCountBetweenValues(HALF_STALL_NANOS, Long.MAX_VALUE);
    }

    private static String summary(RunResult result) {
        return String.format(
                java.util.Locale.ROOT,
                "latency ms: p50 %.1f, p90 %.1f, p99 %.1f, max %.1f; %d responses",
                result.latency().getValueAtPercentile(50) / 1e6,
                result.latency().getValueAtPercentile(90) / 1e6,
                result.latency().getValueAtPercentile(99) / 1e6,
                result.latency().getMaxValue() / 1e6,
                result.latency().getTotalCount());
    }
}
