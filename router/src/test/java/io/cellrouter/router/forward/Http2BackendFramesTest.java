package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A connection to a cell ({@link Http2Backend}) on an {@link EmbeddedChannel}, the test playing the
 * cell: what the cell sends reaches the stream's listener through {@link Http2BackendFrames}, and
 * how the connection ends.
 */
class Http2BackendFramesTest {

    private final Promise<Void> ready = ImmediateEventExecutor.INSTANCE.newPromise();
    private final Http2Backend backend = Http2Backend.create(ready, "cell-a");
    private final EmbeddedChannel channel = new EmbeddedChannel(backend);
    private final Http2Wire cell = new Http2Wire(true, ":status", "x-note");
    private final RecordingCellListener listener = new RecordingCellListener();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        cell.close();
    }

    private static Http2Headers request() {
        return new DefaultHttp2Headers()
                .method("GET")
                .scheme("http")
                .authority("cell-a")
                .path("/");
    }

    private void cellReady() {
        cellReady(new Http2Settings());
    }

    private void cellReady(Http2Settings settings) {
        channel.writeInbound(cell.settings(settings));
        cell.read(channel); // the router's preface SETTINGS, its connection window, the ack
        channel.writeInbound(cell.settingsAck()); // the router's windows apply from now on
    }

    /** A stream whose request head (and, with {@code endStream}, the whole request) went to the cell. */
    private CellStream openStream(boolean endStream) {
        CellStream stream = backend.open(listener);
        stream.writeHeaders(request(), endStream);
        backend.flushNow();
        return stream;
    }

    @Test
    void firstSettings_makeTheConnectionReady() {
        assertThat(ready.isDone()).isFalse();

        channel.writeInbound(cell.settings(new Http2Settings()));

        assertThat(ready.isSuccess()).isTrue();
    }

    @Test
    void streamHeads_takeIdsInTheOrderTheyAreWritten_andGoOutAtOnceWhenTheyEndTheRequest() {
        cellReady();
        CellStream first = backend.open(listener);
        CellStream second = backend.open(listener);

        second.writeHeaders(request(), true);
        first.writeHeaders(request(), true);

        assertThat(first.id()).isGreaterThan(second.id());
        assertThat(cell.read(channel))
                .containsExactly("HEADERS " + second.id() + " end", "HEADERS " + first.id() + " end");
    }

    @Test
    void room_beforeTheCellsSettings_isTheAssumedMaximum_thenTheCellsOwn() {
        backend.open(listener);
        backend.open(listener);

        assertThat(backend.hasRoom(2)).isFalse();
        assertThat(backend.hasRoom(3)).isTrue();

        cellReady(new Http2Settings().maxConcurrentStreams(3));

        assertThat(backend.hasRoom(100)).isTrue();
        backend.open(listener);
        assertThat(backend.hasRoom(100)).isFalse();
    }

    @Test
    void answerFrames_reachTheListener_thenOneReadComplete() {
        cellReady();
        CellStream stream = openStream(true);
        cell.read(channel);

        ByteBuf answer = Unpooled.wrappedBuffer(
                cell.headers(stream.id(), new DefaultHttp2Headers().status("200"), false),
                cell.data(stream.id(), 5, true));
        channel.writeInbound(answer);

        assertThat(listener.events).containsExactly("headers 200", "data 5 end", "readComplete");
        assertThat(stream.ended()).isTrue();
    }

    @Test
    void theConnectionWindow_isReturnedToTheCell_asDataArrives() {
        cellReady();
        cell.read(channel);
        // Streams whose clients take nothing, each sent its whole window: half the connection's
        // window in all, which is when Netty acknowledges it.
        int streams = Http2Backend.CONNECTION_WINDOW / 2 / Http2Backend.STREAM_WINDOW;
        for (int i = 0; i < streams; i++) {
            CellStream stream = openStream(true);
            channel.writeInbound(cell.headers(stream.id(), new DefaultHttp2Headers().status("200"), false));
            for (int sent = 0; sent < Http2Backend.STREAM_WINDOW; sent += 16_384) {
                channel.writeInbound(cell.data(stream.id(), 16_384, false));
            }
        }

        assertThat(cell.read(channel))
                .contains("WINDOW_UPDATE 0 " + Http2Backend.CONNECTION_WINDOW / 2)
                .noneMatch(frame -> frame.matches("WINDOW_UPDATE [1-9]\\d* .*"));
    }

    @Test
    void answerBytes_areReturnedToTheCell_onlyOnceConsumed() {
        cellReady();
        CellStream stream = openStream(true);
        cell.read(channel);
        channel.writeInbound(cell.headers(stream.id(), new DefaultHttp2Headers().status("200"), false));
        int half = Http2Backend.STREAM_WINDOW / 2;
        for (int sent = 0; sent < half; sent += 16_384) {
            channel.writeInbound(cell.data(stream.id(), 16_384, false));
        }
        String update = "WINDOW_UPDATE " + stream.id() + " ";

        assertThat(cell.read(channel)).noneMatch(frame -> frame.startsWith(update));

        stream.consumed(half);

        assertThat(cell.read(channel)).contains(update + half);
    }

    @Test
    void refusedStream_failsTheStream_asNeverProcessed() {
        cellReady();
        CellStream stream = openStream(true);

        channel.writeInbound(cell.rst(stream.id(), Http2Error.REFUSED_STREAM.code()));

        assertThat(listener.events)
                .containsExactly(
                        "failed REFUSED_STREAM unprocessed: cell reset the stream (REFUSED_STREAM)", "readComplete");
        assertThat(stream.ended()).isTrue();
    }

    @Test
    void cancelledStream_failsTheStream_asProcessed() {
        cellReady();
        CellStream stream = openStream(false);

        channel.writeInbound(cell.rst(stream.id(), Http2Error.CANCEL.code()));

        assertThat(listener.events).containsExactly("failed CANCEL: cell reset the stream (CANCEL)", "readComplete");
    }

    @Test
    void goAwayBelowTheStream_failsItAsNeverProcessed_andTheConnectionCloses() {
        cellReady();
        CellStream stream = openStream(false);

        channel.writeInbound(cell.goAway(stream.id() - 2, Http2Error.NO_ERROR.code()));

        // (the connection closes within the read: EmbeddedChannel then completes no read)
        assertThat(listener.events)
                .startsWith("failed INTERNAL_ERROR unprocessed: cell sent GOAWAY before processing the stream");
        assertThat(backend.hasRoom(100)).isFalse();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void goAway_streamInFlight_finishesBeforeTheConnectionCloses() {
        cellReady();
        CellStream stream = openStream(true);

        channel.writeInbound(cell.goAway(stream.id(), Http2Error.NO_ERROR.code()));

        assertThat(backend.hasRoom(100)).as("no new streams").isFalse();
        assertThat(channel.isOpen()).isTrue();

        channel.writeInbound(cell.headers(stream.id(), new DefaultHttp2Headers().status("204"), true));

        assertThat(listener.events).startsWith("headers 204 end");
        assertThat(channel.isOpen()).as("closed once its last stream ended").isFalse();
    }

    @Test
    void idle_closesTheConnection_onlyWithNoStreamOpen() {
        cellReady();
        CellStream stream = openStream(true);

        channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(channel.isOpen()).isTrue();

        channel.writeInbound(cell.headers(stream.id(), new DefaultHttp2Headers().status("200"), true));
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void framesForAStreamTheRouterLetGo_areNotPassedOn() {
        cellReady();
        CellStream stream = openStream(false);
        stream.reset(Http2Error.CANCEL);

        channel.writeInbound(cell.headers(stream.id(), new DefaultHttp2Headers().status("200"), false));

        assertThat(listener.events).isEmpty();
        assertThat(cell.read(channel)).contains("RST " + stream.id() + " " + Http2Error.CANCEL.code());
    }

    // ----- answers that do not end as a whole answer (CellStreamFraming) -----

    @Test
    void lengthAndNoDataAtAll_isABadResponse_neverPassedOnAsWhole() {
        cellReady();
        CellStream stream = openStream(true);

        channel.writeInbound(cell.headers(
                stream.id(), new DefaultHttp2Headers().status("200").setInt("content-length", 1000), true));

        assertThat(listener.events)
                .containsExactly("bad response: content-length 1000 but 0 bytes of body", "readComplete");
        assertThat(stream.ended()).isTrue();
    }

    @Test
    void lengthAndAnEmptyEnd_isABadResponse_afterTheHead() {
        cellReady();
        CellStream stream = openStream(true);

        channel.writeInbound(Unpooled.wrappedBuffer(
                cell.headers(
                        stream.id(), new DefaultHttp2Headers().status("200").setInt("content-length", 1000), false),
                cell.data(stream.id(), 0, true)));

        assertThat(listener.events)
                .containsExactly(
                        "headers 200", "bad response: content-length 1000 but 0 bytes of body", "readComplete");
    }

    @Test
    void lengthAndNoData_answeringAHead_orIn304_isWhole() {
        cellReady();
        CellStream head = backend.open(listener);
        head.writeHeaders(request().method("HEAD"), true);
        CellStream notModified = openStream(true);

        channel.writeInbound(Unpooled.wrappedBuffer(
                cell.headers(head.id(), new DefaultHttp2Headers().status("200").setInt("content-length", 1000), true),
                cell.headers(
                        notModified.id(),
                        new DefaultHttp2Headers().status("304").setInt("content-length", 1000),
                        true)));

        // (one listener for both streams: each is told of the read's end)
        assertThat(listener.events)
                .containsExactly("headers 200 end", "headers 304 end", "readComplete", "readComplete");
    }

    @Test
    void lengthMet_withTrailers_isWhole() {
        cellReady();
        CellStream stream = openStream(true);

        channel.writeInbound(Unpooled.wrappedBuffer(
                cell.headers(
                        stream.id(), new DefaultHttp2Headers().status("200").setInt("content-length", 5), false),
                cell.data(stream.id(), 5, false),
                cell.headers(stream.id(), new DefaultHttp2Headers().set("grpc-status", "0"), true)));

        assertThat(listener.events).containsExactly("headers 200", "data 5", "headers trailers end", "readComplete");
    }

    @Test
    void interimAnswerThatEndsTheStream_isABadResponse() {
        cellReady();
        CellStream stream = openStream(true);

        channel.writeInbound(Unpooled.wrappedBuffer(
                cell.headers(stream.id(), new DefaultHttp2Headers().status("100"), false),
                cell.headers(stream.id(), new DefaultHttp2Headers().status("103"), true)));

        assertThat(listener.events)
                .containsExactly(
                        "headers 100", "bad response: an informational (103) answer ended the stream", "readComplete");
    }

    // ----- how a stream that was not ended is reported -----

    @Test
    void connectionDropped_failsItsStreams_asLost_notAsReset() {
        cellReady();
        openStream(false);

        channel.unsafe().close(channel.voidPromise()); // the socket went away (no GOAWAY, no close by the router)

        assertThat(listener.events).first().isEqualTo("failed INTERNAL_ERROR lost: connection to the cell was lost");
    }

    // ----- HPACK (Http2Tuning.NEVER_INDEXED) -----

    /**
     * The second request with the same credential costs its whole value again: it was never put in
     * the connection's table (which the requests of every customer on it share).
     */
    @ParameterizedTest
    @ValueSource(strings = {"authorization", "proxy-authorization", "cookie"})
    void credentials_areNeverIndexed(String name) {
        cellReady();
        cell.read(channel);
        String secret = "Bearer " + "a1B2c3D4e5F6g7H8i9J0".repeat(10); // 207 characters
        backend.open(listener).writeHeaders(request().set(name, secret), true);
        backend.flushNow();
        cell.read(channel);

        backend.open(listener).writeHeaders(request().set(name, secret), true);
        backend.flushNow();
        long second = 0;
        Object frame;
        while ((frame = channel.readOutbound()) != null) {
            second += ((ByteBuf) frame).readableBytes();
            ((ByteBuf) frame).release();
        }

        assertThat(second).as("bytes of the second request's HEADERS").isGreaterThan(100);
    }

    // ----- room for another stream -----

    @Test
    void room_endsBeforeTheStreamIdsRunOut() throws Exception {
        cellReady();
        // As after about a billion streams: two ids beyond the spare ones are left.
        backend.connection().local().createStream(Integer.MAX_VALUE - 2 * (Http2Backend.SPARE_STREAM_IDS + 2), true);
        assertThat(backend.hasRoom(100)).isTrue();

        backend.open(listener);
        backend.open(listener);

        assertThat(backend.hasRoom(100)).isFalse();
    }

    @Test
    void room_endsOnceTheRouterSentGoAway() {
        cellReady();

        backend.goAway(
                channel.pipeline().context(backend),
                0,
                Http2Error.NO_ERROR.code(),
                Unpooled.EMPTY_BUFFER,
                channel.newPromise());

        assertThat(backend.hasRoom(100)).isFalse();
    }
}
