package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The waits for cells' answers of one connection, on an embedded event loop whose clock is moved by hand. */
class Http2ResponseDeadlinesTest {

    private final EmbeddedChannel loop = new EmbeddedChannel();

    {
        loop.freezeTime(); // time moves only by advanceTimeBy
    }

    private final Http2ResponseDeadlines deadlines =
            new Http2ResponseDeadlines(loop.eventLoop(), TimeUnit.MILLISECONDS.toNanos(300));
    private final List<String> expired = new ArrayList<>();

    private Http2ResponseTimeout waitOf(String name) {
        return new Http2ResponseTimeout(() -> expired.add(name));
    }

    private void advance(long millis) {
        loop.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();
    }

    @Test
    void armed_expiresAfterTheTimeout_notBefore_once() {
        deadlines.arm(waitOf("a"));

        advance(299);
        assertThat(expired).isEmpty();

        advance(1);
        assertThat(expired).containsExactly("a");

        advance(1000);
        assertThat(expired).as("once").containsExactly("a");
    }

    @Test
    void disarmed_neverExpires() {
        Http2ResponseTimeout a = waitOf("a");
        deadlines.arm(a);

        deadlines.disarm(a);
        advance(1000);

        assertThat(expired).isEmpty();
    }

    @Test
    void disarm_whenNotArmed_doesNothing() {
        Http2ResponseTimeout a = waitOf("a");
        deadlines.arm(waitOf("b"));

        deadlines.disarm(a);
        deadlines.disarm(a);
        advance(300);

        assertThat(expired).containsExactly("b");
    }

    @Test
    void rearmed_afterADisarm_countsFromTheNewArming() {
        Http2ResponseTimeout a = waitOf("a");
        deadlines.arm(a);
        advance(200);
        deadlines.disarm(a);

        deadlines.arm(a);
        advance(200);
        assertThat(expired).isEmpty();

        advance(100);
        assertThat(expired).containsExactly("a");
    }

    @Test
    void rearmed_whileArmed_movesToTheEnd() {
        Http2ResponseTimeout a = waitOf("a");
        deadlines.arm(a);
        advance(100);
        deadlines.arm(waitOf("b"));
        advance(100);

        deadlines.arm(a); // due at 500 now, after b's 400

        advance(199);
        assertThat(expired).isEmpty();
        advance(1);
        assertThat(expired).containsExactly("b");
        advance(100);
        assertThat(expired).containsExactly("b", "a");
    }

    @Test
    void manyWaits_eachExpiresAtItsOwnTime_inArmingOrder() {
        deadlines.arm(waitOf("a")); // due 300
        advance(50);
        Http2ResponseTimeout b = waitOf("b");
        deadlines.arm(b); // due 350
        advance(50);
        deadlines.arm(waitOf("c")); // due 400
        deadlines.arm(waitOf("d")); // due 400

        deadlines.disarm(b); // from the middle

        advance(199); // 299
        assertThat(expired).isEmpty();
        advance(1); // 300
        assertThat(expired).containsExactly("a");
        advance(99); // 399
        assertThat(expired).as("b was disarmed").containsExactly("a");
        advance(1); // 400
        assertThat(expired).containsExactly("a", "c", "d");
    }

    @Test
    void theFirstDisarmed_theNextStillExpiresOnTime() {
        Http2ResponseTimeout a = waitOf("a");
        deadlines.arm(a); // due 300; the timer is set for it
        advance(100);
        deadlines.arm(waitOf("b")); // due 400

        deadlines.disarm(a);

        advance(200); // 300: the timer finds nothing due and waits for b
        assertThat(expired).isEmpty();
        advance(99);
        assertThat(expired).isEmpty();
        advance(1);
        assertThat(expired).containsExactly("b");
    }

    @Test
    void aWaitArmedWhileOthersExpire_keepsItsFullTimeout() {
        Http2ResponseTimeout[] again = {null};
        Http2ResponseTimeout a = new Http2ResponseTimeout(() -> {
            expired.add("a");
            deadlines.arm(again[0]); // an exchange that tries again on another cell side
        });
        again[0] = waitOf("again");
        deadlines.arm(a);

        advance(300);
        assertThat(expired).containsExactly("a");
        advance(299);
        assertThat(expired).containsExactly("a");
        advance(1);
        assertThat(expired).containsExactly("a", "again");
    }

    @Test
    void stopped_nothingExpires_andTheTimerIsGone() {
        deadlines.arm(waitOf("a"));
        deadlines.arm(waitOf("b"));

        deadlines.stop();
        loop.advanceTimeBy(1000, TimeUnit.MILLISECONDS);
        long next = loop.runScheduledPendingTasks();

        assertThat(expired).isEmpty();
        assertThat(next).as("no timer left on the loop").isEqualTo(-1);
    }
}
