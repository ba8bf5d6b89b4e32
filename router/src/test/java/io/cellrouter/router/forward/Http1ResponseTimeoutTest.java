package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The response timeout on an embedded event loop whose clock the test moves: no sleeping. */
class Http1ResponseTimeoutTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();

    {
        channel.freezeTime(); // time moves only by advanceTimeBy
    }

    private final List<RouterException> failures = new ArrayList<>();
    private boolean awaiting = true;
    private final Http1ResponseTimeout timeout = new Http1ResponseTimeout(
            new Http1ResponseTimeout.Exchange() {
                @Override
                public boolean awaitingAnswer() {
                    return awaiting;
                }

                @Override
                public void fail(RouterException error) {
                    failures.add(error);
                }
            },
            channel.eventLoop(),
            Duration.ofMillis(250));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void advanceMillis(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void aSilentCell_failsTheExchangeWithCellTimeout_whenTheTimeoutPasses() {
        timeout.arm(Http1Fixture.CELL_A);

        advanceMillis(249);
        assertThat(failures).isEmpty();

        advanceMillis(1);
        assertThat(failures).singleElement().satisfies(error -> {
            assertThat(error.code()).isEqualTo(ErrorCode.CELL_TIMEOUT);
            assertThat(error.getMessage()).isEqualTo("cell cell-a did not answer within 250 ms");
        });
    }

    @Test
    void anAnswerThatBegan_cancelsIt() {
        timeout.arm(Http1Fixture.CELL_A);
        advanceMillis(100);
        timeout.cancel();

        advanceMillis(1000);

        assertThat(failures).isEmpty();
    }

    @Test
    void eachRequest_hasTheWholeTimeout_fromWhenItLeft() {
        timeout.arm(Http1Fixture.CELL_A);
        advanceMillis(200);
        timeout.cancel();
        timeout.arm(Http1Fixture.CELL_B); // the next exchange on the connection, due at 450 ms

        advanceMillis(249);
        assertThat(failures).isEmpty();

        advanceMillis(1);
        assertThat(failures).singleElement().satisfies(error -> assertThat(error.getMessage())
                .startsWith("cell cell-b "));
    }

    @Test
    void anExchangeNoLongerWaiting_isLeftAlone() {
        timeout.arm(Http1Fixture.CELL_A);
        awaiting = false;

        advanceMillis(1000);

        assertThat(failures).isEmpty();
    }

    @Test
    void stop_leavesNoTimer() {
        timeout.arm(Http1Fixture.CELL_A);
        timeout.stop();

        advanceMillis(1000);

        assertThat(failures).isEmpty();
        assertThat(channel.runScheduledPendingTasks()).as("nothing scheduled").isEqualTo(-1);
    }
}
