package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.identity.Identity;
import io.cellrouter.router.transport.ClientAddress;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The request on its way to the cell, written to a {@link FakeCellLeg}. */
class Http1RequestRelayTest {

    private final Http1Fixture fixture = new Http1Fixture("  maxBodySize: 8\n");
    private final ExchangeLog log = new ExchangeLog(ClientAddress.of(fixture.channel), "http1");
    private final Http1RequestRelay relay = new Http1RequestRelay(fixture.context, log, fixture.channel.eventLoop());
    private final FakeCellLeg leg = new FakeCellLeg();
    private final Http1ReadGate reads = new Http1ReadGate(fixture.channel);

    @AfterEach
    void close() {
        relay.end(false);
        leg.release();
        reads.releaseAll();
        fixture.channel.finishAndReleaseAll();
    }

    private HttpRequest begin(HttpMethod method, String uri, String... headers) throws RouterException {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_0, method, uri);
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().add(headers[i], headers[i + 1]);
        }
        log.start(0, method.name(), uri);
        log.identity = new Identity("acme", null, "header");
        log.cell = Http1Fixture.CELL_A;
        relay.begin(request);
        relay.parseTarget();
        return request;
    }

    private static HttpContent part(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    private static LastHttpContent last(String text) {
        return new DefaultLastHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    @Test
    void theHead_isRewrittenForTheCell_andSentAsHttp11() throws RouterException {
        HttpRequest request = begin(
                HttpMethod.GET,
                "http://shop.example/a/../b?q=1",
                "Host",
                "shop.example",
                "Connection",
                "keep-alive",
                "x-cell-router-cell",
                "forged");

        relay.send(leg, false);

        assertThat(leg.written).containsExactly(request);
        assertThat(request.uri()).isEqualTo("/b?q=1");
        assertThat(request.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(request.headers().get("x-cell-router-cell")).isEqualTo("cell-a");
        assertThat(request.headers().get("x-forwarded-proto")).isEqualTo("http");
        assertThat(request.headers().get("x-forwarded-host")).isEqualTo("shop.example");
        assertThat(request.headers().contains("connection")).isFalse();
        assertThat(log.routerNanos).as("the router's own time is noted").isNotNegative();
    }

    @Test
    void bodyParts_followTheHead_untilTheLastCompletesTheRequest() throws RouterException {
        begin(HttpMethod.POST, "/upload", "Content-Length", "6");
        relay.send(leg, false);
        assertThat(relay.complete()).isFalse();
        assertThat(relay.bodyToCome()).isTrue();

        assertThat(relay.relay(leg, part("abc"))).isNull();
        assertThat(relay.complete()).isFalse();
        assertThat(relay.relay(leg, last("def"))).isNull();

        assertThat(relay.complete()).isTrue();
        assertThat(relay.bodyToCome()).isFalse();
        assertThat(leg.written).hasSize(3);
        assertThat(log.bytesIn).isEqualTo(6);
    }

    @Test
    void aBodyOverTheLimit_isPayloadTooLarge_andThePartIsReleased() throws RouterException {
        begin(HttpMethod.POST, "/upload", "Transfer-Encoding", "chunked");
        relay.send(leg, false);
        assertThat(relay.relay(leg, part("12345678"))).isNull();

        HttpContent over = part("9");
        RouterException error = relay.relay(leg, over);

        assertThat(error.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
        assertThat(error.getMessage()).isEqualTo("request body larger than 8 bytes");
        assertThat(over.refCnt()).isZero();
        assertThat(leg.written).hasSize(2);
    }

    @Test
    void anUndecodablePart_failsTheExchange_andIsReleased() throws RouterException {
        begin(HttpMethod.POST, "/upload", "Transfer-Encoding", "chunked");
        relay.send(leg, false);
        HttpContent broken = part("x");
        broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad chunk size")));

        RouterException error = relay.relay(leg, broken);

        assertThat(error.code().status().code()).isEqualTo(400);
        assertThat(broken.refCnt()).isZero();
    }

    @Test
    void aRefusedRequest_isSentOnceMore_asItWas() throws RouterException {
        HttpRequest request = begin(HttpMethod.POST, "/once", "Content-Length", "3");
        relay.send(leg, false);
        relay.relay(leg, last("abc"));
        assertThat(relay.replayable()).isTrue();

        relay.retrying();
        FakeCellLeg again = new FakeCellLeg();
        relay.send(again, false);

        assertThat(again.written).hasSize(2);
        assertThat(again.written.get(0)).isSameAs(request);
        assertThat(((HttpContent) again.written.get(1)).content().toString(StandardCharsets.UTF_8))
                .isEqualTo("abc");
        assertThat(relay.replayable()).as("once only").isFalse();
        again.release();
    }

    @Test
    void aMisroutedRequest_isCorrectable_onlyWhenCompleteAndNeverSentAgainBefore() throws RouterException {
        HttpRequest request = begin(HttpMethod.POST, "/once", "Content-Length", "3");
        relay.send(leg, false);
        assertThat(relay.correctable()).as("body incomplete").isFalse();
        relay.relay(leg, last("abc"));
        assertThat(relay.correctable()).isTrue();

        relay.redirect(Http1Fixture.CELL_B);

        assertThat(request.headers().get("x-cell-router-cell")).isEqualTo("cell-b");
        assertThat(relay.correctable()).isFalse();
    }

    @Test
    void theAnswerStarted_theRequestIsNoLongerKept() throws RouterException {
        begin(HttpMethod.GET, "/");
        relay.send(leg, false);
        relay.relay(leg, LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(relay.replayable()).isTrue();

        relay.answered();

        assertThat(relay.replayable()).isFalse();
    }

    @Test
    void dropUnsent_releasesTheWaitingBody_upToItsLastPart() throws RouterException {
        begin(HttpMethod.POST, "/upload", "Content-Length", "2");
        HttpContent first = part("a");
        LastHttpContent second = last("b");
        HttpRequest next = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/next");
        reads.hold(first);
        reads.hold(second);
        reads.hold(next);

        relay.dropUnsent(reads);

        assertThat(first.refCnt()).isZero();
        assertThat(second.refCnt()).isZero();
        assertThat(relay.complete()).isTrue();
        assertThat(reads.next()).as("the next request still waits").isSameAs(next);
    }

    @Test
    void aGetWithoutBody_hasNothingToCome_evenBeforeItsLastPart() throws RouterException {
        begin(HttpMethod.GET, "/");
        assertThat(relay.complete()).isFalse();
        assertThat(relay.bodyToCome()).isFalse();

        begin(HttpMethod.GET, "/", "Content-Length", "0");
        assertThat(relay.bodyToCome()).isFalse();

        begin(HttpMethod.GET, "/", "Content-Length", "1");
        assertThat(relay.bodyToCome()).isTrue();
    }
}
