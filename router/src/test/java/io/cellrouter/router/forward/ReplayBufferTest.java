package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class ReplayBufferTest {

    private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private final HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");

    /** A part as the decoder makes it, sent on to the cell (released there) after the buffer kept its copy. */
    private static void send(ReplayBuffer replay, HttpContent part) {
        int before = part.content().readerIndex();
        replay.add(part);
        assertThat(part.content().readerIndex())
                .as("the part goes on to the cell whole")
                .isEqualTo(before);
        part.release();
    }

    private static byte[] bodyOf(FakeCellLeg leg) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (HttpObject part : leg.written) {
            if (part instanceof HttpContent content) {
                ByteBuf data = content.content();
                byte[] copy = new byte[data.readableBytes()];
                data.getBytes(data.readerIndex(), copy);
                bytes.writeBytes(copy);
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void oneByteParts_areJoined_notKeptOneObjectPerByte_andReplayInOrder() {
        ReplayBuffer replay = new ReplayBuffer(head);
        int parts = 60_000;
        for (int i = 0; i < parts; i++) {
            ByteBuf data = ALLOC.buffer(1).writeByte(i % 251);
            send(replay, new DefaultHttpContent(data));
        }
        send(replay, new DefaultLastHttpContent(ALLOC.buffer(1).writeByte(7)));

        assertThat(replay.keptBuffers()).as("60,001 bytes in 16 KiB buffers").isLessThanOrEqualTo(4);
        FakeCellLeg leg = new FakeCellLeg();
        replay.replayTo(leg);

        byte[] body = bodyOf(leg);
        assertThat(body).hasSize(parts + 1);
        for (int i = 0; i < parts; i++) {
            assertThat(body[i]).isEqualTo((byte) (i % 251));
        }
        assertThat(body[parts]).isEqualTo((byte) 7);
        assertThat(leg.written.get(0)).isSameAs(head);
        assertThat(leg.written.get(leg.written.size() - 1)).isInstanceOf(LastHttpContent.class);
        leg.release();
    }

    @Test
    void largeAndSmallParts_keepTheirOrder_andTrailersComeLast() {
        ReplayBuffer replay = new ReplayBuffer(head);
        send(replay, new DefaultHttpContent(ALLOC.buffer().writeBytes(new byte[] {1, 2})));
        send(replay, new DefaultHttpContent(ALLOC.buffer().writeBytes(filled(2048, (byte) 3))));
        send(replay, new DefaultHttpContent(ALLOC.buffer().writeBytes(new byte[] {4})));
        LastHttpContent last = new DefaultLastHttpContent(ALLOC.buffer().writeBytes(new byte[] {5}));
        last.trailingHeaders().set("x-checksum", "abc");
        send(replay, last);

        FakeCellLeg leg = new FakeCellLeg();
        replay.replayTo(leg);

        byte[] body = bodyOf(leg);
        assertThat(body).hasSize(2 + 2048 + 1 + 1);
        assertThat(body[0]).isEqualTo((byte) 1);
        assertThat(body[2]).isEqualTo((byte) 3);
        assertThat(body[2049]).isEqualTo((byte) 3);
        assertThat(body[2050]).isEqualTo((byte) 4);
        assertThat(body[2051]).isEqualTo((byte) 5);
        HttpObject end = leg.written.get(leg.written.size() - 1);
        assertThat(end).isInstanceOf(LastHttpContent.class);
        assertThat(((LastHttpContent) end).trailingHeaders().get("x-checksum")).isEqualTo("abc");
        leg.release();
    }

    @Test
    void overTheLimit_keepsNothing_andReleasesWhatItHad() {
        ReplayBuffer replay = new ReplayBuffer(head);
        ByteBuf small = ALLOC.buffer().writeBytes(new byte[] {1});
        ByteBuf large = ALLOC.buffer().writeBytes(new byte[ReplayBuffer.MAX_BYTES - 100]);
        send(replay, new DefaultHttpContent(small.retain()));
        send(replay, new DefaultHttpContent(large.retain()));
        assertThat(large.refCnt()).as("kept as a duplicate").isEqualTo(2);

        send(replay, new DefaultHttpContent(ALLOC.buffer().writeBytes(new byte[200])));

        assertThat(replay.replayable()).isFalse();
        assertThat(replay.keptBuffers()).isZero();
        assertThat(large.refCnt()).isEqualTo(1);
        small.release();
        large.release();
    }

    private static byte[] filled(int size, byte value) {
        byte[] bytes = new byte[size];
        java.util.Arrays.fill(bytes, value);
        return bytes;
    }
}
