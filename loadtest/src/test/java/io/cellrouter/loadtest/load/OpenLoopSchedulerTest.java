package io.cellrouter.loadtest.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The scheduler against a real server that stalls on purpose for 300 ms: requests keep leaving at
 * their intended times, and the latency of every request caught by the stall counts its wait
 * (coordinated omission corrected), whether it waited in the server or in the generator's queue.
 */
class OpenLoopSchedulerTest {

    private static final int RATE = 200;
    private static final Duration DURATION = Duration.ofSeconds(2);
    private static final long STALL_MILLIS = 300;

    @Test
    void manyConnections_serverStalls_requestsStillArriveAtTheirIntendedTimes() throws Exception {
        try (StallingServer server = new StallingServer(700, STALL_MILLIS)) {
            RunResult result =
                    new LoadGenerator(Plans.open(server.uri(), Protocol.HTTP1, RATE, DURATION, 100)).run(null, null);

            assertThat(result.sent()).isEqualTo(RATE * 2);
            assertThat(result.requests()).isEqualTo(RATE * 2);
            assertThat(result.errorCount()).isZero();
            // The generator did not pause while nothing came back: ~60 requests arrived during the stall.
            long duringStall = server.arrivals().stream()
                    .filter(t -> t >= server.stallStart() && t < server.stallEnd())
                    .count();
            assertThat(duringStall).isBetween(40L, 80L);
            // Each of them waited until the stall ended: latencies spread from ~300 ms down to ~0.
            assertThat(result.latency().getMaxValue()).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(250));
            long over100ms = result.latency().getCountBetweenValues(TimeUnit.MILLISECONDS.toNanos(100), Long.MAX_VALUE);
            assertThat(over100ms).isBetween(25L, 55L);
        }
    }

    @Test
    void oneConnection_serverStalls_queuedRequestsCountTheirWait() throws Exception {
        try (StallingServer server = new StallingServer(700, STALL_MILLIS)) {
            RunResult result =
                    new LoadGenerator(Plans.open(server.uri(), Protocol.HTTP1, RATE, DURATION, 1)).run(null, null);

            // Every request was issued, none dropped, although only one could be outstanding at a time.
            assertThat(result.requests()).isEqualTo(RATE * 2);
            assertThat(result.errorCount()).isZero();
            // A closed-loop tool would record one slow request; here every request intended during the
            // first ~200 ms of the stall waited more than 100 ms (about 40 of them).
            long over100ms = result.latency().getCountBetweenValues(TimeUnit.MILLISECONDS.toNanos(100), Long.MAX_VALUE);
            assertThat(over100ms).isBetween(25L, 55L);
            assertThat(result.latency().getMaxValue()).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(250));
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
}
