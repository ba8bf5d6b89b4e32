package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellrouter.router.testing.AuditCapture;
import io.cellrouter.router.testing.H2WebSocketClient;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.WebSocketCell;
import io.cellrouter.router.testing.WsClients;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * WebSockets from HTTP/2 clients (RFC 8441): the router advertises SETTINGS_ENABLE_CONNECT_PROTOCOL,
 * routes an extended CONNECT like any request and relays it to an HTTP/1.1 cell as an Upgrade;
 * the cell's 101 becomes {@code :status 200}, then DATA frames carry the WebSocket's bytes both
 * ways with flow control. A plain CONNECT stays refused.
 */
class WebSocketHttp2IT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration GRACE = Duration.ofMillis(500);

    static WebSocketCell ws1;
    static WebSocketCell ws2;

    @BeforeAll
    static void startCells() throws Exception {
        ws1 = WebSocketCell.start("ws-1");
        ws2 = WebSocketCell.start("ws-2");
    }

    @AfterAll
    static void stopCells() {
        ws1.close();
        ws2.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
                    "",
                    r ->
                            """
                              - name: ws-1
                                endpoint: %s
                              - name: ws-2
                                endpoint: %s
                            """
                                    .formatted(ws1.endpoint(), ws2.endpoint()),
                    """
                      alpha: ws-1
                      beta: ws-1
                    """)
            .admin(() -> "  moveGracePeriod: " + GRACE.toMillis() + "ms");

    @RegisterExtension
    final AuditCapture accessLog = AuditCapture.accessLog();

    private H2WebSocketClient h2;

    @BeforeEach
    void connect() throws Exception {
        h2 = new H2WebSocketClient(router.server().proxyAddress());
    }

    @AfterEach
    void close() {
        h2.close();
    }

    @Test
    void router_advertisesExtendedConnect() throws Exception {
        assertThat(h2.serverSettings.get(10, TimeUnit.SECONDS).connectProtocolEnabled())
                .isTrue();
    }

    @Test
    void extendedConnect_reachesAnHttp11Cell_asAnUpgrade_andEchoesByteExactBothWays() throws Exception {
        H2WebSocketClient.Stream ws = h2.open(H2WebSocketClient.connect(
                "/chat", "x-customer-id", "alpha", "sec-websocket-protocol", "chat", "x-request-id", "h2-ws-1"));

        Http2Headers response = ws.response.get(10, TimeUnit.SECONDS);
        assertThat(response.status().toString()).isEqualTo("200");
        assertThat(response.get("sec-websocket-protocol")).hasToString("chat");
        assertThat(response.contains("sec-websocket-accept")).isFalse();
        assertThat(response.get("x-request-id")).hasToString("h2-ws-1");
        HttpHeaders seen = ws1.handshakes().get(ws1.handshakes().size() - 1);
        assertThat(seen.get("upgrade")).isEqualToIgnoringCase("websocket");
        assertThat(seen.get("connection")).isEqualToIgnoringCase("upgrade");
        assertThat(Base64.getDecoder().decode(seen.get("sec-websocket-key"))).hasSize(16);
        assertThat(seen.get("sec-websocket-version")).isEqualTo("13");
        assertThat(seen.get("x-cell-router-cell")).isEqualTo("ws-1");
        assertThat(seen.get("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(seen.get("host")).isEqualTo("test");

        assertThat(ws.ask("whoami")).isEqualTo("ws-1");
        Random random = new Random(8441);
        long sent = 0;
        // Larger than the router's stream window (256 KiB) and the client's (1 MiB): flow control
        // must let them through both ways, acknowledged as the cell connection takes them.
        for (int size : new int[] {0, 1, 125, 126, 65535, 65536, 300_000, 1 << 20, 1_500_000, 17}) {
            byte[] message = new byte[size];
            random.nextBytes(message);
            sent += size;
            ws.sendBinary(message);
            WsClients.Message echo = ws.next(30);
            assertThat(echo).as("echo of %d bytes", size).isNotNull();
            assertThat(echo.text()).isFalse();
            assertThat(echo.bytes()).as("echo of %d bytes", size).isEqualTo(message);
        }
        ws.sendText("close-me");
        assertThat(ws.ended.get(10, TimeUnit.SECONDS))
                .as("END_STREAM, not a reset (%d)", ws.resetCode)
                .isTrue();
        assertThat(ws.closeStatus).isEqualTo(1000);

        JsonNode line = await().atMost(Duration.ofSeconds(5)).until(() -> wsLine("alpha"), l -> l != null);
        assertThat(line.path("status").asInt()).isEqualTo(200);
        assertThat(line.path("bytes_in").asLong()).isGreaterThan(sent); // with the frames' headers
        assertThat(line.path("bytes_out").asLong()).isGreaterThan(sent);
        assertThat(router.server().metrics().scrape())
                .containsPattern(
                        "cellrouter_requests_total\\{cell=\"ws-1\",outcome=\"2xx\",protocol=\"ws\"[^}]*} 1\\.0");
    }

    @Test
    void clientEndsItsStream_theCellConnectionCloses_andTheStreamEnds() throws Exception {
        H2WebSocketClient.Stream ws = h2.open(H2WebSocketClient.connect("/chat", "x-customer-id", "beta"));
        assertThat(ws.ask("whoami")).isEqualTo("ws-1");
        await().atMost(Duration.ofSeconds(5)).until(() -> ws1.openTunnels() == 1);

        ws.endStream();

        await().atMost(Duration.ofSeconds(5)).until(() -> ws1.openTunnels() == 0);
        assertThat(ws.ended.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(router.server().bulkheads().inFlight("ws-1")).isZero();
    }

    @Test
    void cellRefusesTheUpgrade_itsAnswerIsRelayed() throws Exception {
        H2WebSocketClient.Stream ws = h2.open(H2WebSocketClient.connect("/forbidden", "x-customer-id", "alpha"));

        assertThat(ws.response.get(10, TimeUnit.SECONDS).status().toString()).isEqualTo("403");
        ws.ended.get(10, TimeUnit.SECONDS);
        assertThat(ws.refusalBody.toString()).isEqualTo("no websocket for you from ws-1");
    }

    /**
     * To an extended CONNECT a 2xx means "the tunnel is open" (RFC 8441): a cell's 200 with a page
     * instead of a 101 must not reach the client as one, or the page would be read as frames.
     */
    @Test
    void cellAnswers200InsteadOf101_isABadCellResponse() throws Exception {
        H2WebSocketClient.Stream ws = h2.open(H2WebSocketClient.connect("/page", "x-customer-id", "alpha"));

        assertThat(ws.response.get(10, TimeUnit.SECONDS).status().toString()).isEqualTo("502");
        ws.ended.get(10, TimeUnit.SECONDS);
        assertThat(ws.refusalBody.toString()).contains("bad_cell_response").doesNotContain("hello");
    }

    /** A cell that hangs up instead of answering the handshake, with the client's first frames sent: 502. */
    @Test
    void cellHangsUpBeforeTheSwitch_is502() throws Exception {
        H2WebSocketClient.Stream ws = h2.open(H2WebSocketClient.connect("/hangup", "x-customer-id", "alpha"));
        ws.sendBinary(new byte[16 * 1024]);

        assertThat(ws.response.get(10, TimeUnit.SECONDS).status().toString()).isEqualTo("502");
        ws.ended.get(10, TimeUnit.SECONDS);
        assertThat(ws.refusalBody.toString()).contains("cell");
    }

    @Test
    void plainConnect_isRefused() throws Exception {
        Http2Headers connect = new DefaultHttp2Headers()
                .method("CONNECT")
                .authority("example.com:443")
                .set("x-customer-id", "alpha");
        int before = ws1.handshakes().size();

        H2WebSocketClient.Stream stream = h2.open(connect);

        assertThat(stream.response.get(10, TimeUnit.SECONDS).status().toString())
                .isEqualTo("400");
        assertThat(ws1.handshakes()).hasSize(before);
    }

    @Test
    void extendedConnectForAnotherProtocol_isRefused() throws Exception {
        Http2Headers connect = H2WebSocketClient.connect("/chat", "x-customer-id", "alpha")
                .set(Http2Headers.PseudoHeaderName.PROTOCOL.value(), "connect-udp");
        int before = ws1.handshakes().size();

        H2WebSocketClient.Stream stream = h2.open(connect);

        assertThat(stream.response.get(10, TimeUnit.SECONDS).status().toString())
                .isEqualTo("400");
        assertThat(ws1.handshakes()).hasSize(before);
    }

    @Test
    void movedCustomersStream_isResetAfterTheGracePeriod_anotherOnTheSameConnectionGoesOn() throws Exception {
        H2WebSocketClient.Stream alpha = h2.open(H2WebSocketClient.connect("/chat", "x-customer-id", "alpha"));
        H2WebSocketClient.Stream beta = h2.open(H2WebSocketClient.connect("/chat", "x-customer-id", "beta"));
        assertThat(alpha.ask("whoami")).isEqualTo("ws-1");
        assertThat(beta.ask("whoami")).isEqualTo("ws-1");

        long movedAt = System.nanoTime();
        HttpResponse<String> move = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(router.admin("/admin/v1/customers/alpha/move"))
                                .header("Authorization", "Bearer " + RouterExtension.ADMIN_TOKEN)
                                .POST(HttpRequest.BodyPublishers.ofString("{\"toCell\":\"ws-2\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(move.statusCode()).isEqualTo(200);

        assertThat(alpha.ended.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - movedAt)).isGreaterThanOrEqualTo(GRACE);
        assertThat(alpha.resetCode).isEqualTo(Http2Error.CANCEL.code());
        assertThat(beta.ended).isNotDone();
        assertThat(beta.ask("whoami")).isEqualTo("ws-1");
        H2WebSocketClient.Stream again = h2.open(H2WebSocketClient.connect("/chat", "x-customer-id", "alpha"));
        assertThat(again.ask("whoami")).isEqualTo("ws-2");
    }

    private JsonNode wsLine(String customer) {
        return accessLog.lines().stream()
                .map(WebSocketHttp2IT::json)
                .filter(n -> "ws".equals(n.path("protocol").asText())
                        && customer.equals(n.path("customer").asText()))
                .findFirst()
                .orElse(null);
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new IllegalStateException(line, e);
        }
    }
}
