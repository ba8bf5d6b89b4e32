package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellrouter.router.accesslog.AccessLog;
import io.cellrouter.router.testing.AuditCapture;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The life of the exchanges on one embedded client connection: one after the other, and every way
 * one ends (the cell's answer, the router's error, cut short), with {@link FakeCellLeg}s as cells.
 */
class Http1ExchangeTest {

    private static final String GET = "GET / HTTP/1.1\r\nHost: shop\r\nx-customer-id: acme\r\n\r\n";

    @RegisterExtension
    final AuditCapture accessLines = AuditCapture.accessLog();

    private final AccessLog accessLog = new AccessLog(64, () -> {});
    private final Http1Fixture fixture =
            new Http1Fixture("  maxBodySize: 4\n", accessLog).route("acme", Http1Fixture.CELL_A);

    @AfterEach
    void close() {
        fixture.channel.finishAndReleaseAll();
        accessLog.close();
    }

    private static HttpResponse ok() {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        return response;
    }

    private void answerOk() {
        UpstreamListener cell = fixture.lastOpened().answer();
        cell.upstreamRead(ok());
        cell.upstreamRead(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    private CustomerExchanges.InFlight inFlight() {
        CompletableFuture<List<CustomerExchanges.InFlight>> found =
                fixture.context.exchanges().of("acme");
        fixture.channel.runPendingTasks();
        return found.join().get(0);
    }

    @Test
    void pipelinedRequests_areServedOneAfterTheOther() {
        fixture.send(GET + GET.replace("GET / ", "GET /second "));
        assertThat(fixture.opened).as("the second waits for the first").hasSize(1);
        FakeCellLeg first = fixture.lastOpened().ready();

        answerOk();

        assertThat(fixture.opened).hasSize(2);
        FakeCellLeg second = fixture.lastOpened().ready();
        assertThat(second.written.get(0))
                .satisfies(head -> assertThat(((io.netty.handler.codec.http.HttpRequest) head).uri())
                        .isEqualTo("/second"));
        answerOk();
        assertThat(fixture.answered().split("HTTP/1.1 200 OK", -1)).hasSize(3);
        assertThat(fixture.context.drain().inFlight()).isZero();
        first.release();
        second.release();
    }

    @Test
    void aMovePastItsGracePeriod_endsAnUnansweredExchangeWith503CustomerMoved() {
        fixture.send(GET);
        FakeCellLeg leg = fixture.lastOpened().ready();
        CustomerExchanges.InFlight exchange = inFlight();
        assertThat(exchange.cell()).isEqualTo("cell-a");

        exchange.handler().endForMove(exchange.sequence());

        assertThat(fixture.answered())
                .startsWith("HTTP/1.1 503")
                .contains("\"error\":\"customer_moved\"")
                .contains("connection: close");
        assertThat(leg.abandoned).isTrue();
        assertThat(fixture.channel.isOpen()).isFalse();
        leg.release();
    }

    @Test
    void aMovePastItsGracePeriod_cutsAnAnswerUnderWayShort() {
        fixture.send(GET);
        FakeCellLeg leg = fixture.lastOpened().ready();
        HttpResponse started = ok();
        started.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 10);
        fixture.lastOpened().answer().upstreamRead(started);
        CustomerExchanges.InFlight exchange = inFlight();

        exchange.handler().endForMove(exchange.sequence());

        assertThat(leg.abandoned).isTrue();
        assertThat(fixture.channel.isOpen()).isFalse();
        leg.release();
    }

    /**
     * The client connection fails mid-answer (a TLS error, say): the exchange is cut short at once,
     * so the connection ends with a reset, not with a close that could pass for the answer's end.
     */
    @Test
    void aFailureOfTheClientConnectionMidAnswer_cutsTheAnswerShort() {
        fixture.send(GET);
        FakeCellLeg leg = fixture.lastOpened().ready();
        HttpResponse started = ok();
        started.headers().remove(HttpHeaderNames.CONTENT_LENGTH); // its end: the close
        fixture.lastOpened().answer().upstreamRead(started);

        fixture.channel.pipeline().fireExceptionCaught(new java.io.IOException("bad record MAC"));

        assertThat(leg.abandoned).isTrue();
        assertThat(fixture.channel.isOpen()).isFalse();
        JsonNode line =
                accessLines.awaitLine(l -> "aborted".equals(l.path("error").asText()));
        assertThat(line.path("detail").asText())
                .contains("the client connection failed")
                .contains("bad record MAC");
        leg.release();
    }

    @Test
    void aMovesFirstNotice_endsTheConnectionWithTheCurrentAnswer() {
        fixture.send(GET);
        FakeCellLeg leg = fixture.lastOpened().ready();
        CustomerExchanges.InFlight exchange = inFlight();

        exchange.handler().routingChanged(exchange.sequence());
        answerOk();

        assertThat(fixture.answered()).startsWith("HTTP/1.1 200 OK").contains("connection: close");
        assertThat(fixture.channel.isOpen()).isFalse();
        assertThat(leg.finishedReusable)
                .as("the cell's connection is still good")
                .isTrue();
        leg.release();
    }

    @Test
    void theClientGoingAway_cutsTheExchangeShort_andAbandonsTheCellSide() {
        fixture.send(GET);
        FakeCellLeg leg = fixture.lastOpened().ready();

        fixture.channel.close();

        assertThat(leg.abandoned).isTrue();
        assertThat(fixture.context.drain().inFlight()).isZero();
        leg.release();
    }

    @Test
    void aCellSideReadyAfterTheClientWentAway_goesBackUnused() {
        fixture.send(GET);

        fixture.channel.close();
        FakeCellLeg leg = fixture.lastOpened().ready();

        assertThat(leg.finishedReusable).isTrue();
        assertThat(leg.written).isEmpty();
    }

    @Test
    void aBodyThatStopsArriving_is408_andTheConnectionCloses() {
        fixture.send("POST / HTTP/1.1\r\nHost: shop\r\nx-customer-id: acme\r\nTransfer-Encoding: chunked\r\n\r\n");
        FakeCellLeg leg = fixture.lastOpened().ready();

        fixture.channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);

        assertThat(fixture.answered())
                .startsWith("HTTP/1.1 408")
                .contains("request body stopped arriving")
                .contains("connection: close");
        assertThat(leg.abandoned).isTrue();
        assertThat(fixture.channel.isOpen()).isFalse();
        leg.release();
        JsonNode line = accessLines.awaitLine(l -> l.path("status").asInt() == 408);
        assertThat(line.path("detail").asText())
                .as("the access log names the timer that ran out")
                .isEqualTo("proxy.requestBodyTimeout ran out");
    }

    @Test
    void aBodyOverTheLimit_is413_andTheConnectionCloses() {
        fixture.send("POST / HTTP/1.1\r\nHost: shop\r\nx-customer-id: acme\r\nTransfer-Encoding: chunked\r\n\r\n");
        FakeCellLeg leg = fixture.lastOpened().ready();

        fixture.channel.writeInbound(Unpooled.copiedBuffer("5\r\nhello\r\n", StandardCharsets.ISO_8859_1));

        assertThat(fixture.answered()).startsWith("HTTP/1.1 413").contains("\"error\":\"payload_too_large\"");
        assertThat(leg.abandoned).isTrue();
        assertThat(fixture.channel.isOpen()).isFalse();
        leg.release();
    }

    @Test
    void draining_endsTheConnectionWithTheCurrentAnswer_andIdleOnesAtOnce() {
        fixture.send(GET);
        FakeCellLeg leg = fixture.lastOpened().ready();

        fixture.channel.pipeline().fireUserEventTriggered(DrainState.DRAIN_EVENT);
        assertThat(fixture.channel.isOpen()).isTrue();
        answerOk();

        assertThat(fixture.answered()).contains("connection: close");
        assertThat(fixture.channel.isOpen()).isFalse();
        leg.release();
    }

    @Test
    void allIdle_closesTheConnection_onlyBetweenExchanges() {
        fixture.send(GET);
        FakeCellLeg leg = fixture.lastOpened().ready();

        fixture.channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(fixture.channel.isOpen()).isTrue();

        answerOk();
        fixture.channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(fixture.channel.isOpen()).isFalse();
        leg.release();
    }

    @Test
    void aWebSocketHandshake_getsACellConnectionOfItsOwn() {
        fixture.send(
                "GET /chat HTTP/1.1\r\nHost: shop\r\nx-customer-id: acme\r\nConnection: Upgrade\r\n"
                        + "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");

        assertThat(fixture.lastOpened().upgrade()).isTrue();
        assertThat(fixture.lastOpened().answer()).isInstanceOf(WebSocketAnswer.class);
    }
}
