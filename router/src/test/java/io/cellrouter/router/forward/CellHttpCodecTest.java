package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What keeps a cell connection out of the pool: any byte behind the last complete answer, whether
 * still in the decoder's buffer or already taken into a message the decoder has not finished.
 */
class CellHttpCodecTest {

    private final CellHttpCodec codec = new CellHttpCodec(new HttpDecoderConfig().setStrictLineParsing(true));
    private final EmbeddedChannel channel = new EmbeddedChannel(codec);

    @AfterEach
    void close() {
        Object message;
        while ((message = channel.readInbound()) != null) {
            ReferenceCountUtil.release(message);
        }
        channel.finishAndReleaseAll();
    }

    private void request() {
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        ReferenceCountUtil.release(channel.readOutbound());
    }

    private void cellSends(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    @Test
    void aCompleteAnswer_leavesNothingBehind() {
        request();
        cellSends("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nalice");

        assertThat(codec.hasUndecodedBytes()).isFalse();
    }

    @Test
    void theStartOfAnotherAnswerCutAtALineEnd_arrivingLater_isBytesBehind() {
        request();
        cellSends("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nalice");
        cellSends("HTTP/1.1 200 OK\r\nSet-Cookie: session=alice\r\n"); // while the connection is parked

        assertThat(codec.hasUndecodedBytes()).isTrue();
    }

    @Test
    void aLineCutShort_isBytesBehind() {
        request();
        cellSends("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nalice");
        cellSends("HTTP/1.1 2");

        assertThat(codec.hasUndecodedBytes()).isTrue();
    }

    @Test
    void anAnswerArrivingInPieces_isBehindUntilItEnds() {
        request();
        cellSends("HTTP/1.1 200 OK\r\n");
        assertThat(codec.hasUndecodedBytes()).isTrue();
        cellSends("Content-Length: 3\r\n\r\nab");
        assertThat(codec.hasUndecodedBytes()).isTrue();

        cellSends("c");

        assertThat(codec.hasUndecodedBytes()).isFalse();
    }
}
