package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The forwarding step on an embedded client connection: the cell side is a {@link FakeCellLeg}
 * handed out by the test, and the cell's answer is what the test tells the exchange's listener.
 */
class Http1ForwardStepTest {

    private static final String GET = "GET /orders?id=7 HTTP/1.1\r\nHost: shop\r\nx-customer-id: acme\r\n\r\n";

    private final Http1Fixture fixture =
            new Http1Fixture("  upstream:\n    responseTimeout: 2s\n").route("acme", Http1Fixture.CELL_A);

    @AfterEach
    void close() {
        fixture.channel.finishAndReleaseAll();
    }

    private static HttpResponse answer(int status, int contentLength) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        if (contentLength >= 0) {
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, contentLength);
        }
        return response;
    }

    private static LastHttpContent last(String text) {
        return new DefaultLastHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    private static String text(Object part) {
        return ((HttpContent) part).content().toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void theRequest_goesToTheRoutedCell_rewritten_withTheBodyThatWaitedForTheCellSide() {
        String response = fixture.send(
                "POST /orders HTTP/1.1\r\nHost: shop\r\nx-customer-id: acme\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(response).isEmpty();
        assertThat(fixture.opened).singleElement().satisfies(opened -> {
            assertThat(opened.cell()).isEqualTo(Http1Fixture.CELL_A);
            assertThat(opened.upgrade()).isFalse();
        });

        FakeCellLeg leg = fixture.lastOpened().ready();

        assertThat(leg.written).hasSize(2);
        HttpRequest head = (HttpRequest) leg.written.get(0);
        assertThat(head.uri()).isEqualTo("/orders");
        assertThat(head.headers().get("x-cell-router-cell")).isEqualTo("cell-a");
        assertThat(text(leg.written.get(1))).isEqualTo("hello");
        assertThat(leg.written.get(1)).isInstanceOf(LastHttpContent.class);
        assertThat(leg.flushes).as("flushed at once: no client read under way").isEqualTo(1);
        assertThat(leg.readingAnswer).isTrue();
        leg.release();
    }

    @Test
    void theCellsAnswer_goesToTheClient_andTheCellSideBackToThePool() {
        fixture.send(GET);
        FakeCellLeg leg = fixture.lastOpened().ready();
        UpstreamListener cell = fixture.lastOpened().answer();

        cell.upstreamRead(answer(200, 2));
        cell.upstreamRead(last("ok"));
        cell.upstreamReadComplete();

        assertThat(fixture.answered())
                .startsWith("HTTP/1.1 200 OK\r\n")
                .contains("x-request-id: ")
                .endsWith("\r\n\r\nok");
        assertThat(leg.finishedReusable).isTrue();
        assertThat(fixture.channel.isOpen()).isTrue();

        fixture.send(GET);
        assertThat(fixture.opened).as("the next request is routed anew").hasSize(2);
        leg.release();
    }

    @Test
    void aCellSideThatTakesNoMore_stopsTheClientsBody_untilItDoes() {
        fixture.send("POST /up HTTP/1.1\r\nHost: shop\r\nx-customer-id: acme\r\nTransfer-Encoding: chunked\r\n\r\n");
        FakeCellLeg leg = new FakeCellLeg();
        leg.writable = false;
        fixture.lastOpened().promise().setSuccess(leg);

        assertThat(fixture.channel.config().isAutoRead()).isFalse();

        leg.writable = true;
        fixture.lastOpened().answer().upstreamWritabilityChanged(true);
        assertThat(fixture.channel.config().isAutoRead()).isTrue();
        leg.release();
    }

    @Test
    void aRefusedStream_isSentOnceMore_toTheSameCell_thenTheSecondRefusalIs502() {
        fixture.send(GET);
        FakeCellLeg first = fixture.lastOpened().ready();
        UpstreamResetException refused = new UpstreamResetException(Http2Error.REFUSED_STREAM, true, "refused");

        fixture.lastOpened().answer().upstreamClosed(refused);
        assertThat(fixture.opened)
                .as("after the GOAWAY is handled: a turn of the loop")
                .hasSize(1);
        fixture.channel.runPendingTasks();

        assertThat(fixture.opened).hasSize(2);
        assertThat(fixture.lastOpened().cell()).isEqualTo(Http1Fixture.CELL_A);
        FakeCellLeg second = fixture.lastOpened().ready();
        assertThat(second.written.get(0)).isSameAs(first.written.get(0));
        assertThat(fixture.answered()).isEmpty();

        fixture.lastOpened().answer().upstreamClosed(refused);
        fixture.channel.runPendingTasks();

        assertThat(fixture.opened).hasSize(2);
        assertThat(fixture.answered())
                .startsWith("HTTP/1.1 502 Bad Gateway")
                .contains("\"error\":\"cell_unreachable\"")
                .contains("closed the connection before responding");
        first.release();
        second.release();
    }

    @Test
    void aCellThatClosesDuringItsAnswer_cutsItShort_andTheClientConnectionCloses() {
        fixture.send(GET);
        FakeCellLeg leg = fixture.lastOpened().ready();
        UpstreamListener cell = fixture.lastOpened().answer();
        cell.upstreamRead(answer(200, 10));
        cell.upstreamReadComplete();
        assertThat(fixture.answered()).startsWith("HTTP/1.1 200 OK");

        cell.upstreamClosed(null);

        assertThat(fixture.channel.isOpen()).isFalse();
        assertThat(leg.finishedReusable).as("the cell side closed by itself").isNull();
        leg.release();
    }

    @Test
    void anInvalidAnswer_is502BadCellResponse_andTheCellSideIsAbandoned() {
        fixture.send(GET);
        FakeCellLeg leg = fixture.lastOpened().ready();
        HttpResponse broken = answer(200, -1);
        broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad status line")));

        fixture.lastOpened().answer().upstreamRead(broken);

        assertThat(fixture.answered())
                .startsWith("HTTP/1.1 502 Bad Gateway")
                .contains("\"error\":\"bad_cell_response\"");
        assertThat(leg.abandoned).isTrue();
        assertThat(fixture.channel.isOpen())
                .as("the request was whole: the connection stays")
                .isTrue();
        leg.release();
    }

    @Test
    void a421_isSentOnceMore_toTheCellTheRegistryNames() {
        fixture.send(GET);
        FakeCellLeg disowning = fixture.lastOpened().ready();
        fixture.route("acme", Http1Fixture.CELL_B);

        fixture.lastOpened().answer().upstreamRead(answer(421, 0));

        assertThat(disowning.abandoned).isTrue();
        assertThat(fixture.opened).hasSize(2);
        assertThat(fixture.lastOpened().cell()).isEqualTo(Http1Fixture.CELL_B);
        FakeCellLeg owner = fixture.lastOpened().ready();
        HttpRequest resent = (HttpRequest) owner.written.get(0);
        assertThat(resent.headers().get("x-cell-router-cell")).isEqualTo("cell-b");
        assertThat(fixture.answered())
                .as("nothing of the 421 reached the client")
                .isEmpty();

        fixture.lastOpened().answer().upstreamRead(answer(204, -1));
        fixture.lastOpened().answer().upstreamRead(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(fixture.answered()).startsWith("HTTP/1.1 204 No Content");
        owner.release();
        disowning.release();
    }

    @Test
    void aSilentCell_is504_whenTheResponseTimeoutPasses() {
        fixture.send(GET);
        FakeCellLeg leg = fixture.lastOpened().ready();

        fixture.channel.advanceTimeBy(1999, TimeUnit.MILLISECONDS);
        fixture.channel.runScheduledPendingTasks();
        assertThat(fixture.answered()).isEmpty();

        fixture.channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        fixture.channel.runScheduledPendingTasks();

        assertThat(fixture.answered())
                .startsWith("HTTP/1.1 504 Gateway Timeout")
                .contains("cell cell-a did not answer within 2000 ms");
        assertThat(leg.abandoned).isTrue();
        leg.release();
    }

    @Test
    void anAnswerBeforeTheWholeBody_endsBothConnections() {
        fixture.send("POST /up HTTP/1.1\r\nHost: shop\r\nx-customer-id: acme\r\nContent-Length: 100\r\n\r\nabc");
        FakeCellLeg leg = fixture.lastOpened().ready();
        UpstreamListener cell = fixture.lastOpened().answer();

        cell.upstreamRead(answer(413, 0));
        cell.upstreamRead(LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(fixture.answered()).startsWith("HTTP/1.1 413");
        assertThat(fixture.channel.isOpen()).isFalse();
        assertThat(leg.finishedReusable).isFalse();
        leg.release();
    }

    @Test
    void aClientThatCannotTakeMore_pausesTheAnswer_untilItCanAgain() {
        fixture.send(GET);
        FakeCellLeg leg = fixture.lastOpened().ready();
        UpstreamListener cell = fixture.lastOpened().answer();
        fixture.channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));

        cell.upstreamRead(answer(200, 64));
        cell.upstreamRead(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[32])));
        assertThat(leg.readingAnswer).isFalse();

        cell.upstreamReadComplete(); // flushed: the client takes it
        assertThat(leg.readingAnswer).isTrue();
        fixture.answered();
        leg.release();
    }

    @Test
    void theFailureOfAnExchangeThatEnded_changesNothing() {
        fixture.send(GET);
        FakeCellLeg leg = fixture.lastOpened().ready();
        UpstreamListener cell = fixture.lastOpened().answer();
        cell.upstreamRead(answer(200, 0));
        cell.upstreamRead(LastHttpContent.EMPTY_LAST_CONTENT);
        fixture.answered();

        cell.upstreamClosed(new RouterException(ErrorCode.CELL_UNREACHABLE, "late"));

        assertThat(fixture.answered()).isEmpty();
        assertThat(fixture.channel.isOpen()).isTrue();
        leg.release();
    }
}
