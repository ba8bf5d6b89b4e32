package io.cellrouter.router.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cellrouter.router.metrics.LiveStats.CellTraffic;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LiveStatsTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L); // epoch ms, on a second boundary
    private final LiveStats stats = new LiveStats(now::get);

    private static final long MS = 1_000_000L;

    private CellTraffic cell(String name) {
        return stats.read().stream()
                .filter(c -> c.cell().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no traffic for " + name));
    }

    @Test
    void read_currentSecond_isNotCountedUntilItIsComplete() {
        stats.record("cell-1", 200, false, 2 * MS);

        assertThat(stats.read()).isEmpty();

        now.addAndGet(1000);
        assertThat(cell("cell-1").shortWindow().requests()).isEqualTo(1);
    }

    @Test
    void read_tenSecondsOfTraffic_givesRateErrorRatioAndPercentilesPerWindow() {
        for (int second = 0; second < 10; second++) {
            for (int i = 0; i < 100; i++) {
                // 98 fast answers (1 ms) and two slow 5xx (100 ms) per second
                boolean slow = i >= 98;
                stats.record("cell-1", slow ? 502 : 200, false, slow ? 100 * MS : MS);
            }
            now.addAndGet(1000);
        }

        CellTraffic traffic = cell("cell-1");
        assertThat(traffic.shortWindow().requests()).isEqualTo(1000);
        assertThat(traffic.shortWindow().rps()).isEqualTo(100.0);
        assertThat(traffic.shortWindow().errorRatio()).isEqualTo(0.02);
        assertThat(traffic.shortWindow().p50Ms()).isCloseTo(1.0, within(0.15));
        assertThat(traffic.shortWindow().p99Ms()).isCloseTo(100.0, within(15.0));
        assertThat(traffic.longWindow().rps()).isCloseTo(1000 / 60.0, within(0.01));
        assertThat(traffic.requestsPerSecond()).hasSize(60);
        assertThat(traffic.requestsPerSecond()[59]).isEqualTo(100);
        assertThat(traffic.requestsPerSecond()[49]).isZero();
        assertThat(traffic.errorsPerSecond()[50]).isEqualTo(2);
    }

    @Test
    void read_trafficOlderThanTheShortWindow_countsOnlyInTheLongWindow() {
        stats.record("cell-1", 200, false, MS);
        now.addAndGet(30_000);

        CellTraffic traffic = cell("cell-1");
        assertThat(traffic.shortWindow().requests()).isZero();
        assertThat(traffic.shortWindow().rps()).isZero();
        assertThat(traffic.longWindow().requests()).isEqualTo(1);
    }

    @Test
    void read_trafficOlderThanAMinute_isGone_evenWhenItsSlotComesRoundAgain() {
        stats.record("cell-1", 200, false, MS);
        now.addAndGet(61_000);
        assertThat(stats.read()).isEmpty();

        now.addAndGet(3_000); // 64 s after: the same slot, a new second
        stats.record("cell-1", 200, false, MS);
        now.addAndGet(1_000);
        assertThat(cell("cell-1").longWindow().requests()).isEqualTo(1);
    }

    @Test
    void record_abortedExchange_countsAsAnError_but4xxDoesNot() {
        stats.record("cell-1", 200, true, MS);
        stats.record("cell-1", 429, false, MS);
        stats.record("cell-1", 404, false, MS);
        stats.record("cell-1", 503, false, MS);
        now.addAndGet(1000);

        assertThat(cell("cell-1").shortWindow().errors()).isEqualTo(2);
        assertThat(cell("cell-1").shortWindow().errorRatio()).isEqualTo(0.5);
    }

    @Test
    void read_manyThreadsRecording_mergesEveryThreadsCounts() throws Exception {
        ExecutorService loops = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            String cell = t % 2 == 0 ? "cell-1" : "cell-2";
            loops.execute(() -> {
                for (int i = 0; i < 10_000; i++) {
                    stats.record(cell, 200, false, MS);
                }
            });
        }
        loops.shutdown();
        assertThat(loops.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        now.addAndGet(1000);

        List<CellTraffic> cells = stats.read();
        assertThat(cells).extracting(CellTraffic::cell).containsExactly("cell-1", "cell-2");
        assertThat(cells).allSatisfy(c -> assertThat(c.shortWindow().requests()).isEqualTo(20_000));
    }

    @Test
    void latencyBuckets_areWithinAnEighthOfTheValue() {
        for (long micros : new long[] {1, 7, 150, 999, 1000, 4321, 250_000, 9_000_000}) {
            double middle = LatencyBuckets.middleMillis(LatencyBuckets.of(micros * 1000)) * 1000;
            assertThat(middle).as("%d µs", micros).isCloseTo(micros, within(Math.max(1.0, micros * 0.125)));
        }
    }
}
