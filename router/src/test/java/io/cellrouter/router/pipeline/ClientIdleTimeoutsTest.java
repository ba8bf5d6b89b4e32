package io.cellrouter.router.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** On an embedded event loop whose clock the test moves: no sleeping. */
class ClientIdleTimeoutsTest {

    private static final long READER_IDLE_MILLIS = 100;
    private static final long ALL_IDLE_MILLIS = 300;

    private final MockTicker ticker = Ticker.newMockTicker();
    private final List<IdleState> events = new ArrayList<>();
    private final EmbeddedChannel channel = EmbeddedChannel.builder()
            .ticker(ticker)
            .handlers(
                    new ClientIdleTimeouts(READER_IDLE_MILLIS, ALL_IDLE_MILLIS, TimeUnit.MILLISECONDS),
                    new ChannelInboundHandlerAdapter() {
                        @Override
                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                            events.add(((IdleStateEvent) evt).state());
                        }
                    })
            .build();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void advanceMillis(long millis) {
        ticker.advanceMillis(millis);
        channel.runScheduledPendingTasks();
    }

    private void read() {
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
        channel.readInbound(); // the byte reached the end of the pipeline: drop it
    }

    private void write() {
        channel.writeOutbound(Unpooled.wrappedBuffer(new byte[] {1}));
        channel.releaseOutbound();
    }

    @Test
    void nothingRead_firesReaderIdle_afterItsPeriod_notBefore() {
        advanceMillis(99);
        assertThat(events).isEmpty();

        advanceMillis(1);

        assertThat(events).containsExactly(IdleState.READER_IDLE);
    }

    @Test
    void aRead_movesBothTimeoutsOn() {
        advanceMillis(90);
        read();

        advanceMillis(90);
        assertThat(events).isEmpty();

        advanceMillis(10);
        assertThat(events).containsExactly(IdleState.READER_IDLE);
    }

    @Test
    void writes_keepTheConnectionFromAllIdle_butNotFromReaderIdle() {
        for (int i = 0; i < 5; i++) {
            advanceMillis(100);
            write();
        }
        // 500 ms with a write every 100: reader idle five times, never all idle.
        assertThat(events).containsOnly(IdleState.READER_IDLE).hasSize(5);

        advanceMillis(300);

        assertThat(events).contains(IdleState.ALL_IDLE);
    }

    @Test
    void nothingAtAll_firesAllIdleAfterItsPeriod_andAgainEveryPeriod() {
        advanceMillis(300);
        assertThat(events.stream().filter(IdleState.ALL_IDLE::equals)).hasSize(1);

        advanceMillis(300);

        assertThat(events.stream().filter(IdleState.ALL_IDLE::equals)).hasSize(2);
    }

    @Test
    void aClosedConnection_hearsNoMore() {
        channel.close();

        advanceMillis(1_000);

        assertThat(events).isEmpty();
    }

    @Test
    void zero_turnsATimeoutOff() {
        EmbeddedChannel quiet = EmbeddedChannel.builder()
                .ticker(ticker)
                .handlers(
                        new ClientIdleTimeouts(0, ALL_IDLE_MILLIS, TimeUnit.MILLISECONDS),
                        new ChannelInboundHandlerAdapter() {
                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                events.add(((IdleStateEvent) evt).state());
                            }
                        })
                .build();
        ticker.advanceMillis(299);
        quiet.runScheduledPendingTasks();
        assertThat(events).isEmpty();

        ticker.advanceMillis(1);
        quiet.runScheduledPendingTasks();

        assertThat(events).containsExactly(IdleState.ALL_IDLE);
        quiet.finishAndReleaseAll();
    }
}
