package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The request side of a stream on a real {@link Http2Frontend}: frames held and written in order,
 * the replay for a resend, and the client's credit (WINDOW_UPDATE) returned only when the cell side
 * has taken the bytes. The client's stream 1 waits for a route that never comes, its 40,000 body
 * bytes unacknowledged, so that credit returned by the relay under test is visible on the wire.
 */
class Http2RequestRelayTest {

    private static final int SENT = 40_000; // more than half the 65,535-byte stream window

    private final Http2FrontendFixture fixture = new Http2FrontendFixture();
    private final Http2RequestRelay relay = new Http2RequestRelay(fixture.front, 1);
    private final Http2Headers head = Http2FrontendFixture.request("acme");

    @AfterEach
    void close() {
        fixture.close();
    }

    private static ByteBuf body(int bytes) {
        return Unpooled.wrappedBuffer(new byte[bytes]);
    }

    @Test
    void framesHeldWhileRouting_goAfterTheHead_inOrder_theLastEndingTheRequest() {
        fixture.openWaitingStream(1, 0, false);
        RecordingCellSide side = new RecordingCellSide();
        side.writable = false;
        relay.start(head, false);
        relay.hold(body(3));
        relay.hold(body(4));
        relay.received(true);

        relay.writeHead(side);
        relay.writeHeld(side);

        assertThat(side.events).containsExactly("head", "body 3", "body 4 end");
    }

    @Test
    void trailersHeld_goLast_andTheHeadDoesNotEndTheRequest() {
        fixture.openWaitingStream(1, 0, false);
        RecordingCellSide side = new RecordingCellSide();
        side.writable = false;
        relay.start(head, false);
        relay.hold(body(3));
        relay.trailers();
        relay.hold(new DefaultHttp2Headers().set("grpc-status", "0"));

        relay.writeHead(side);
        relay.writeHeld(side);

        assertThat(side.events).containsExactly("head", "body 3", "trailers");
        assertThat(relay.ended()).isTrue();
    }

    @Test
    void requestWithoutBody_headEndsIt() {
        fixture.openWaitingStream(1, 0, true);
        RecordingCellSide side = new RecordingCellSide();
        relay.start(head, true);

        relay.writeHead(side);
        relay.writeHeld(side);

        assertThat(side.events).containsExactly("head end");
    }

    @Test
    void sideWithRoom_bytesAreAcknowledgedToTheClientAtOnce() {
        fixture.openWaitingStream(1, SENT, false);
        fixture.frames();
        relay.start(head, false);
        RecordingCellSide side = new RecordingCellSide();

        assertThat(relay.send(side, body(SENT), false)).as("taken now").isEqualTo(SENT);

        assertThat(side.events).containsExactly("body " + SENT);
        assertThat(fixture.frames()).anyMatch(frame -> frame.startsWith("WINDOW_UPDATE 1 "));
    }

    @Test
    void sideWithoutRoom_bytesAreAcknowledgedOnlyOnceItHasRoom() {
        fixture.openWaitingStream(1, SENT, false);
        fixture.frames();
        relay.start(head, false);
        RecordingCellSide side = new RecordingCellSide();
        side.writable = false;

        assertThat(relay.send(side, body(SENT), false)).as("nothing taken yet").isZero();

        assertThat(fixture.frames()).noneMatch(frame -> frame.startsWith("WINDOW_UPDATE 1 "));

        assertThat(relay.cellWritable()).isEqualTo(SENT);

        assertThat(fixture.frames()).anyMatch(frame -> frame.startsWith("WINDOW_UPDATE 1 "));
        assertThat(relay.cellWritable())
                .as("nothing more held: nothing more acknowledged")
                .isZero();
        assertThat(fixture.frames()).isEmpty();
    }

    @Test
    void clientStalled_onlyWhileItsRequestIsStillComing_theCellSideHasRoom_andNo100IsAwaited() {
        fixture.openWaitingStream(1, 0, false);
        relay.start(head, false);
        RecordingCellSide side = new RecordingCellSide();
        assertThat(relay.clientStalled(side, false)).isTrue();

        side.writable = false;
        assertThat(relay.clientStalled(side, false))
                .as("the cell side is full: the cell's wait")
                .isFalse();
        side.writable = true;

        head.set("expect", "100-continue");
        assertThat(relay.clientStalled(side, false))
                .as("the client waits for the cell's 100 Continue")
                .isFalse();
        assertThat(relay.clientStalled(side, true)).as("the 100 went out").isTrue();

        relay.received(true);
        assertThat(relay.clientStalled(side, true)).as("the whole request came").isFalse();
    }

    @Test
    void resend_replaysTheBodyKept_onTheNewSide_endingWithIt() {
        fixture.openWaitingStream(1, 0, false);
        relay.start(head, false);
        RecordingCellSide first = new RecordingCellSide();
        first.writable = false;
        relay.writeHead(first);
        relay.send(first, body(10), false);
        relay.received(true);
        relay.send(first, body(5), true);

        assertThat(relay.resendable()).isTrue();
        relay.resending();
        RecordingCellSide second = new RecordingCellSide();
        second.writable = false;
        relay.writeHead(second);
        relay.writeHeld(second);

        assertThat(second.events)
                .as("the kept body, its small parts joined (BodyCopy)")
                .containsExactly("head", "body 15 end");
        assertThat(relay.resendable()).as("at most one resend").isFalse();
    }

    @Test
    void answerStarted_replayLetGo_nothingToResend() {
        fixture.openWaitingStream(1, 0, false);
        relay.start(head, true);
        ByteBuf data = body(10);
        RecordingCellSide side = new RecordingCellSide();
        side.writable = false;
        relay.writeHead(side);
        relay.send(side, data, true);

        relay.dropReplay();

        assertThat(data.refCnt()).as("the replay's duplicate released too").isZero();
        assertThat(relay.resendable()).isFalse();
        assertThat(relay.correctable()).isFalse();
    }

    @Test
    void replaysOfOneConnection_shareABudget_streamsOverItAreNotResendable_andItComesBack() {
        int streams = Http2ReplayBudget.MAX_BYTES / (60 * 1024) + 1; // 18 streams of 60 KiB: over 1 MiB
        List<Http2RequestRelay> relays = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            int id = 3 + 2 * i;
            fixture.openWaitingStream(id, 0, false);
            Http2RequestRelay stream = new Http2RequestRelay(fixture.front, id);
            stream.start(head, false);
            RecordingCellSide side = new RecordingCellSide();
            side.writable = false;
            stream.writeHead(side);
            stream.send(side, body(60 * 1024), false);
            relays.add(stream);
        }

        assertThat(relays.subList(0, streams - 1)).allMatch(Http2RequestRelay::resendable);
        assertThat(relays.get(streams - 1).resendable())
                .as("over the connection's budget")
                .isFalse();
        assertThat(fixture.front.replayBudget().used()).isEqualTo((streams - 1) * 60 * 1024);

        relays.forEach(Http2RequestRelay::dropReplay);
        assertThat(fixture.front.replayBudget().used())
                .as("every byte given back")
                .isZero();
    }

    @Test
    void bodyOverTheReplayBuffer_cannotBeSentAgain() {
        fixture.openWaitingStream(1, 0, false);
        relay.start(head, false);
        RecordingCellSide side = new RecordingCellSide();
        side.writable = false;
        relay.writeHead(side);

        relay.send(side, body(ReplayBuffer.MAX_BYTES + 1), false);

        assertThat(relay.resendable()).isFalse();
    }

    @Test
    void correctable_onlyOnceTheWholeRequestCame_andNeverWithTrailers() {
        fixture.openWaitingStream(1, 0, false);
        relay.start(head, false);
        RecordingCellSide side = new RecordingCellSide();
        side.writable = false;
        relay.writeHead(side);
        assertThat(relay.correctable()).as("request still coming").isFalse();

        relay.received(true);
        assertThat(relay.correctable()).isTrue();

        relay.trailers();
        assertThat(relay.correctable()).as("trailers are never replayed").isFalse();
    }

    @Test
    void resendTo_namesTheNewCellInTheHead() {
        fixture.openWaitingStream(1, 0, false);
        relay.start(head, true);

        relay.resendTo(new Cell("cell-b", URI.create("http://127.0.0.1:1"), CellState.ACTIVE));

        assertThat(head.get(ForwardHeaders.X_CELL_ROUTER_CELL)).hasToString("cell-b");
        assertThat(relay.resendable()).as("the one resend is used").isFalse();
    }

    @Test
    void end_releasesWhatWasHeld_andAcknowledgesIt() {
        fixture.openWaitingStream(1, SENT, false);
        fixture.frames();
        relay.start(head, false);
        ByteBuf held = body(SENT);
        relay.hold(held);

        relay.end(-1, fixture.channel.eventLoop());

        assertThat(held.refCnt()).isZero();
        assertThat(fixture.frames()).anyMatch(frame -> frame.startsWith("WINDOW_UPDATE 1 "));
    }

    @Test
    void discard_afterTheEnd_releasesAndAcknowledges() {
        fixture.openWaitingStream(1, SENT, false);
        fixture.frames();
        ByteBuf late = body(SENT);

        relay.discard(late);

        assertThat(late.refCnt()).isZero();
        assertThat(fixture.frames()).anyMatch(frame -> frame.startsWith("WINDOW_UPDATE 1 "));
    }
}
