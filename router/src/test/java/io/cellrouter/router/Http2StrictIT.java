package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RawH2;
import io.cellrouter.router.testing.RouterExtension;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

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

    /**
     * A {@code :method} that is not a token (RFC 9110 section 9.1) is a malformed request, answered
     * 400 on its stream whatever the cell speaks: the other streams of the connection go on. Before,
     * converting it for an HTTP/1.1 cell threw: on a connection to the cell still being opened the
     * stream was never answered (holding its permits), on a pooled one the client's whole
     * connection was ended with GOAWAY.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"G@T", "GE T", "GET/1", "G{T}"})
    void methodThatIsNotAToken_isAnswered400_andTheConnectionGoesOn(String method) throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            // Stream 1: no connection to the cell yet; stream 5: an idle pooled one (stream 3's).
            for (int stream = 1; stream <= 7; stream += 2) {
                String sent = stream % 4 == 1 ? method : "GET";
                raw.headers(stream, base().method(sent), true).flush();

                List<String> answer = raw.readStream(stream, 5000);

                assertThat(answer)
                        .as(sent + " on stream " + stream + ": " + raw.events())
                        .first()
                        .isEqualTo("HEADERS " + stream + " " + (sent.equals(method) ? "400" : "200"));
                assertThat(raw.events()).noneMatch(e -> e.startsWith("GOAWAY"));
            }
            assertThat(raw.body(5)).contains("malformed_request");
        }
        assertThat(router.cell("cell-1").requestCount()).isEqualTo(2);
    }

    /** {@code :path} in absolute form names a host that a hop before the router could go by instead of :authority. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http://globex.example/x", "x", "https://a/x"})
    void pathThatIsNotAPath_isAnswered400_andNeverForwarded(String path) throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.headers(1, base().method("GET").path(path), true).flush();

            List<String> answer = raw.readStream(1, 5000);

            assertThat(answer).as(raw.events().toString()).first().isEqualTo("HEADERS 1 400");
        }
        assertThat(router.cell("cell-1").requestCount()).isZero();
    }

    /** RFC 9113 section 8.3.1: {@code *} is the path of a server-wide OPTIONS only. */
    @Test
    void asteriskPath_butForOptions_isAnswered400_andNeverForwarded() throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.headers(1, base().method("GET").path("*"), true).flush();
            assertThat(raw.readStream(1, 5000))
                    .as(raw.events().toString())
                    .first()
                    .isEqualTo("HEADERS 1 400");
            raw.headers(3, base().method("OPTIONS").path("*"), true).flush();
            assertThat(raw.readStream(3, 5000))
                    .as(raw.events().toString())
                    .first()
                    .isEqualTo("HEADERS 3 200");
        }
        assertThat(router.cell("cell-1").requestCount()).as("the OPTIONS only").isEqualTo(1);
    }

    /**
     * Header fields count as on HTTP/1.1 ({@code maxHeaderCount}, pseudo-header fields apart): one
     * more is 431 on its stream, and the connection goes on (a cookie split into one field per
     * cookie counts once); too many trailer fields reset the stream. Before, an HTTP/2 client could send any number within the header list size.
     */
    @Test
    void moreHeaderFieldsThanTheLimit_is431_andTooManyTrailerFieldsResetTheStream() throws Exception {
        int limit = 100; // the default
        Http2Headers atTheLimit = base().method("GET");
        for (int i = 1; i < limit; i++) {
            atTheLimit.add("x-f" + i, "v");
        }
        Http2Headers overIt = base().method("GET");
        for (int i = 1; i <= limit; i++) {
            overIt.add("x-f" + i, "v");
        }
        Http2Headers trailers = new DefaultHttp2Headers(false);
        for (int i = 0; i <= limit; i++) {
            trailers.add("x-t" + i, "v");
        }
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.headers(1, atTheLimit, true).flush();
            assertThat(raw.readStream(1, 5000))
                    .as(raw.events().toString())
                    .first()
                    .isEqualTo("HEADERS 1 200");

            // Cookie fields, split one per cookie as HTTP/2 allows, count as one (as on HTTP/1.1).
            Http2Headers splitCookies = base().method("GET");
            for (int i = 1; i < limit - 1; i++) {
                splitCookies.add("x-f" + i, "v");
            }
            for (int i = 0; i < 5; i++) {
                splitCookies.add("cookie", "c" + i + "=v");
            }
            raw.headers(3, splitCookies, true).flush();
            assertThat(raw.readStream(3, 5000))
                    .as(raw.events().toString())
                    .first()
                    .isEqualTo("HEADERS 3 200");

            raw.headers(5, overIt, true).flush();
            assertThat(raw.readStream(5, 5000))
                    .as(raw.events().toString())
                    .first()
                    .isEqualTo("HEADERS 5 431");
            assertThat(raw.body(5)).contains("headers_too_large");

            raw.headers(7, base(), false)
                    .data(7, new byte[10], false)
                    .headers(7, trailers, true)
                    .flush();
            assertThat(raw.readUntil(e -> e.contains("RST 7 1"), 5000))
                    .as(raw.events().toString())
                    .isTrue();
            assertThat(raw.events()).noneMatch(e -> e.startsWith("GOAWAY"));
        }
    }

    @Test
    void grpcCallWithAMethodThatIsNotAToken_isAnsweredInternal() throws Exception {
        try (H2Client client = new H2Client(router.server().proxyAddress())) {
            H2Client.Response response = client.send(
                            base().method("P@ST").add("content-type", "application/grpc"), new byte[5])
                    .get(10, TimeUnit.SECONDS);

            assertThat(response.trailersOnly()).as(response.toString()).isTrue();
            assertThat(response.header("grpc-status")).isEqualTo("13");
        }
        assertThat(router.cell("cell-1").requestCount()).isZero();
    }

    /**
     * An HTTP/2 client's content-length reaches an HTTP/1.1 cell as the number the router read, as
     * an HTTP/1.1 client's does: {@code 010} is ten here, and eight to a server that takes a leading
     * zero for octal, which would then read the last two bytes as the start of the next request on
     * the pooled connection. (Netty's HTTP/2 codec writes the number back as it validates it; this
     * holds the router to that.)
     */
    @Test
    void contentLengthWithALeadingZero_reachesAnHttp11CellAsTheNumberRead() throws Exception {
        try (H2Client client = new H2Client(router.server().proxyAddress())) {
            H2Client.Response response = client.send(base().add("content-length", "010"), new byte[10])
                    .get(10, TimeUnit.SECONDS);

            assertThat(response.status()).as(response.toString()).isEqualTo("200");
        }
        assertThat(router.cell("cell-1").receivedHeaders())
                .singleElement()
                .satisfies(h -> assertThat(h.getAll("content-length")).containsExactly("10"));
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
