package io.cellrouter.loadtest.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenLoopScheduleTest {

    private static final URI TARGET = URI.create("http://127.0.0.1:1/");

    @Test
    void threeDispatchers_togetherOwnEveryRequestOnce_atItsIntendedTime() {
        // 40 req/s for 1 s: 40 requests, one every 25 ms.
        LoadPlan plan = Plans.open(TARGET, Protocol.HTTP1, 40, Duration.ofSeconds(1), 3);
        long t0 = 1_000_000_000L;
        List<Long> intended = new ArrayList<>();
        for (int d = 0; d < 3; d++) {
            OpenLoopSchedule schedule = new OpenLoopSchedule(d, 3, plan);
            schedule.start(t0);
            long previous = Long.MIN_VALUE;
            while (schedule.hasNext()) {
                long t = schedule.nextIntended();
                assertThat(t).as("dispatcher %d's times rise", d).isGreaterThan(previous);
                assertThat((t - t0) / 25_000_000L % 3)
                        .as("dispatcher %d owns d, d+3, ...", d)
                        .isEqualTo(d);
                intended.add(t);
                previous = t;
                schedule.advance();
            }
        }
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            expected.add(t0 + i * 25_000_000L);
        }
        assertThat(intended).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void closedLoop_ownsNoRequest() {
        LoadPlan open = Plans.open(TARGET, Protocol.HTTP1, 40, Duration.ofSeconds(1), 3);
        LoadPlan closed = new LoadPlan(
                open.targets(),
                open.protocol(),
                true,
                open.rate(),
                open.duration(),
                open.warmup(),
                open.connections(),
                open.threads(),
                open.customers(),
                open.identities(),
                open.path(),
                open.timeout(),
                open.streamsPerConnection(),
                open.grpcCall(),
                open.grpcReplies(),
                open.payloadBytes(),
                open.seed(),
                open.postFraction());

        assertThat(new OpenLoopSchedule(0, 1, closed).hasNext()).isFalse();
    }
}
