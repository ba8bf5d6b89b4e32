package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.GrpcStatus;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.transport.ClientAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The answer side of a stream on a real {@link Http2Frontend}: what the client's stream 1 is sent
 * (read back as frames), what the exchange is told, and the credit returned to the cell side.
 */
class Http2ResponseRelayTest {

    private final List<String> told = new ArrayList<>();
    private final Http2ResponseRelay.Exchange exchange = new Http2ResponseRelay.Exchange() {
        @Override
        public void cellBadResponse(String why) {
            told.add("bad: " + why);
        }

        @Override
        public void misdirected(Http2Headers headers) {
            told.add("misdirected");
        }

        @Override
        public void answerStarted() {
            told.add("started");
        }

        @Override
        public void answerComplete() {
            told.add("complete");
        }

        @Override
        public void responseTimedOut() {
            told.add("timed out");
        }

        @Override
        public void answerStalled() {
            told.add("stalled");
        }

        @Override
        public void abort(String why, Http2Error code) {
            told.add("aborted: " + why + " (" + code + ")");
            done = true;
        }

        @Override
        public boolean done() {
            return done;
        }
    };
    /** The exchange ended (aborted here; a test may end it otherwise). */
    private boolean done;

    private Http2FrontendFixture fixture = new Http2FrontendFixture();
    private final RecordingCellSide side = new RecordingCellSide();
    private final ExchangeLog log = new ExchangeLog(ClientAddress.of(fixture.channel), "h2");
    private Http2ResponseRelay relay = relayOn(fixture);

    private Http2ResponseRelay relayOn(Http2FrontendFixture f) {
        log.requestId = "r1";
        return new Http2ResponseRelay(exchange, f.front, 1, log);
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private static Http2Headers status(String status) {
        return new DefaultHttp2Headers().status(status);
    }

    private static ByteBuf body(int bytes) {
        return Unpooled.wrappedBuffer(new byte[bytes]);
    }

    @Test
    void finalHead_goesToTheClient_withTheRequestId_withoutProxyAuthenticate() {
        fixture.openWaitingStream(1, 0, true);

        relay.headers(status("200").set("proxy-authenticate", "Basic").set("x-note", "kept"), false);
        fixture.front.flushNow();

        assertThat(fixture.frames()).containsExactly("HEADERS 1 :status=200 x-request-id=r1 x-note=kept");
        assertThat(told).containsExactly("started");
        assertThat(relay.started()).isTrue();
        assertThat(log.status).isEqualTo(200);
    }

    @Test
    void interimHead_isPassedOn_andTheAnswerIsStillToCome() {
        fixture.openWaitingStream(1, 0, true);

        relay.headers(status("103"), false);
        fixture.front.flushNow();

        assertThat(fixture.frames()).containsExactly("HEADERS 1 :status=103");
        assertThat(relay.started()).isFalse();
        assertThat(told).isEmpty();
    }

    @Test
    void endlessInterimHeads_areABadAnswer_afterTheSixteenth() {
        fixture.openWaitingStream(1, 0, true);

        for (int i = 0; i < CellResponseValidator.MAX_INTERIM_ANSWERS; i++) {
            relay.headers(status("102"), false);
        }
        fixture.front.flushNow();
        assertThat(fixture.frames()).hasSize(CellResponseValidator.MAX_INTERIM_ANSWERS);
        assertThat(told).isEmpty();

        relay.headers(status("102"), false);
        fixture.front.flushNow();

        assertThat(fixture.frames()).as("nothing more").isEmpty();
        assertThat(told).singleElement().asString().startsWith("bad").contains("informational");
    }

    @Test
    void misdirected_beforeAnythingWasSent_goesToTheExchange_notTheClient() {
        fixture.openWaitingStream(1, 0, true);

        relay.headers(status("421"), true);
        fixture.front.flushNow();

        assertThat(told).containsExactly("misdirected");
        assertThat(fixture.frames()).isEmpty();
    }

    @Test
    void misdirected_afterAnInterimHead_isTheAnswer() {
        fixture.openWaitingStream(1, 0, true);

        relay.headers(status("100"), false);
        relay.headers(status("421"), true);
        fixture.front.flushNow();

        assertThat(told).containsExactly("started", "complete");
        assertThat(fixture.frames())
                .containsExactly("HEADERS 1 :status=100", "HEADERS 1 :status=421 x-request-id=r1 end");
    }

    @Test
    void invalidStatus_isABadResponse() {
        fixture.openWaitingStream(1, 0, true);

        relay.headers(status("101"), false);
        relay.headers(status("2000"), false);
        relay.headers(new DefaultHttp2Headers(), false);

        assertThat(told)
                .containsExactly(
                        "bad: status 101 is not a valid final or informational status",
                        "bad: status 2000 is not a valid final or informational status",
                        "bad: status null is not a valid final or informational status");
    }

    @Test
    void dataBeforeTheHead_isABadResponse() {
        fixture.openWaitingStream(1, 0, true);
        ByteBuf data = body(3);

        relay.data(side, data, false);

        assertThat(told).containsExactly("bad: DATA before the response head");
        assertThat(data.refCnt()).as("the cell side keeps its reference").isEqualTo(1);
        data.release();
    }

    @Test
    void data_withRoomOnTheClient_isAcknowledgedToTheCellAtOnce_andTheEndCompletes() {
        fixture.openWaitingStream(1, 0, true);
        relay.headers(status("200"), false);
        ByteBuf data = body(5);

        relay.data(side, data, true);
        fixture.front.flushNow();
        data.release(); // the cell side's own reference

        assertThat(side.events).containsExactly("answerTaken 5");
        assertThat(told).containsExactly("started", "complete");
        assertThat(log.bytesOut).isEqualTo(5);
        assertThat(relay.ending()).isTrue();
        assertThat(fixture.frames()).containsExactly("HEADERS 1 :status=200 x-request-id=r1", "DATA 1 5 end");
    }

    @Test
    void data_withTheClientWindowClosed_isAcknowledgedOnlyWhenItOpens() {
        fixture.close();
        fixture = new Http2FrontendFixture(new Http2Settings().initialWindowSize(4));
        relay = relayOn(fixture);
        fixture.openWaitingStream(1, 0, true);
        relay.headers(status("200"), false);
        ByteBuf data = body(10);

        relay.data(side, data, false);
        data.release();

        assertThat(side.events).containsExactly("clientWritable false");

        relay.clientWritable(side, true);

        assertThat(side.events).containsExactly("clientWritable false", "answerTaken 10", "clientWritable true");
        relay.clientWritable(side, true);
        assertThat(side.events).as("nothing more was held").endsWith("clientWritable true", "clientWritable true");
    }

    @Test
    void routerAnswer_isWrittenAfterTheCurrentRead_asJson_andStopsAClientStillSending() {
        fixture.openWaitingStream(1, 0, false);
        fixture.frames();

        relay.answer(new RouterException(ErrorCode.UNKNOWN_CUSTOMER, "no such customer"), -1, false, true);

        assertThat(log.status).as("rendered at once, for the access log").isEqualTo(404);
        assertThat(log.bytesOut).isPositive();
        fixture.front.flushNow();
        assertThat(fixture.channel.outboundMessages()).as("nothing written yet").isEmpty();
        assertThat(fixture.frames())
                .containsExactly(
                        "HEADERS 1 :status=404 content-type=application/json x-request-id=r1",
                        "DATA 1 " + log.bytesOut + " end",
                        "RST 1 " + Http2Error.NO_ERROR.code());
        assertThat(relay.ending()).isTrue();
    }

    @Test
    void routerAnswer_toGrpc_isTrailersOnly_withTheStatusGiven() {
        fixture.openWaitingStream(1, 0, true);

        relay.answer(
                new RouterException(ErrorCode.CELL_UNREACHABLE, "cell a closed the stream"),
                GrpcStatus.CANCELLED.value(),
                true,
                false);

        assertThat(fixture.frames())
                .containsExactly("HEADERS 1 :status=200 content-type=application/grpc grpc-status=1"
                        + " grpc-message=cell_unreachable: cell a closed the stream x-request-id=r1 end");
    }

    @Test
    void routerAnswer_streamGoneMeanwhile_writesNothing() {
        fixture.openWaitingStream(1, 0, false);
        relay.answer(new RouterException(ErrorCode.UNKNOWN_CUSTOMER, "no such customer"), -1, false, true);

        fixture.channel.writeInbound(fixture.client.rst(1, Http2Error.CANCEL.code()));

        assertThat(fixture.frames()).isEmpty();
    }

    @Test
    void endGrpc_endsTheAnswerWithTheRoutersTrailers() {
        fixture.openWaitingStream(1, 0, false);
        relay.headers(status("200"), false);

        relay.endGrpc(GrpcStatus.UNAVAILABLE, "customer moved", true);

        assertThat(fixture.frames())
                .containsExactly(
                        "HEADERS 1 :status=200 x-request-id=r1",
                        "HEADERS 1 grpc-status=14 grpc-message=customer moved end",
                        "RST 1 " + Http2Error.NO_ERROR.code());
    }

    @Test
    void complete_clientStillSending_isToldToStop() {
        fixture.openWaitingStream(1, 0, false);
        relay.headers(status("204"), true);

        relay.complete(true, true);

        assertThat(fixture.frames())
                .containsExactly("HEADERS 1 :status=204 x-request-id=r1 end", "RST 1 " + Http2Error.NO_ERROR.code());
    }

    @Test
    void complete_onAMultiplexedCellConnection_isFlushedWithTheRestOfTheCellsRead() {
        fixture.openWaitingStream(1, 0, true);
        fixture.frames(); // what opening the stream wrote
        relay.headers(status("204"), true);

        relay.complete(false, false);
        assertThat(fixture.channel.outboundMessages())
                .as("nothing flushed before the cell's read ends")
                .isEmpty();

        fixture.front.flushNow(); // what the exchange's cellReadComplete does

        assertThat(fixture.frames()).containsExactly("HEADERS 1 :status=204 x-request-id=r1 end");
    }

    @Test
    void reset_endsTheStreamWithTheCode() {
        fixture.openWaitingStream(1, 0, true);

        relay.reset(Http2Error.CANCEL);

        assertThat(fixture.frames()).containsExactly("RST 1 " + Http2Error.CANCEL.code());
    }

    @Test
    void awaitedAnswer_thatNeverStarts_timesOut_onTheLoopsClock() {
        fixture.openWaitingStream(1, 0, true);

        relay.awaitAnswer(true);
        long timeout = fixture.context.config().upstream().responseTimeout().toMillis();
        fixture.channel.advanceTimeBy(timeout - 1, TimeUnit.MILLISECONDS);
        fixture.channel.runScheduledPendingTasks();
        assertThat(told).isEmpty();

        fixture.channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        fixture.channel.runScheduledPendingTasks();
        assertThat(told).containsExactly("timed out");
    }

    @Test
    void answerStarting_stopsTheWaitForTheHead() {
        fixture.openWaitingStream(1, 0, true);
        relay.awaitAnswer(true);

        relay.headers(status("200"), false);
        advanceMillis(headTimeoutMillis() + 1);

        assertThat(told).containsExactly("started");
    }

    private long headTimeoutMillis() {
        return fixture.context.config().upstream().responseTimeout().toMillis();
    }

    private long bodyTimeoutMillis() {
        return fixture.context.config().upstream().responseBodyTimeout().toMillis();
    }

    private void advanceMillis(long millis) {
        fixture.channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        fixture.channel.runScheduledPendingTasks();
    }

    @Test
    void begunAnswer_thatGoesQuiet_stallsAfterTheBodyTimeout() {
        fixture.openWaitingStream(1, 0, true);
        relay.awaitAnswer(true);
        relay.headers(status("200"), false);

        advanceMillis(bodyTimeoutMillis() - 1);
        assertThat(told).containsExactly("started");

        advanceMillis(1);
        assertThat(told).containsExactly("started", "stalled");
    }

    @Test
    void eachPartOfTheAnswer_startsTheBodyTimeoutAgain() {
        fixture.openWaitingStream(1, 0, true);
        relay.awaitAnswer(true);
        relay.headers(status("200"), false);
        long step = bodyTimeoutMillis() * 3 / 4;
        for (int i = 0; i < 4; i++) { // three body timeouts in all, never one of them quiet
            advanceMillis(step);
            ByteBuf data = body(1);
            relay.data(side, data, false);
            data.release();
        }
        assertThat(told).containsExactly("started");

        advanceMillis(bodyTimeoutMillis());
        assertThat(told).containsExactly("started", "stalled");
    }

    @Test
    void eachPartOfTheRequestTheCellTakes_startsTheWaitForTheHeadAgain() {
        fixture.openWaitingStream(1, 0, false);
        relay.awaitAnswer(true);
        long step = headTimeoutMillis() * 3 / 4;
        for (int i = 0; i < 4; i++) { // three response timeouts of upload, never one of them still
            advanceMillis(step);
            relay.requestMoved(100, false);
        }
        assertThat(told).isEmpty();

        advanceMillis(headTimeoutMillis());
        assertThat(told).containsExactly("timed out");
    }

    @Test
    void bytesTheCellSideHadNoRoomFor_orEmptyFrames_doNotCountAsTheRequestMoving() {
        fixture.openWaitingStream(1, 0, false);
        relay.awaitAnswer(true);
        for (int i = 0; i < 4; i++) {
            advanceMillis(headTimeoutMillis() / 4);
            relay.requestMoved(0, false);
        }

        assertThat(told).containsExactly("timed out");
    }

    @Test
    void theRequestsLastFrame_evenEmpty_startsTheWaitForTheHeadAgain() {
        fixture.openWaitingStream(1, 0, false);
        relay.awaitAnswer(true);
        advanceMillis(headTimeoutMillis() - 1);
        relay.requestMoved(0, true);

        advanceMillis(headTimeoutMillis() - 1);
        assertThat(told).isEmpty();
        advanceMillis(1);
        assertThat(told).containsExactly("timed out");
    }

    @Test
    void eachPartOfTheRequestTheCellTakes_onceTheAnswerBegan_startsTheBodyTimeoutAgain() {
        fixture.openWaitingStream(1, 0, false);
        relay.awaitAnswer(true);
        relay.headers(status("200"), false);
        long step = bodyTimeoutMillis() * 3 / 4;
        for (int i = 0; i < 4; i++) {
            advanceMillis(step);
            relay.requestMoved(100, false);
        }
        assertThat(told).containsExactly("started");

        advanceMillis(bodyTimeoutMillis());
        assertThat(told).containsExactly("started", "stalled");
    }

    /**
     * An answer begun on stream 1 of a new connection whose client's window is 4 bytes, and 10
     * bytes of it sent: the client's stream has no room left. {@code timeBody}: see {@link
     * Http2ResponseRelay#awaitAnswer}; {@code proxyYaml}: more keys under {@code proxy:}.
     */
    private void answerBegunOnAClosedWindow(String proxyYaml, boolean timeBody) {
        fixture.close();
        fixture = new Http2FrontendFixture(new Http2Settings().initialWindowSize(4), proxyYaml);
        relay = relayOn(fixture);
        fixture.openWaitingStream(1, 0, true);
        relay.awaitAnswer(timeBody);
        relay.headers(status("200"), false);
        ByteBuf data = body(10);
        relay.data(side, data, false); // fills the client's window
        data.release();
    }

    @Test
    void whileTheClientsWindowIsClosed_theCellIsNotTimed_untilItOpens() {
        // The client may stay behind for longer than this test's wait (see the next test).
        answerBegunOnAClosedWindow("  idleTimeout: 10m\n", true);

        advanceMillis(bodyTimeoutMillis() * 3);
        assertThat(told).as("a slow client is not the cell's silence").containsExactly("started");

        relay.clientWritable(side, true);
        advanceMillis(bodyTimeoutMillis());
        assertThat(told).containsExactly("started", "stalled");
    }

    @Test
    void aClientThatTakesNoneOfTheAnswer_forTheIdleTimeout_givesUpTheExchange_andTheCellIsNotBlamed() {
        answerBegunOnAClosedWindow("", true);
        long idle = fixture.context.config().idleTimeout().toMillis();

        advanceMillis(idle / 2);
        relay.clientWritable(side, true); // it took some: the wait counts again from its next stop
        relay.clientWritable(side, false);
        advanceMillis(idle / 4);
        relay.clientWritable(side, false); // still behind: the wait runs from when it fell behind
        advanceMillis(idle - idle / 4 - 1);
        assertThat(told).containsExactly("started");

        advanceMillis(1);
        assertThat(told)
                .containsExactly("started", "aborted: the client took none of its answer for " + idle + " ms (CANCEL)");
    }

    @Test
    void aWebSocketTunnel_isNotWatchedForAClientThatStopsReading() {
        answerBegunOnAClosedWindow("", false); // its tunnel has an idle timeout of its own

        advanceMillis(fixture.context.config().idleTimeout().toMillis() * 3);

        assertThat(told).containsExactly("started");
    }

    @Test
    void completeAnswer_leavesNoBodyTimeout() {
        fixture.openWaitingStream(1, 0, true);
        relay.awaitAnswer(true);
        relay.headers(status("200"), false);
        ByteBuf data = body(3);
        relay.data(side, data, true);
        data.release();
        relay.stopWaiting(); // the exchange's end

        advanceMillis(bodyTimeoutMillis() * 3);

        assertThat(told).containsExactly("started", "complete");
    }

    @Test
    void untimedAnswers_gRpcOrAWebSocketTunnel_neverStall() {
        fixture.openWaitingStream(1, 0, true);
        relay.awaitAnswer(false); // a WebSocket handshake: its tunnel has an idle timeout of its own
        relay.headers(status("200"), false);
        advanceMillis(bodyTimeoutMillis() * 3);
        assertThat(told).containsExactly("started");

        Http2ResponseRelay grpc = new Http2ResponseRelay(exchange, fixture.front, 3, log);
        fixture.openWaitingStream(3, 0, true);
        grpc.headers(status("200"), false); // gRPC: never awaited on a timer
        advanceMillis(bodyTimeoutMillis() * 3);
        assertThat(told).containsExactly("started", "started");
    }
}
