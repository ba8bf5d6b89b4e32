package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RawH2;
import io.cellrouter.router.testing.RouterExtension;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Strict HTTP/2 (RFC 9113 section 8.1.1 "malformed"): such requests are reset and never forwarded
 * (above all never downgraded to an HTTP/1.1 cell, where a CR/LF in a value would split a
 * header); floods end the abusive connection.
 */
@org.junit.jupiter.api.Timeout(60)
class Http2StrictIT {

    @RegisterExtension
    final RouterExtension router = new RouterExtension();

    static Http2Headers base() {
        return new DefaultHttp2Headers(false)
                .method("POST")
                .path("/x")
                .scheme("http")
                .authority("a")
                .add("x-customer-id", "acme");
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("uppercase header name", (Supplier<Http2Headers>) () -> base().add("X-Upper", "1")),
                Arguments.of(
                        "CR LF in a value", (Supplier<Http2Headers>) () -> base().add("x-a", "a\r\nx-injected: 1")),
                Arguments.of("NUL in a value", (Supplier<Http2Headers>) () -> base().add("x-a", "a\u0000b")),
                Arguments.of(
                        "connection-specific header", (Supplier<Http2Headers>) () -> base().add("connection", "close")),
                Arguments.of(
                        "transfer-encoding", (Supplier<Http2Headers>) () -> base().add("transfer-encoding", "chunked")),
                Arguments.of("te other than trailers", (Supplier<Http2Headers>) () -> base().add("te", "gzip")),
                Arguments.of("missing :path", (Supplier<Http2Headers>) () -> new DefaultHttp2Headers(false)
                        .method("GET")
                        .scheme("http")
                        .authority("a")
                        .add("x-customer-id", "acme")),
                Arguments.of("unknown pseudo-header", (Supplier<Http2Headers>) () -> base().add(":bogus", "1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedRequest_isReset_andNeverForwarded(String name, Supplier<Http2Headers> headers) throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.headers(1, headers.get(), true).flush();

            boolean refused =
                    raw.readUntil(e -> e.stream().anyMatch(s -> s.startsWith("RST 1") || s.startsWith("GOAWAY")), 5000);

            assertThat(refused).as(name + " " + raw.events()).isTrue();
        }
        assertThat(router.cell("cell-1").requestCount()).as(name).isZero();
    }

    @Test
    void contentLengthThatDoesNotMatchTheData_isReset() throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.headers(1, base().add("content-length", "10"), false)
                    .data(1, new byte[3], true)
                    .flush();

            assertThat(raw.readUntil(
                            e -> e.stream().anyMatch(s -> s.startsWith("RST 1") || s.startsWith("GOAWAY")), 5000))
                    .as(raw.events().toString())
                    .isTrue();
        }
        assertThat(router.cell("cell-1").receivedHeaders().stream()
                        .filter(h -> "10".equals(h.get("content-length")))
                        .count())
                .as("a request whose body did not match was never completed at the cell")
                .isLessThanOrEqualTo(1);
    }

    @Test
    void emptyDataFrameFlood_endsTheConnection() throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.headers(1, base(), false);
            for (int i = 0; i < 20; i++) {
                raw.data(1, new byte[0], false);
            }
            boolean closedWhileSending = false;
            try {
                raw.flush(); // one write a frame: the router may close before the last ones
            } catch (IOException brokenPipe) {
                closedWhileSending = true;
            }

            raw.readUntil(e -> false, 3000);
            assertThat(closedWhileSending
                            || raw.closed()
                            || raw.events().stream().anyMatch(s -> s.startsWith("GOAWAY")))
                    .as(raw.events().toString())
                    .isTrue();
        }
    }

    @Test
    void zeroWindowUpdate_isAProtocolError() throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.windowUpdate(0, 0).flush();

            assertThat(raw.readUntil(e -> e.stream().anyMatch(s -> s.startsWith("GOAWAY")), 5000))
                    .as(raw.events().toString())
                    .isTrue();
        }
    }

    @Test
    void pingFloodLeftUnread_endsTheConnection_healthyConnectionsKeepWorking() throws Exception {
        try (RawH2 flood = new RawH2(router.server().proxyAddress());
                H2Client healthy = new H2Client(router.server().proxyAddress())) {
            // Never reads: the router's PING ACKs pile up until the control-frame limit.
            try {
                for (int batch = 0; batch < 200 && !flood.closed(); batch++) {
                    for (int i = 0; i < 5000; i++) {
                        flood.ping(i);
                    }
                    flood.flush();
                }
            } catch (java.io.IOException closedByRouter) {
                // The router closing the connection mid-flood is the expected outcome.
            }
            flood.readUntil(e -> false, 3000);
            assertThat(flood.closed()).isTrue();

            H2Client.Response ok = healthy.send(H2Client.request("GET", "/fine", "x-customer-id", "acme"), null)
                    .get(10, TimeUnit.SECONDS);
            assertThat(ok.status()).isEqualTo("200");
        }
    }
}
