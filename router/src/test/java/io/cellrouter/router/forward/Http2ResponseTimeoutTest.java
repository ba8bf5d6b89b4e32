package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The wait for a cell's answer on an embedded event loop, its clock moved by hand. */
class Http2ResponseTimeoutTest {

    private final EmbeddedChannel loop = new EmbeddedChannel();

    {
        loop.freezeTime(); // time moves only by advanceTimeBy
    }

    private final AtomicInteger expired = new AtomicInteger();
    private final Http2ResponseTimeout timeout = new Http2ResponseTimeout(expired::incrementAndGet);

    private void advance(long millis) {
        loop.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();
    }

    @Test
    void armed_expiresAfterTheTimeout_notBefore() {
        timeout.arm(loop.eventLoop(), TimeUnit.MILLISECONDS.toNanos(300));

        advance(299);
        assertThat(expired).hasValue(0);

        advance(1);
        assertThat(expired).hasValue(1);

        advance(1000);
        assertThat(expired).as("once").hasValue(1);
    }

    @Test
    void cancelled_neverExpires() {
        timeout.arm(loop.eventLoop(), TimeUnit.MILLISECONDS.toNanos(300));

        timeout.cancel();
        advance(1000);

        assertThat(expired).hasValue(0);
    }

    @Test
    void cancel_whenNotArmed_doesNothing() {
        timeout.cancel();
        advance(1000);

        assertThat(expired).hasValue(0);
    }

    @Test
    void rearmed_afterACancel_countsFromTheNewArming() {
        timeout.arm(loop.eventLoop(), TimeUnit.MILLISECONDS.toNanos(300));
        advance(200);
        timeout.cancel();

        timeout.arm(loop.eventLoop(), TimeUnit.MILLISECONDS.toNanos(300));
        advance(200);
        assertThat(expired).hasValue(0);

        advance(100);
        assertThat(expired).hasValue(1);
    }
}
