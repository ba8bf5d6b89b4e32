package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The keep-alive decision on an embedded event loop whose clock the test moves. */
class Http1KeepAliveTest {

    private final MockTicker ticker = Ticker.newMockTicker();
    private final EmbeddedChannel channel =
            EmbeddedChannel.builder().ticker(ticker).build();
    private final DrainState drain = new DrainState();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private Http1KeepAlive keepAlive(Duration maxAge) {
        return new Http1KeepAlive(drain, maxAge, channel.eventLoop());
    }

    private static HttpRequest request(HttpVersion version, String connection) {
        HttpRequest request = new DefaultHttpRequest(version, HttpMethod.GET, "/");
        if (connection != null) {
            request.headers().set(HttpHeaderNames.CONNECTION, connection);
        }
        return request;
    }

    @Test
    void http11_keepsTheConnection_unlessItAsksToClose() {
        Http1KeepAlive keepAlive = keepAlive(Duration.ZERO);

        keepAlive.begin(request(HttpVersion.HTTP_1_1, null));
        assertThat(keepAlive.keeps()).isTrue();
        assertThat(keepAlive.clientHttp11()).isTrue();

        keepAlive.begin(request(HttpVersion.HTTP_1_1, "close"));
        assertThat(keepAlive.keeps()).isFalse();
    }

    @Test
    void http10_keepsTheConnection_onlyWhenAskedTo() {
        Http1KeepAlive keepAlive = keepAlive(Duration.ZERO);

        keepAlive.begin(request(HttpVersion.HTTP_1_0, null));
        assertThat(keepAlive.keeps()).isFalse();
        assertThat(keepAlive.clientHttp11()).isFalse();

        keepAlive.begin(request(HttpVersion.HTTP_1_0, "keep-alive"));
        assertThat(keepAlive.keeps()).isTrue();
    }

    @Test
    void draining_endsEveryConnectionWithItsNextExchange() {
        Http1KeepAlive keepAlive = keepAlive(Duration.ZERO);
        drain.startDraining();

        keepAlive.begin(request(HttpVersion.HTTP_1_1, null));

        assertThat(keepAlive.keeps()).isFalse();
    }

    @Test
    void aConnectionOlderThanMaxConnectionAge_endsWithItsNextExchange() {
        Http1KeepAlive keepAlive = keepAlive(Duration.ofSeconds(10));

        ticker.advance(10, TimeUnit.SECONDS);
        keepAlive.begin(request(HttpVersion.HTTP_1_1, null));
        assertThat(keepAlive.keeps()).as("exactly 10 s old").isTrue();

        ticker.advanceMillis(1);
        keepAlive.begin(request(HttpVersion.HTTP_1_1, null));
        assertThat(keepAlive.keeps()).isFalse();
    }

    @Test
    void maxConnectionAgeZero_isNoLimit() {
        Http1KeepAlive keepAlive = keepAlive(Duration.ZERO);

        ticker.advance(30, TimeUnit.DAYS);
        keepAlive.begin(request(HttpVersion.HTTP_1_1, null));

        assertThat(keepAlive.keeps()).isTrue();
    }

    @Test
    void closeAfterAnswer_endsTheConnectionWithTheCurrentExchange() {
        Http1KeepAlive keepAlive = keepAlive(Duration.ZERO);
        keepAlive.begin(request(HttpVersion.HTTP_1_1, null));

        keepAlive.closeAfterAnswer();

        assertThat(keepAlive.keeps()).isFalse();
    }
}
