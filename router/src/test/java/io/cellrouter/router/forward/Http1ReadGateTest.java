package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.forward.Http1Exchange.State;
import io.cellrouter.router.transport.LingeringClose;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the client connection reads, on an embedded channel whose autoRead the gate turns. */
class Http1ReadGateTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final Http1ReadGate gate = new Http1ReadGate(channel);
    private final FakeCellLeg leg = new FakeCellLeg();

    @AfterEach
    void close() {
        gate.releaseAll();
        channel.finishAndReleaseAll();
    }

    private static DefaultHttpRequest head(String uri) {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    }

    private static HttpContent part(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void idle_reads_closed_doesNot() {
        gate.update(State.CLOSED, false, null);
        assertThat(channel.config().isAutoRead()).isFalse();

        gate.update(State.IDLE, false, null);
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    @Test
    void closed_butLingering_readsOn() {
        channel.pipeline().addFirst(LingeringClose.NAME, new ChannelInboundHandlerAdapter());

        gate.update(State.CLOSED, false, null);

        assertThat(channel.config().isAutoRead())
                .as("the lingering close drops what it reads")
                .isTrue();
    }

    @Test
    void routing_readsUntilFourMessagesWait() {
        for (int i = 0; i < Http1ReadGate.MAX_PENDING - 1; i++) {
            gate.hold(head("/" + i));
            gate.update(State.ROUTING, true, null);
            assertThat(channel.config().isAutoRead()).as("%d waiting", i + 1).isTrue();
        }
        gate.hold(head("/last"));
        gate.update(State.CONNECTING, true, null);

        assertThat(channel.config().isAutoRead()).isFalse();
        gate.next();
        gate.update(State.CONNECTING, true, null);
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    @Test
    void relayingABody_readsOnlyWhileTheCellSideTakesMore_andNothingWaits() {
        gate.update(State.FORWARDING, false, leg);
        assertThat(channel.config().isAutoRead()).isTrue();

        leg.writable = false;
        gate.update(State.FORWARDING, false, leg);
        assertThat(channel.config().isAutoRead()).isFalse();

        leg.writable = true;
        gate.hold(part("early"));
        gate.update(State.FORWARDING, false, leg);
        assertThat(channel.config().isAutoRead()).as("a part waits").isFalse();

        gate.update(State.FORWARDING, false, null);
        assertThat(channel.config().isAutoRead()).as("no cell side").isFalse();
    }

    @Test
    void requestComplete_pipelinedRequestsMayWait_upToFour() {
        leg.writable = false; // the cell side's writability no longer matters
        for (int i = 0; i < Http1ReadGate.MAX_PENDING - 1; i++) {
            gate.hold(head("/" + i));
        }
        gate.update(State.FORWARDING, true, leg);
        assertThat(channel.config().isAutoRead()).isTrue();

        gate.hold(head("/4"));
        gate.update(State.FORWARDING, true, leg);
        assertThat(channel.config().isAutoRead()).isFalse();
    }

    @Test
    void nextBodyPart_takesTheCurrentBody_neverTheNextRequest() {
        HttpContent body = part("a");
        DefaultLastHttpContent last = new DefaultLastHttpContent();
        DefaultFullHttpRequest next = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/next");
        gate.hold(body);
        gate.hold(last);
        gate.hold(next);

        assertThat(gate.nextBodyPart()).isSameAs(body);
        assertThat(gate.nextBodyPart()).isSameAs(last);
        assertThat(gate.nextBodyPart()).as("a whole request is no body part").isNull();
        assertThat(gate.next()).isSameAs(next);
        assertThat(gate.isEmpty()).isTrue();
        body.release();
        next.release();
    }

    @Test
    void releaseAll_releasesWhatWaits() {
        HttpContent body = part("abc");
        gate.hold(head("/"));
        gate.hold(body);

        gate.releaseAll();

        assertThat(body.refCnt()).isZero();
        assertThat(gate.isEmpty()).isTrue();
        assertThat(gate.next()).isNull();
    }

    @Test
    void idle_doesNotRead_whileTheClientTakesNoAnswers() {
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        channel.write(Unpooled.wrappedBuffer(new byte[32])); // an answer the client has not taken

        gate.update(State.IDLE, false, null);
        assertThat(channel.config().isAutoRead()).isFalse();

        channel.flush();
        channel.outboundMessages().forEach(io.netty.util.ReferenceCountUtil::release);
        channel.outboundMessages().clear();
        gate.update(State.IDLE, false, null);
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    @Test
    void idle_doesNotRead_whileARequestWaits() {
        gate.hold(head("/waiting"));
        gate.update(State.IDLE, false, null);

        assertThat(channel.config().isAutoRead()).isFalse();
    }

    @Test
    void hold_takesAtMost32Requests_butAnyBodyParts() {
        for (int i = 0; i < Http1ReadGate.MAX_WAITING_REQUESTS; i++) {
            assertThat(gate.hold(head("/" + i))).as("request %d", i).isTrue();
        }
        DefaultHttpRequest oneTooMany = head("/too-many");

        assertThat(gate.hold(oneTooMany)).isFalse();
        HttpContent part = part("body");
        assertThat(gate.hold(part))
                .as("body parts are bounded by the read, not counted")
                .isTrue();

        gate.next();
        assertThat(gate.hold(oneTooMany))
                .as("one request taken out, one may wait")
                .isTrue();
    }
}
