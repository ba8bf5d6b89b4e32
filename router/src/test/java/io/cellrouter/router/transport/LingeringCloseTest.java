package io.cellrouter.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a lingering connection does with what the client still sends, and when it ends, on an
 * embedded channel whose clock moves by hand (the half-close itself needs a socket:
 * LingeringCloseIT).
 */
class LingeringCloseTest {

    /** What reached the handlers behind the lingering one. */
    private final List<Object> passed = new ArrayList<>();

    private EmbeddedChannel lingering() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                passed.add(msg);
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                passed.add(evt);
            }
        });
        ch.freezeTime(); // time moves only by advanceTimeBy
        ch.pipeline().addFirst(LingeringClose.NAME, new LingeringClose(2_000, 10_000));
        return ch;
    }

    private static void advance(EmbeddedChannel ch, long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    @Test
    void whatTheClientStillSends_isDropped_andReachesNothingBehind() {
        EmbeddedChannel ch = lingering();
        ByteBuf rest = Unpooled.copiedBuffer(new byte[4096]);

        ch.writeInbound(rest);

        assertThat(rest.refCnt()).as("released").isZero();
        assertThat(passed).isEmpty();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void closes_onceTheClientHasBeenQuietForTwoSeconds() {
        EmbeddedChannel ch = lingering();

        advance(ch, 1_999);
        assertThat(ch.isOpen()).isTrue();
        advance(ch, 1);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void eachRead_startsTheQuietTimeAgain() {
        EmbeddedChannel ch = lingering();

        advance(ch, 1_500);
        ch.writeInbound(Unpooled.copiedBuffer(new byte[10]));
        advance(ch, 1_500);
        assertThat(ch.isOpen()).as("1.5 s after the last read").isTrue();
        advance(ch, 500);
        assertThat(ch.isOpen()).as("2 s after the last read").isFalse();
    }

    @Test
    void aClientThatNeverStopsSending_isClosedAfterTenSeconds() {
        EmbeddedChannel ch = lingering();

        for (int i = 0; i < 9; i++) {
            advance(ch, 1_000);
            ch.writeInbound(Unpooled.copiedBuffer(new byte[1000]));
            assertThat(ch.isOpen()).as("after %d s", i + 1).isTrue();
        }
        advance(ch, 999);
        assertThat(ch.isOpen()).isTrue();
        advance(ch, 1);
        assertThat(ch.isOpen()).as("10 s after the answer").isFalse();
    }

    @Test
    void closes_whenTheClientClosesItsSide() {
        EmbeddedChannel ch = lingering();

        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);

        assertThat(ch.isOpen()).isFalse();
        assertThat(passed).isEmpty();
    }

    @Test
    void aFailureWhileLingering_closes_andGoesNoFurther() {
        EmbeddedChannel ch = lingering();

        ch.pipeline().fireExceptionCaught(new java.io.IOException("Connection reset by peer"));

        assertThat(ch.isOpen()).isFalse();
        ch.checkException(); // nothing reached the end of the pipeline
    }

    @Test
    void aChannelThatCannotHalfClose_isClosedAtOnce() {
        EmbeddedChannel ch = new EmbeddedChannel();

        LingeringClose.linger(ch);

        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.pipeline().get(LingeringClose.NAME)).isNull();
    }

    @Test
    void closeAfter_withNothingMoreToCome_closesWhenTheWriteIsDone() {
        EmbeddedChannel ch = new EmbeddedChannel();

        LingeringClose.closeAfter(ch.writeAndFlush(Unpooled.copiedBuffer(new byte[] {1})), false);

        assertThat(ch.isOpen()).isFalse();
        ((ByteBuf) ch.readOutbound()).release();
    }

    /**
     * A connection is closing from the moment its last answer is written, not once that write is
     * done (on io_uring a later turn of the loop): a drain looking in between would close it at
     * once, under the answer or the client's upload.
     */
    @Test
    void closingFromTheLastWrite_notFromItsCompletion() {
        EmbeddedChannel ch = new EmbeddedChannel();
        assertThat(LingeringClose.isClosing(ch)).isFalse();

        ChannelFuture unflushed = ch.write(Unpooled.copiedBuffer(new byte[16]));
        LingeringClose.closeAfter(unflushed, true);

        assertThat(unflushed.isDone()).isFalse();
        assertThat(LingeringClose.isLingering(ch)).isFalse();
        assertThat(LingeringClose.isClosing(ch)).isTrue();
        ch.finishAndReleaseAll();
    }
}
