package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.H2TestCell;
import io.cellrouter.router.testing.RawH2;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.TestCell;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Request trailers are not a way around what the router decides on the header section: a client
 * routed as alice that sends {@code x-customer-id: victim}, forged forwarding fields or the
 * router's own {@code x-cell-router-cell} in its trailers reaches its cell without them, while a
 * trailer the router has no say in ({@code x-checksum}) arrives unchanged. Every way a request
 * can travel: HTTP/1.1 or HTTP/2 from the client, to a cell speaking HTTP/1.1 (a Netty server
 * that records the trailers it read) or h2c (likewise).
 */
@Timeout(60)
class RequestTrailersIT {

    private static TestCell http1Cell;
    private static H2TestCell h2Cell;

    /** The forged fields, as a client would send them, and the one legitimate trailer. */
    private static final Map<String, String> TRAILERS = new LinkedHashMap<>();

    static {
        TRAILERS.put("x-customer-id", "victim");
        TRAILERS.put("x-forwarded-for", "6.6.6.6");
        TRAILERS.put("x-cell-router-cell", "elsewhere");
        TRAILERS.put("x-request-id", "forged");
        // The same spelled with '_' for '-', which CGI-style servers read as the fields above.
        TRAILERS.put("x_customer_id", "victim");
        TRAILERS.put("x_forwarded_for", "6.6.6.6");
        TRAILERS.put("x_cell_router_cell", "elsewhere");
        TRAILERS.put("x-checksum", "c0ffee");
    }

    @BeforeAll
    static void startCells() throws Exception {
        http1Cell = TestCell.start("h1");
        h2Cell = new H2TestCell("h2");
    }

    @AfterAll
    static void stopCells() {
        http1Cell.close();
        h2Cell.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
            "",
            r -> "  - name: h1\n    endpoint: " + http1Cell.endpoint()
                    + "\n  - name: h2\n    endpoint: h2c://127.0.0.1:" + h2Cell.port() + "\n",
            "  alice: h1\n  bob: h2\n");

    @ParameterizedTest(name = "HTTP/1.1 client, {0}''s cell ({1})")
    @CsvSource({"alice, http1", "bob, h2c"})
    void http1Client_chunkedTrailers_reachTheCellWithoutTheForgedFields(String customer, String cellProtocol)
            throws Exception {
        StringBuilder raw = new StringBuilder("POST /upload HTTP/1.1\r\nHost: router\r\nx-customer-id: ")
                .append(customer)
                .append("\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n");
        TRAILERS.forEach(
                (name, value) -> raw.append(name).append(": ").append(value).append("\r\n"));
        raw.append("\r\n");

        RawHttp.Response response = RawHttp.exchange(router.server().proxyAddress(), raw.toString());

        assertThat(response.status()).isEqualTo(200);
        assertCellGotOnlyTheChecksum(cellProtocol);
    }

    @ParameterizedTest(name = "HTTP/2 client, {0}''s cell ({1})")
    @CsvSource({"alice, http1", "bob, h2c"})
    void http2Client_trailers_reachTheCellWithoutTheForgedFields(String customer, String cellProtocol)
            throws Exception {
        DefaultHttp2Headers trailers = new DefaultHttp2Headers();
        TRAILERS.forEach(trailers::add);
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.headers(1, H2Client.request("POST", "/upload", "x-customer-id", customer), false)
                    .data(1, "body".getBytes(StandardCharsets.US_ASCII), false)
                    .headers(1, trailers, true)
                    .flush();

            raw.readStream(1, 10_000);
            assertThat(raw.events()).contains("HEADERS 1 200");
        }
        assertCellGotOnlyTheChecksum(cellProtocol);
    }

    /**
     * A trailer value with CR LF in it, which an HTTP/1.1 cell would read as a field of its own, is
     * refused like the same value in a head: the stream is reset, and no cell reads the injected
     * field, whichever protocol it speaks.
     */
    @ParameterizedTest(name = "{0}''s cell ({1})")
    @CsvSource({"alice, http1", "bob, h2c"})
    void http2Client_trailerWithCrLf_isRefused(String customer, String cellProtocol) throws Exception {
        int before = cellProtocol.equals("http1")
                ? http1Cell.receivedTrailers().size()
                : h2Cell.receivedTrailers().size();
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.headers(1, H2Client.request("POST", "/upload", "x-customer-id", customer), false)
                    .data(1, "body".getBytes(StandardCharsets.US_ASCII), false)
                    .headers(1, new DefaultHttp2Headers(false).add("x-a", "a\r\nx-customer-id: victim"), true)
                    .flush();

            assertThat(raw.readUntil(
                            e -> e.stream().anyMatch(s -> s.startsWith("RST 1") || s.startsWith("GOAWAY")), 5000))
                    .as(raw.events().toString())
                    .isTrue();
        }
        int after = cellProtocol.equals("http1")
                ? http1Cell.receivedTrailers().size()
                : h2Cell.receivedTrailers().size();
        assertThat(after).as("no trailers reached the cell").isEqualTo(before);
    }

    /** The last trailers the cell read: x-checksum alone, unchanged. */
    private static void assertCellGotOnlyTheChecksum(String cellProtocol) {
        Map<String, String> received = new LinkedHashMap<>();
        if (cellProtocol.equals("http1")) {
            List<io.netty.handler.codec.http.HttpHeaders> all = http1Cell.receivedTrailers();
            assertThat(all).as("the cell read trailers").isNotEmpty();
            all.get(all.size() - 1).forEach(e -> received.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        } else {
            List<io.netty.handler.codec.http2.Http2Headers> all = h2Cell.receivedTrailers();
            assertThat(all).as("the cell read trailers").isNotEmpty();
            all.get(all.size() - 1)
                    .forEach(e ->
                            received.put(e.getKey().toString(), e.getValue().toString()));
        }
        assertThat(received).containsExactly(Map.entry("x-checksum", "c0ffee"));
    }
}
