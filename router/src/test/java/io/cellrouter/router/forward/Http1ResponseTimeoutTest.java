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

/**
 * The response timeout (250 ms to the answer's head, from the last part of the request the cell
 * took) and the body timeout (400 ms of a begun answer's silence while the client can take more) on an embedded event loop whose clock the test
 * moves: no sleeping.
 */
class Http1ResponseTimeoutTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();

    {
        channel.freezeTime(); // time moves only by advanceTimeBy
    }

    private final List<RouterException> failures = new ArrayList<>();
    private boolean awaiting = true;
    private boolean awaitingClient;
    private final Http1ResponseTimeout timeout = new Http1ResponseTimeout(
            new Http1ResponseTimeout.Exchange() {
                @Override
                public boolean awaitingAnswer() {
                    return awaiting;
                }

                @Override
                public boolean awaitingClient() {
                    return awaitingClient;
                }

                @Override
                public void fail(RouterException error) {
                    failures.add(error);
                }
            },
            channel.eventLoop(),
            Duration.ofMillis(250),
            Duration.ofMillis(400));

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

    private long now() {
        return channel.eventLoop().ticker().nanoTime();
    }

    @Test
    void aBegunAnswerThatGoesQuiet_isCutWithCellTimeout_whenTheBodyTimeoutPasses() {
        timeout.arm(Http1Fixture.CELL_A);
        advanceMillis(200);
        awaiting = false; // the head arrived
        timeout.answerBegan(now(), true);

        advanceMillis(399);
        assertThat(failures).as("the head timeout no longer counts").isEmpty();

        advanceMillis(1);
        assertThat(failures).singleElement().satisfies(error -> {
            assertThat(error.code()).isEqualTo(ErrorCode.CELL_TIMEOUT);
            assertThat(error.getMessage()).isEqualTo("cell cell-a sent nothing more of its response for 400 ms");
        });
    }

    @Test
    void eachReadOfTheAnswer_startsTheBodyTimeoutAgain() {
        timeout.arm(Http1Fixture.CELL_A);
        awaiting = false;
        timeout.answerBegan(now(), true);
        for (int i = 0; i < 5; i++) { // 1.5 s in all, never 400 ms quiet
            advanceMillis(300);
            timeout.progress();
        }
        assertThat(failures).isEmpty();

        advanceMillis(400);
        assertThat(failures).hasSize(1);
    }

    @Test
    void eachPartOfTheRequestTheCellTakes_startsTheResponseTimeoutAgain() {
        timeout.arm(Http1Fixture.CELL_A);
        for (int i = 0; i < 5; i++) { // a 1 s upload, never 250 ms without a part
            advanceMillis(200);
            timeout.requestTaken();
        }
        assertThat(failures).isEmpty();

        advanceMillis(249);
        assertThat(failures).isEmpty();
        advanceMillis(1);
        assertThat(failures)
                .as("the whole response timeout from the last part")
                .singleElement()
                .satisfies(error -> assertThat(error.code()).isEqualTo(ErrorCode.CELL_TIMEOUT));
    }

    @Test
    void aClientThatStopsSendingItsBody_whileTheRouterReadsIt_failsWithRequestTimeout() {
        timeout.arm(Http1Fixture.CELL_A);
        timeout.requestTaken();
        awaitingClient = true;

        advanceMillis(250);

        assertThat(failures).singleElement().satisfies(error -> {
            assertThat(error.code()).isEqualTo(ErrorCode.REQUEST_TIMEOUT);
            assertThat(error.getMessage()).isEqualTo("the client sent nothing more of its request body for 250 ms");
        });
    }

    @Test
    void eachPartOfTheRequestTheCellTakes_onceTheAnswerBegan_startsTheBodyTimeoutAgain() {
        timeout.arm(Http1Fixture.CELL_A);
        awaiting = false;
        timeout.answerBegan(now(), true);
        for (int i = 0; i < 5; i++) { // 1.5 s in all, the cell quiet but taking the upload
            advanceMillis(300);
            timeout.requestTaken();
        }
        assertThat(failures).isEmpty();

        advanceMillis(400);
        assertThat(failures).hasSize(1);
    }

    @Test
    void whileTheClientCannotTakeMore_theCellIsNotTimed_andCountsAgainFromWhenItCan() {
        timeout.arm(Http1Fixture.CELL_A);
        awaiting = false;
        timeout.answerBegan(now(), true);
        advanceMillis(300);
        timeout.clientReady(false);

        advanceMillis(5000);
        assertThat(failures).as("a slow client is not the cell's silence").isEmpty();

        timeout.clientReady(true);
        advanceMillis(399);
        assertThat(failures).isEmpty();
        advanceMillis(1);
        assertThat(failures).hasSize(1);
    }

    @Test
    void anAnswerBegunWhileTheClientCannotTakeMore_isNotTimedUntilItCan() {
        timeout.arm(Http1Fixture.CELL_A);
        awaiting = false;
        timeout.answerBegan(now(), false);
        timeout.progress(); // a read while the client is full does not arm it either

        advanceMillis(5000);
        assertThat(failures).isEmpty();

        timeout.clientReady(true);
        advanceMillis(400);
        assertThat(failures).hasSize(1);
    }

    @Test
    void aCompleteAnswer_cancelsTheBodyTimeout() {
        timeout.arm(Http1Fixture.CELL_A);
        awaiting = false;
        timeout.answerBegan(now(), true);
        advanceMillis(100);
        timeout.cancel();
        timeout.progress(); // the end of the read that carried the answer's end
        timeout.clientReady(false);
        timeout.clientReady(true);

        advanceMillis(5000);

        assertThat(failures).isEmpty();
    }

    @Test
    void aZeroBodyTimeout_timesNothingOnceTheAnswerBegan() {
        Http1ResponseTimeout untimed = new Http1ResponseTimeout(
                new Http1ResponseTimeout.Exchange() {
                    @Override
                    public boolean awaitingAnswer() {
                        return false;
                    }

                    @Override
                    public boolean awaitingClient() {
                        return false;
                    }

                    @Override
                    public void fail(RouterException error) {
                        failures.add(error);
                    }
                },
                channel.eventLoop(),
                Duration.ofMillis(250),
                Duration.ZERO);
        untimed.arm(Http1Fixture.CELL_A);
        untimed.answerBegan(now(), true);
        untimed.progress();

        advanceMillis(60_000);

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
