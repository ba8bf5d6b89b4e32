package io.cellrouter.router.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The header-block guard on an embedded channel, its clock advanced by hand. */
class Http2HeaderBlockGuardTest {

    private final List<String> rejected = new ArrayList<>();
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    /** What a test left unread (the GOAWAY of a closed connection) is released, not leaked. */
    @AfterEach
    void releaseWhatIsLeft() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http2HeaderBlockGuard(1000, rejected::add));
        channels.add(ch);
        ch.freezeTime(); // time moves only by advanceTimeBy
        ch.writeInbound(Http2CodecUtil.connectionPrefaceBuf());
        ch.readInbound();
        return ch;
    }

    private static ByteBuf frame(int type, int flags, int stream, int length, int payloadBytes) {
        ByteBuf buf = Unpooled.buffer();
        buf.writeMedium(length).writeByte(type).writeByte(flags).writeInt(stream);
        buf.writeZero(payloadBytes);
        return buf;
    }

    private static void pass(EmbeddedChannel ch, ByteBuf buf) {
        ch.writeInbound(buf);
        ByteBuf passed = ch.readInbound();
        passed.release();
    }

    @Test
    void completeHeadersFrame_armsNothing() {
        EmbeddedChannel ch = channel();
        pass(ch, frame(0x1, 0x4 | 0x1, 1, 3, 3));

        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();

        assertThat(ch.isOpen()).isTrue();
        assertThat(rejected).isEmpty();
    }

    @Test
    void headersWithoutEndHeaders_thenSilence_resetsAndCloses() {
        EmbeddedChannel ch = channel();
        pass(ch, frame(0x1, 0x1, 3, 3, 3));

        ch.advanceTimeBy(1001, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();

        assertThat(ch.isOpen()).isFalse();
        assertThat(rejected).containsExactly("request_timeout");
        ByteBuf rst = ch.readOutbound();
        assertThat(rst.getByte(3)).isEqualTo((byte) 0x3); // RST_STREAM
        assertThat(rst.getInt(5)).isEqualTo(3);
        rst.release();
    }

    @Test
    void continuationWithEndHeaders_inTime_endsTheBlock() {
        EmbeddedChannel ch = channel();
        pass(ch, frame(0x1, 0x1, 5, 2, 2));
        ch.advanceTimeBy(500, TimeUnit.MILLISECONDS);
        pass(ch, frame(0x9, 0x4, 5, 2, 2));
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();

        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void headersFrameTrickled_timesOutFromItsFirstByte_despiteProgress() {
        EmbeddedChannel ch = channel();
        ByteBuf whole = frame(0x1, 0x4 | 0x1, 1, 20, 20);
        for (int i = 0; i < 12 && ch.isOpen(); i++) {
            pass(ch, whole.readRetainedSlice(1));
            ch.advanceTimeBy(100, TimeUnit.MILLISECONDS);
            ch.runScheduledPendingTasks();
        }
        whole.release();

        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void dataFrames_largeAndSplit_areNotHeaderBlocks() {
        EmbeddedChannel ch = channel();
        ByteBuf data = frame(0x0, 0x0, 1, 10_000, 10_000);
        pass(ch, data.readRetainedSlice(5000));
        ch.advanceTimeBy(5, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        pass(ch, data.readRetainedSlice(data.readableBytes()));
        data.release();

        assertThat(ch.isOpen()).isTrue();
    }
}
