package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.H2TestCell;
import io.cellrouter.router.testing.RawH2;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP/2 edge cases between the router's client side and its cells: a malformed request is its
 * own stream's problem, never its connection's (RFC 9113 sections 5.4.2 and 8.1.1); values with
 * whitespace at either end and a {@code :scheme} that is not a scheme are malformed (section
 * 8.2.1); an HTTP/1.1 request with an empty Host, plain or h2c Upgrade, reaches an HTTP/2 cell
 * without {@code :authority} (section 8.3.1), and an HTTP/2 request without one reaches an
 * HTTP/1.1 cell with an empty Host (RFC 9112 section 3.2).
 */
@org.junit.jupiter.api.Timeout(60)
class Http2MalformedStreamIT {

    static H2TestCell h2;

    @BeforeAll
    static void start() throws Exception {
        h2 = new H2TestCell("h2-cell");
    }

    @AfterAll
    static void stop() {
        h2.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
            "",
            r -> "  - name: h2-cell\n    endpoint: h2c://127.0.0.1:%d\n".formatted(h2.port()),
            "  h2c-customer: h2-cell\n");

    static Stream<Arguments> malformedWithBody() {
        return Stream.of(
                Arguments.of("connection", "x", false),
                Arguments.of("connection", "x", true),
                Arguments.of("transfer-encoding", "chunked", false),
                Arguments.of("transfer-encoding", "chunked", true));
    }

    /**
     * Netty refuses such a header block while decoding it, before it creates the stream; the
     * request's DATA then came on a stream Netty had never heard of, and it ended the connection
     * (GOAWAY PROTOCOL_ERROR) with every other stream on it. {@code sameWrite}: the DATA arrives in
     * the same read as the HEADERS (reset not yet written), or after the client saw the reset.
     */
    @ParameterizedTest(name = "{0}: {1}, DATA in the same write: {2}")
    @MethodSource("malformedWithBody")
    void malformedRequestWithABody_isResetAlone_andTheConnectionGoesOn(String field, String value, boolean sameWrite)
            throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            // Stream 3 is still waiting for its cell when stream 5 comes and goes.
            raw.headers(3, H2Client.request("GET", "/slow?ms=300", "x-customer-id", "acme"), true)
                    .flush();
            raw.headers(
                    5, H2Client.request("POST", "/a", "x-customer-id", "acme").add(field, value), false);
            if (!sameWrite) {
                raw.flush();
                assertThat(raw.readUntil(e -> e.contains("RST 5 1"), 5000))
                        .as(raw.events().toString())
                        .isTrue();
            }
            raw.data(5, "abc".getBytes(StandardCharsets.UTF_8), true).flush();

            List<String> slow = raw.readStream(3, 10_000);

            assertThat(slow).as(raw.events().toString()).first().isEqualTo("HEADERS 3 200");
            assertThat(slow).last().asString().matches("DATA 3 \\d+ end");
            assertThat(raw.events()).contains("RST 5 1");

            raw.headers(7, H2Client.request("GET", "/after", "x-customer-id", "acme"), true)
                    .flush();
            List<String> after = raw.readStream(7, 10_000);

            assertThat(after).as(raw.events().toString()).first().isEqualTo("HEADERS 7 200");
            assertThat(raw.events()).noneMatch(e -> e.startsWith("GOAWAY"));
            assertThat(raw.closed()).isFalse();
        }
        assertThat(router.cell("cell-1").requestCount())
                .as("streams 3 and 7 only")
                .isEqualTo(2);
    }

    static Stream<Arguments> malformedFields() {
        return Stream.of(
                Arguments.of("tab after an identity", (UnaryOperator<Http2Headers>)
                        h -> h.set("x-customer-id", h.get("x-customer-id") + "\t")),
                Arguments.of("space after an identity", (UnaryOperator<Http2Headers>)
                        h -> h.set("x-customer-id", h.get("x-customer-id") + " ")),
                Arguments.of("tab after a value", (UnaryOperator<Http2Headers>) h -> h.add("x-foo", "a\t")),
                Arguments.of("space after a value", (UnaryOperator<Http2Headers>) h -> h.add("x-foo", "a ")),
                Arguments.of("space after :path", (UnaryOperator<Http2Headers>) h -> h.path("/x ")),
                Arguments.of("space inside :scheme", (UnaryOperator<Http2Headers>) h -> h.scheme("ht tp")),
                Arguments.of("digit first in :scheme", (UnaryOperator<Http2Headers>) h -> h.scheme("1http")),
                Arguments.of("slash in :scheme", (UnaryOperator<Http2Headers>) h -> h.scheme("http/")),
                Arguments.of("empty :scheme", (UnaryOperator<Http2Headers>) h -> h.scheme("")));
    }

    static Stream<Arguments> malformedFieldsToEachCell() {
        return malformedFields().flatMap(a -> Stream.of("acme", "h2c-customer")
                .map(customer -> Arguments.of(a.get()[0], a.get()[1], customer)));
    }

    /** A request head the test's own side does not validate: it sends what a test makes of it. */
    private static Http2Headers unchecked(String method, String path, String customer) {
        return new DefaultHttp2Headers(false)
                .method(method)
                .path(path)
                .scheme("http")
                .authority("test")
                .add("x-customer-id", customer);
    }

    /** Each is reset (PROTOCOL_ERROR) and reaches neither an HTTP/1.1 cell nor an HTTP/2 one. */
    @ParameterizedTest(name = "{0} for {2}")
    @MethodSource("malformedFieldsToEachCell")
    void malformedField_isReset_andNeverForwarded(String name, UnaryOperator<Http2Headers> breaks, String customer)
            throws Exception {
        int h2Before = h2.streams();
        // A path of its own: the HTTP/2 cell is shared by the tests of this class.
        String path = "/malformed/" + customer + "/" + name.replaceAll("[^a-z]", "-");
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.headers(1, breaks.apply(unchecked("GET", path, customer)), true).flush();

            assertThat(raw.readStream(1, 5000)).as(name + " " + raw.events()).containsExactly("RST 1 1");

            // Only that stream: the connection serves the next request.
            raw.headers(3, H2Client.request("GET", "/fine", "x-customer-id", customer), true)
                    .flush();
            assertThat(raw.readStream(3, 5000))
                    .as(raw.events().toString())
                    .first()
                    .isEqualTo("HEADERS 3 200");
            assertThat(raw.events()).noneMatch(e -> e.startsWith("GOAWAY"));
        }
        assertThat(router.cell("cell-1").requestCount()).isEqualTo(customer.equals("acme") ? 1 : 0);
        assertThat(h2.streams() - h2Before).isEqualTo(customer.equals("acme") ? 0 : 1);
        assertThat(h2.receivedHeads()).noneMatch(h -> path.contentEquals(h.path()));
    }

    /** Trailers follow the same rules: the stream is reset and the trailer never reaches the cell. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"acme", "h2c-customer"})
    void trailerWithTrailingWhitespace_isReset_andNeverForwarded(String customer) throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.headers(1, H2Client.request("POST", "/upload", "x-customer-id", customer), false)
                    .data(1, "abc".getBytes(StandardCharsets.UTF_8), false)
                    .headers(1, new DefaultHttp2Headers(false).add("x-checksum", "abc\t"), true)
                    .flush();

            assertThat(raw.readStream(1, 5000))
                    .as(raw.events().toString())
                    .last()
                    .isEqualTo("RST 1 1");
            assertThat(raw.events()).noneMatch(e -> e.startsWith("GOAWAY"));
        }
        assertThat(router.cell("cell-1").receivedTrailers()).noneMatch(t -> t.contains("x-checksum"));
        assertThat(h2.receivedTrailers()).noneMatch(t -> t.contains("x-checksum"));
    }

    /**
     * An empty Host names no authority: the HTTP/2 cell gets no {@code :authority} (Netty's
     * conversion made it an empty one), and the request is served.
     */
    @Test
    void http1RequestWithAnEmptyHost_reachesAnHttp2CellWithoutAuthority() throws Exception {
        RawHttp.Response response = RawHttp.exchange(
                router.server().proxyAddress(),
                "GET /empty-host HTTP/1.1\r\nHost:\r\nx-customer-id: h2c-customer\r\nConnection: close\r\n\r\n");

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.body()).contains("cell=h2-cell");
        Http2Headers head = h2.receivedHeads().stream()
                .filter(h -> "/empty-host".contentEquals(h.path()))
                .findFirst()
                .orElseThrow();
        assertThat(head.authority()).as(head.toString()).isNull();
        assertThat(head.contains("host")).as(head.toString()).isFalse();
    }

    /**
     * The other way: an HTTP/2 request without {@code :authority} reaches an HTTP/1.1 cell with an
     * empty Host, as HTTP/1.1 writes a target without an authority. Before, it had no Host at all,
     * which an HTTP/1.1 server must answer 400 (RFC 9112 section 3.2).
     */
    @Test
    void http2RequestWithoutAuthority_reachesAnHttp1CellWithAnEmptyHost() throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.headers(
                            1,
                            new DefaultHttp2Headers(false)
                                    .method("GET")
                                    .path("/no-authority")
                                    .scheme("http")
                                    .add("x-customer-id", "acme"),
                            true)
                    .flush();

            assertThat(raw.readStream(1, 10_000))
                    .as(raw.events().toString())
                    .first()
                    .isEqualTo("HEADERS 1 200");
        }
        List<io.netty.handler.codec.http.HttpHeaders> received =
                router.cell("cell-1").receivedHeaders();
        assertThat(received).hasSize(1);
        assertThat(received.get(0).getAll("host"))
                .as(received.get(0).toString())
                .containsExactly("");
    }

    /**
     * The same request as an h2c Upgrade, where it becomes stream 1: it is answered there, as the
     * plain HTTP/1.1 request is, whichever kind of cell serves it, and an HTTP/2 cell gets no
     * {@code :authority}. Before, Netty's conversion of the upgrade request gave stream 1 an empty
     * {@code :authority}, and the client got no answer.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"acme", "h2c-customer"})
    void h2cUpgradeWithAnEmptyHost_isAnsweredOnStream1(String customer) throws Exception {
        String path = "/empty-host-upgrade/" + customer;
        try (RawH2 raw = RawH2.upgrade(
                router.server().proxyAddress(),
                "GET " + path + " HTTP/1.1\r\nHost:\r\nx-customer-id: " + customer + "\r\n"
                        + StrictParsingIT.H2C_UPGRADE + "\r\n")) {
            List<String> answer = raw.readStream(1, 10_000);

            assertThat(answer).as(raw.events().toString()).first().isEqualTo("HEADERS 1 200");
            assertThat(answer).last().asString().matches("DATA 1 \\d+ end");
            assertThat(raw.body(1)).contains(customer.equals("acme") ? "\"path\":\"" + path : "cell=h2-cell");
        }
        if (customer.equals("acme")) {
            List<io.netty.handler.codec.http.HttpHeaders> received =
                    router.cell("cell-1").receivedHeaders();
            assertThat(received).hasSize(1);
            assertThat(received.get(0).getAll("host"))
                    .as("an empty Host, as the plain HTTP/1.1 request's: " + received.get(0))
                    .containsExactly("");
        } else {
            Http2Headers head = h2.receivedHeads().stream()
                    .filter(h -> path.contentEquals(h.path()))
                    .findFirst()
                    .orElseThrow();
            assertThat(head.authority()).as(head.toString()).isNull();
            assertThat(head.contains("host")).as(head.toString()).isFalse();
        }
    }
}
