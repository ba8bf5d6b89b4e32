package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An HTTP/1.1 client's exchange on a stream to an HTTP/2 cell ({@link Http2StreamLeg}), on a real
 * {@link Http2Backend} over an {@link EmbeddedChannel}, the test playing the cell: what reaches the
 * HTTP/1.1 side while the client takes nothing.
 */
class Http2StreamLegTest {

    private final Promise<Void> ready = ImmediateEventExecutor.INSTANCE.newPromise();
    private final Http2Backend backend = Http2Backend.create(ready, "cell-a");
    private final EmbeddedChannel channel = new EmbeddedChannel(backend);
    private final Http2Wire cell = new Http2Wire(true, ":status");
    private final List<HttpObject> passedOn = new ArrayList<>();
    private int readsComplete;
    /** The stream's id on the cell's connection. */
    private int id;

    private final UpstreamListener client = new UpstreamListener() {
        @Override
        public void upstreamRead(HttpObject msg) {
            passedOn.add(msg);
        }

        @Override
        public void upstreamReadComplete() {
            readsComplete++;
        }

        @Override
        public void upstreamWritabilityChanged(boolean writable) {}

        @Override
        public void upstreamClosed(Throwable cause) {}
    };

    @AfterEach
    void close() {
        passedOn.forEach(ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
        cell.close();
    }

    private Http2StreamLeg requestSent() {
        channel.writeInbound(cell.settings(new Http2Settings()));
        cell.read(channel);
        channel.writeInbound(cell.settingsAck());
        Http2StreamLeg leg = new Http2StreamLeg("http", client);
        leg.attach(backend.open(leg));
        leg.write(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/tiny"));
        leg.flush();
        String head = cell.read(channel).get(0);
        assertThat(head).matches("HEADERS \\d+ end");
        id = Integer.parseInt(head.split(" ")[1]);
        return leg;
    }

    private byte[] body() {
        CompositeByteBuf all = Unpooled.compositeBuffer(Integer.MAX_VALUE);
        for (HttpObject part : passedOn) {
            if (part instanceof HttpContent content) {
                all.addComponent(true, content.content().retainedDuplicate());
            }
        }
        byte[] bytes = new byte[all.readableBytes()];
        all.readBytes(bytes);
        all.release();
        return bytes;
    }

    @Test
    void tinyFramesWhileTheClientTakesNothing_arePassedOnJoined_andAcknowledgedOnceTaken() {
        Http2StreamLeg leg = requestSent();
        channel.writeInbound(cell.headers(id, new DefaultHttp2Headers().status("200"), false));
        leg.readAnswer(false); // the client's connection is full

        int frames = 60_000;
        for (int i = 0; i < frames; i++) {
            channel.writeInbound(cell.data(id, 1, false));
        }

        assertThat(passedOn.get(0)).isInstanceOf(HttpResponse.class);
        assertThat(passedOn)
                .as("60,000 one-byte frames in joined parts of up to 16 KiB, not one part each")
                .hasSizeLessThanOrEqualTo(1 + 4);
        assertThat(cell.read(channel))
                .as("nothing acknowledged to the cell yet")
                .noneMatch(f -> f.startsWith("WINDOW_UPDATE " + id + " "));

        int before = readsComplete;
        leg.readAnswer(true);

        assertThat(readsComplete)
                .as("what was joined is flushed to the client at once")
                .isGreaterThan(before);
        assertThat(body()).hasSize(frames);
        assertThat(cell.read(channel)).anyMatch(f -> f.startsWith("WINDOW_UPDATE " + id + " "));

        channel.writeInbound(cell.data(id, 5, true));
        assertThat(passedOn.get(passedOn.size() - 1)).isInstanceOf(LastHttpContent.class);
        assertThat(body()).hasSize(frames + 5);
    }

    @Test
    void tinyFramesWhileTheClientTakesThem_goOnAsTheyCame() {
        Http2StreamLeg leg = requestSent();
        channel.writeInbound(cell.headers(id, new DefaultHttp2Headers().status("200"), false));

        for (int i = 0; i < 10; i++) {
            channel.writeInbound(cell.data(id, 1, false));
        }

        assertThat(passedOn).hasSize(11);
        leg.readAnswer(false);
        channel.writeInbound(cell.data(id, 1, false));
        channel.writeInbound(cell.data(id, 2, true)); // the end: what was joined goes first
        assertThat(passedOn).hasSize(13);
        assertThat(passedOn.get(12)).isInstanceOf(LastHttpContent.class);
        assertThat(body()).hasSize(13);
    }
}
