package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.metrics.RouterMetrics;
import io.cellrouter.router.transport.ClientAddress;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The router's own answer to an HTTP/1.1 client, written on an embedded channel. */
class Http1ErrorAnswerTest {

    private final ChannelInboundHandlerAdapter last = new ChannelInboundHandlerAdapter();
    private final EmbeddedChannel channel = new EmbeddedChannel(last);
    private final ChannelHandlerContext ctx = channel.pipeline().context(last);
    private final ExchangeLog log = new ExchangeLog(ClientAddress.of(channel), "http1");

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void send_writesTheErrorWithTheRequestId_andRecordsItInTheLog() {
        log.requestId = "req-1";
        RouterException error =
                new RouterException(ErrorCode.CUSTOMER_FROZEN, "customer acme is frozen", Duration.ofSeconds(2));

        Http1ErrorAnswer.send(ctx, error, false, log);

        FullHttpResponse response = channel.readOutbound();
        try {
            assertThat(response.status().code()).isEqualTo(503);
            assertThat(response.headers().get(RequestIds.X_REQUEST_ID)).isEqualTo("req-1");
            assertThat(response.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("2");
            assertThat(response.headers().contains(HttpHeaderNames.CONNECTION)).isFalse();
            assertThat(response.content().toString(StandardCharsets.UTF_8))
                    .contains("\"error\":\"customer_frozen\"")
                    .contains("customer acme is frozen");
            assertThat(log.status).isEqualTo(503);
            assertThat(log.bytesOut).isEqualTo(response.content().readableBytes());
        } finally {
            response.release();
        }
        assertThat(channel.isOpen()).as("closing is the caller's").isTrue();
    }

    @Test
    void send_closing_saysConnectionClose() {
        log.requestId = "req-2";
        Http1ErrorAnswer.send(ctx, new RouterException(ErrorCode.CELL_TIMEOUT, "slow"), true, log);

        FullHttpResponse response = channel.readOutbound();
        try {
            assertThat(response.status().code()).isEqualTo(504);
            assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        } finally {
            response.release();
        }
    }

    @Test
    void closes_whenBodyIsStillToCome_theClientEndsIt_orTheErrorEndsConnections() {
        RouterException unknown = new RouterException(ErrorCode.UNKNOWN_CUSTOMER, "who?");
        RouterException malformed = new RouterException(ErrorCode.MALFORMED_REQUEST, "bad framing");

        assertThat(Http1ErrorAnswer.closes(unknown, false, true)).isFalse();
        assertThat(Http1ErrorAnswer.closes(unknown, true, true))
                .as("body still to come")
                .isTrue();
        assertThat(Http1ErrorAnswer.closes(unknown, false, false))
                .as("not kept alive")
                .isTrue();
        assertThat(Http1ErrorAnswer.closes(malformed, false, true))
                .as("closes connections")
                .isTrue();
    }

    @Test
    void reject_answersCountsAndCloses() {
        RouterMetrics metrics = new RouterMetrics();
        ExchangeRecorder recorder = new ExchangeRecorder(metrics, null, Clock.systemUTC());

        Http1ErrorAnswer.reject(ctx, new RouterException(ErrorCode.MALFORMED_REQUEST, "not HTTP"), recorder, "http1");

        FullHttpResponse response = channel.readOutbound();
        try {
            assertThat(response.status().code()).isEqualTo(400);
            assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        } finally {
            response.release();
        }
        assertThat(channel.isOpen()).isFalse();
        assertThat(metrics.registry()
                        .get("cellrouter.requests")
                        .tag("protocol", "http1")
                        .tag("outcome", "malformed_request")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }
}
