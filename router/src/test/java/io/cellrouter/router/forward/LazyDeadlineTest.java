package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** On an embedded event loop whose clock the test moves: no sleeping. */
class LazyDeadlineTest {

    private static final long TIMEOUT = TimeUnit.MILLISECONDS.toNanos(100);

    private final MockTicker ticker = Ticker.newMockTicker();
    private final EmbeddedChannel channel =
            EmbeddedChannel.builder().ticker(ticker).build();
    private final AtomicInteger expiries = new AtomicInteger();
    private final LazyDeadline deadline = new LazyDeadline(channel.eventLoop(), expiries::incrementAndGet);

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void advanceMillis(long millis) {
        ticker.advanceMillis(millis);
        channel.runScheduledPendingTasks();
    }

    @Test
    void expires_whenTheDeadlinePasses_notBefore() {
        deadline.arm(TIMEOUT);

        advanceMillis(99);
        assertThat(expiries).hasValue(0);
        assertThat(deadline.isArmed()).isTrue();

        advanceMillis(1);
        assertThat(expiries).hasValue(1);
        assertThat(deadline.isArmed()).isFalse();
    }

    @Test
    void disarmed_neverExpires() {
        deadline.arm(TIMEOUT);
        advanceMillis(50);
        deadline.disarm();

        advanceMillis(500);

        assertThat(expiries).hasValue(0);
    }

    @Test
    void aDeadlineEarlierThanThePendingTimer_expiresOnTime_notWithTheTimer() {
        deadline.arm(TIMEOUT * 10); // timer for t=1000
        advanceMillis(50);
        deadline.arm(TIMEOUT); // due at t=150: a wait of a shorter kind

        advanceMillis(99);
        assertThat(expiries).hasValue(0);
        advanceMillis(1);
        assertThat(expiries).hasValue(1);

        advanceMillis(1000);
        assertThat(expiries).as("the first timer went with its deadline").hasValue(1);
    }

    @Test
    void aTimerSetForAnEarlierDeadline_waitsForTheCurrentOne() {
        deadline.arm(TIMEOUT); // timer for t=100
        advanceMillis(60);
        deadline.disarm();
        deadline.arm(TIMEOUT); // due at t=160; the pending timer is reused

        advanceMillis(40); // t=100: the old timer fires early and waits for the rest
        assertThat(expiries).hasValue(0);

        advanceMillis(59); // t=159
        assertThat(expiries).hasValue(0);

        advanceMillis(1); // t=160
        assertThat(expiries).hasValue(1);
    }

    @Test
    void armedAndDisarmedManyTimes_expiresOnce_forTheLastDeadline() {
        for (int i = 0; i < 1000; i++) {
            deadline.arm(TIMEOUT);
            deadline.disarm();
        }
        deadline.arm(TIMEOUT);

        advanceMillis(99);
        assertThat(expiries).hasValue(0);
        advanceMillis(1);
        assertThat(expiries).hasValue(1);
        advanceMillis(1000);
        assertThat(expiries).hasValue(1);
    }

    @Test
    void stop_cancelsTheTimer() {
        deadline.arm(TIMEOUT);
        deadline.stop();

        advanceMillis(500);

        assertThat(expiries).hasValue(0);
        assertThat(deadline.isArmed()).isFalse();
    }
}
