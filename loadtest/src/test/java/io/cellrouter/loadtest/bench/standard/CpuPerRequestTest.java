package io.cellrouter.loadtest.bench.standard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The arithmetic of a run's CPU per request, on a clock and a CPU count the test moves. */
class CpuPerRequestTest {

    private final AtomicLong cpu = new AtomicLong();
    private final AtomicLong wall = new AtomicLong();

    private CpuPerRequest.Window window() {
        return new CpuPerRequest.Window(() -> OptionalLong.of(cpu.get()), wall::get);
    }

    @Test
    void twoCoresBusy_atFortyThousandRequestsASecond_isFiftyMicroseconds() {
        CpuPerRequest.Window window = window();
        cpu.addAndGet(20_000_000_000L);
        wall.addAndGet(10_000_000_000L);

        CpuPerRequest result = window.end(40_000);

        assertThat(result.micros()).isCloseTo(50.0, within(1e-9));
        assertThat(result.measuredOnly()).isFalse();
        assertThat(result.toMap()).containsEntry("us", 50.0).doesNotContainKey("measured_only");
    }

    @Test
    void afterTheWarmUp_onlyTheMeasuredRunCounts() {
        CpuPerRequest.Window window = window();
        cpu.addAndGet(30_000_000_000L); // a warm-up at three cores
        wall.addAndGet(10_000_000_000L);
        window.warmedUp();
        cpu.addAndGet(10_000_000_000L); // the measured run at one core
        wall.addAndGet(10_000_000_000L);

        CpuPerRequest result = window.end(20_000);

        assertThat(result.micros()).isCloseTo(50.0, within(1e-9));
        assertThat(result.measuredOnly()).isTrue();
        assertThat(result.toMap()).containsEntry("measured_only", true);
    }

    @Test
    void noCpuToRead_orNothingMeasured_givesNothing() {
        CpuPerRequest.Window unreadable = new CpuPerRequest.Window(OptionalLong::empty, wall::get);
        wall.addAndGet(1_000_000_000L);
        assertThat(unreadable.end(1000)).isNull();

        CpuPerRequest.Window idle = window();
        wall.addAndGet(1_000_000_000L);
        assertThat(idle.end(0)).isNull();
    }
}
