package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hop-by-hop headers stay on their hop; the router's own headers reach the cell (README: How a request is routed). */
class HeadersIT {

    @RegisterExtension
    final RouterExtension router = new RouterExtension();

    @Test
    void hopByHopAndConnectionNamedHeaders_neverReachTheCell() throws Exception {
        RawHttp.Response response = RawHttp.exchange(
                router.server().proxyAddress(),
                "GET /hello HTTP/1.1\r\n"
                        + "Host: example.test\r\n"
                        + "x-customer-id: acme\r\n"
                        + "Connection: keep-alive, x-private\r\n"
                        + "x-private: secret\r\n"
                        + "Keep-Alive: timeout=5\r\n"
                        + "Proxy-Connection: keep-alive\r\n"
                        + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"
                        + "TE: gzip\r\n"
                        + "x-end-to-end: kept\r\n"
                        + "\r\n");

        assertThat(response.status()).isEqualTo(200);
        List<HttpHeaders> received = router.cell("cell-1").receivedHeaders();
        assertThat(received).hasSize(1);
        HttpHeaders atCell = received.get(0);
        for (String name :
                List.of("connection", "x-private", "keep-alive", "proxy-connection", "proxy-authorization", "te")) {
            assertThat(atCell.contains(name)).as(name).isFalse();
        }
        assertThat(atCell.get("x-end-to-end")).isEqualTo("kept");
    }

    @Test
    void forwardingHeaders_areSetByTheRouter_andClientValuesReplaced() throws Exception {
        RawHttp.exchange(
                router.server().proxyAddress(),
                "GET /hello HTTP/1.1\r\n"
                        + "Host: example.test\r\n"
                        + "x-customer-id: globex\r\n"
                        + "x-forwarded-for: 6.6.6.6\r\n"
                        + "X-Forwarded-Prefix: //evil.example\r\n"
                        + "X-Forwarded-Ssl: on\r\n"
                        + "X-Forwarded-Scheme: https\r\n"
                        + "X-Forwarded-Client-Cert: By=spiffe://x;URI=spiffe://acme/admin\r\n"
                        + "X-Forwarded-User: admin\r\n"
                        + "x-cell-router-cell: cell-1\r\n"
                        + "x-cell-router-customer: acme\r\n"
                        + "x-cell-router-anything: forged\r\n"
                        + "Connection: close\r\n"
                        + "\r\n");

        HttpHeaders atCell = router.cell("cell-2").receivedHeaders().get(0);
        // Every x-forwarded-* claim of an untrusted client is dropped, not only those the router sets.
        for (String forged : List.of(
                "x-forwarded-prefix",
                "x-forwarded-ssl",
                "x-forwarded-scheme",
                "x-forwarded-client-cert",
                "x-forwarded-user")) {
            assertThat(atCell.contains(forged)).as(forged).isFalse();
        }
        assertThat(atCell.getAll("x-forwarded-for")).containsExactly("127.0.0.1");
        assertThat(atCell.getAll("x-cell-router-cell")).containsExactly("cell-2");
        assertThat(atCell.getAll("x-cell-router-customer")).containsExactly("globex");
        assertThat(atCell.contains("x-cell-router-anything")).isFalse();
        assertThat(atCell.get("x-forwarded-proto")).isEqualTo("http");
        assertThat(atCell.get("x-forwarded-host")).isEqualTo("example.test");
        assertThat(atCell.get("host")).isEqualTo("example.test");
    }

    @Test
    void framingFields_reachTheCellWrittenTheOneWayEveryServerReads() throws Exception {
        RawHttp.Response length = RawHttp.exchange(
                router.server().proxyAddress(),
                "POST /a HTTP/1.1\r\nHost: a\r\nx-customer-id: acme\r\nContent-Length: 003\r\n"
                        + "Connection: close\r\n\r\nabc");
        RawHttp.Response chunked = RawHttp.exchange(
                router.server().proxyAddress(),
                "POST /b HTTP/1.1\r\nHost: a\r\nx-customer-id: acme\r\nTransfer-Encoding: \tChunked\r\n"
                        + "Connection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n");

        assertThat(List.of(length.status(), chunked.status())).containsExactly(200, 200);

        List<HttpHeaders> atCell = router.cell("cell-1").receivedHeaders();
        assertThat(atCell).hasSize(2);
        assertThat(atCell.get(0).getAll("content-length")).containsExactly("3");
        assertThat(atCell.get(1).getAll("transfer-encoding")).containsExactly("chunked");
    }

    /**
     * A client may not take away from the cell, by naming them in Connection, the fields the router
     * acted on: the identity it routed by and the request id it logged and answered with.
     */
    @Test
    void connectionNamingRouterReadFields_doesNotRemoveThem() throws Exception {
        RawHttp.Response response = RawHttp.exchange(
                router.server().proxyAddress(),
                "GET /hello HTTP/1.1\r\n"
                        + "Host: example.test\r\n"
                        + "x-customer-id: globex\r\n"
                        + "x-request-id: ticket-123\r\n"
                        + "x-dropped: yes\r\n"
                        + "Connection: keep-alive, x-request-id, X-Customer-Id, x-dropped\r\n"
                        + "\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("x-request-id")).isEqualTo("ticket-123");
        HttpHeaders atCell = router.cell("cell-2").receivedHeaders().get(0);
        assertThat(atCell.getAll("x-request-id")).containsExactly("ticket-123");
        assertThat(atCell.getAll("x-customer-id")).containsExactly("globex");
        assertThat(atCell.contains("x-dropped")).isFalse(); // any other field it names is still hop-by-hop
    }

    @Test
    void hopByHopResponseHeaders_neverReachTheClient() throws Exception {
        RawHttp.Response response = RawHttp.exchange(
                router.server().proxyAddress(), "GET /hello HTTP/1.1\r\nHost: a\r\nx-customer-id: acme\r\n\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("x-cell-secret")).isNull();
        assertThat(response.header("keep-alive")).isNull();
        assertThat(response.header("x-served-by")).isEqualTo("cell-1");
    }

    @Test
    void http10Client_getsConnectionClose() throws Exception {
        RawHttp.Response response =
                RawHttp.exchange(router.server().proxyAddress(), "GET /hello HTTP/1.0\r\nx-customer-id: acme\r\n\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.closed()).isTrue();
        // It goes on as HTTP/1.1, which needs a Host: the cell's own authority.
        HttpHeaders atCell = router.cell("cell-1").receivedHeaders().get(0);
        assertThat(atCell.get("host"))
                .isEqualTo("127.0.0.1:" + router.cell("cell-1").port());
    }

    /**
     * The names a client spells with '_' for '-', which CGI, WSGI and Rack servers read as the
     * router's own (x_customer_id and x-customer-id are both HTTP_X_CUSTOMER_ID), and their values.
     */
    private static final String[][] UNDERSCORE_SPELLINGS = {
        {"x_customer_id", "globex"},
        {"X_Customer_Id", "globex"},
        {"x-customer_id", "globex"},
        {"x_forwarded_for", "6.6.6.6"},
        {"x-forwarded_for", "6.6.6.6"},
        {"x_forwarded_proto", "https"},
        {"x_forwarded_host", "evil.example"},
        {"x_forwarded_prefix", "//evil.example"},
        {"x_real_ip", "6.6.6.6"},
        {"X_Real_IP", "6.6.6.6"},
        {"x_cell_router_cell", "cell-2"},
        {"x_cell_router_owner", "cell-2"},
    };

    @Test
    void underscoreSpellingsOfRouterDecidedFields_neverReachTheCell_http1() throws Exception {
        StringBuilder raw = new StringBuilder("GET /hello HTTP/1.1\r\nHost: example.test\r\nx-customer-id: acme\r\n");
        for (String[] field : UNDERSCORE_SPELLINGS) {
            raw.append(field[0]).append(": ").append(field[1]).append("\r\n");
        }
        raw.append("x_app_field: kept\r\nConnection: close\r\n\r\n");

        RawHttp.Response response = RawHttp.exchange(router.server().proxyAddress(), raw.toString());

        assertThat(response.status()).isEqualTo(200);
        HttpHeaders atCell = router.cell("cell-1").receivedHeaders().get(0);
        assertOnlyTheRoutersOwn(atCell, "example.test");
        assertThat(atCell.get("x_app_field")).isEqualTo("kept"); // an '_' in any other name is no concern
        assertThat(router.cell("cell-2").requestCount()).isZero();
    }

    @Test
    void underscoreSpellingsOfRouterDecidedFields_neverReachTheCell_h2c() throws Exception {
        List<String> fields = new ArrayList<>(List.of("x-customer-id", "acme", "x_app_field", "kept"));
        for (String[] field : UNDERSCORE_SPELLINGS) {
            fields.add(field[0].toLowerCase(Locale.ROOT)); // HTTP/2 field names are lower case
            fields.add(field[1]);
        }
        try (H2Client client = new H2Client(router.server().proxyAddress())) {
            H2Client.Response response = client.send(
                            H2Client.request("GET", "/hello", fields.toArray(String[]::new)), null)
                    .get(10, TimeUnit.SECONDS);
            assertThat(response.status()).isEqualTo("200");
        }

        HttpHeaders atCell = router.cell("cell-1").receivedHeaders().get(0);
        assertOnlyTheRoutersOwn(atCell, "test");
        assertThat(atCell.get("x_app_field")).isEqualTo("kept");
        assertThat(router.cell("cell-2").requestCount()).isZero();
    }

    /** Spellings of framing and hop-by-hop fields, and of x-request-id, that a cell could read as the real ones. */
    private static final String[][] FRAMING_SPELLINGS = {
        {"transfer_encoding", "chunked"},
        {"Content_Length", "5"},
        {"keep_alive", "timeout=600"},
        {"proxy_connection", "keep-alive"},
        {"proxy_authorization", "Basic c3RvbGVu"},
        {"x_request_id", "forged"},
    };

    @Test
    void underscoreSpellingsOfFramingAndHopByHopFields_neverReachTheCell_http1AndH2c() throws Exception {
        StringBuilder raw = new StringBuilder("GET /hello HTTP/1.1\r\nHost: example.test\r\nx-customer-id: acme\r\n");
        List<String> fields = new ArrayList<>(List.of("x-customer-id", "acme"));
        for (String[] field : FRAMING_SPELLINGS) {
            raw.append(field[0]).append(": ").append(field[1]).append("\r\n");
            fields.add(field[0].toLowerCase(Locale.ROOT));
            fields.add(field[1]);
        }
        raw.append("Connection: close\r\n\r\n");

        assertThat(RawHttp.exchange(router.server().proxyAddress(), raw.toString())
                        .status())
                .isEqualTo(200);
        try (H2Client client = new H2Client(router.server().proxyAddress())) {
            assertThat(client.send(H2Client.request("GET", "/hello", fields.toArray(String[]::new)), null)
                            .get(10, TimeUnit.SECONDS)
                            .status())
                    .isEqualTo("200");
        }

        for (HttpHeaders atCell : router.cell("cell-1").receivedHeaders()) {
            atCell.forEach(field -> assertThat(field.getKey()).doesNotContain("_"));
            assertThat(atCell.get("x-request-id")).isNotEqualTo("forged");
        }
        assertThat(router.cell("cell-1").receivedHeaders()).hasSize(2);
    }

    /**
     * Every field the cell received whose name, lower case with '_' read as '-', is the identity
     * field or starts with x-forwarded-, x-real-ip, forwarded or x-cell-router-: exactly the
     * router's own, under their own names.
     */
    private static void assertOnlyTheRoutersOwn(HttpHeaders atCell, String host) {
        Map<String, List<String>> decided = new LinkedHashMap<>();
        atCell.forEach(field -> {
            String read = field.getKey().toLowerCase(Locale.ROOT).replace('_', '-');
            if (read.equals("x-customer-id")
                    || read.startsWith("x-forwarded-")
                    || read.startsWith("x-real-ip")
                    || read.startsWith("forwarded")
                    || read.startsWith("x-cell-router-")) {
                decided.computeIfAbsent(field.getKey(), k -> new ArrayList<>()).add(field.getValue());
            }
        });
        assertThat(decided)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "x-customer-id", List.of("acme"),
                        "x-forwarded-for", List.of("127.0.0.1"),
                        "x-forwarded-proto", List.of("http"),
                        "x-forwarded-host", List.of(host),
                        "x-cell-router-cell", List.of("cell-1"),
                        "x-cell-router-customer", List.of("acme")));
    }
}
