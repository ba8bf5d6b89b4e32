package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellrouter.registry.token.SigningKey;
import io.cellrouter.registry.token.TokenMinter;
import io.cellrouter.router.testing.AuditCapture;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.WebSocketCell;
import io.cellrouter.router.testing.WsClients;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * WebSockets through the router with real clients (the JDK's {@code java.net.http.WebSocket} and
 * Netty's) and real WebSocket cells: routed by every identity source, the handshake forwarded, a
 * byte tunnel after the cell's 101, counted as {@code ws}, and a moved customer's tunnel ended after
 * the grace period.
 */
class WebSocketIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "0123456789abcdef0123456789abcdef-ws-it";
    private static final Duration GRACE = Duration.ofMillis(700);

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
                              - name: h2-only
                                endpoint: h2c://127.0.0.1:9
                            """
                                    .formatted(ws1.endpoint(), ws2.endpoint()),
                    """
                      alpha: ws-1
                      beta: ws-1
                      gamma: ws-2
                      delta: h2-only
                    """)
            .admin(() -> "  moveGracePeriod: " + GRACE.toMillis() + "ms")
            .identityFirst(() -> "  - jwt:\n      hmacSecret: " + SECRET + "\n");

    @RegisterExtension
    final AuditCapture accessLog = AuditCapture.accessLog();

    private final WsClients clients = new WsClients();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void closeClients() {
        clients.close();
    }

    private InetSocketAddress proxy() {
        return router.server().proxyAddress();
    }

    private URI ws(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + proxy().getPort() + pathAndQuery);
    }

    private HttpResponse<String> moveAlphaToWs2() throws Exception {
        return http.send(
                HttpRequest.newBuilder(router.admin("/admin/v1/customers/alpha/move"))
                        .header("Authorization", "Bearer " + RouterExtension.ADMIN_TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"toCell\":\"ws-2\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private WsClients.Client open(String pathAndQuery, String... headers) throws Exception {
        WsClients.Client client = clients.connect(proxy(), ws(pathAndQuery), headers);
        client.handshake.get(10, TimeUnit.SECONDS);
        return client;
    }

    @Test
    void echo_tenThousandMessagesOfMixedSizesUpTo1MiB_byteExactBothWays() throws Exception {
        int messages = 10_000;
        Echo echo = new Echo();
        WebSocket socket = http.newWebSocketBuilder()
                .header("x-customer-id", "alpha")
                .subprotocols("chat")
                .buildAsync(ws("/echo"), echo)
                .get(10, TimeUnit.SECONDS);
        assertThat(socket.getSubprotocol()).isEqualTo("chat");

        Random random = new Random(8441);
        long bytes = 0;
        for (int i = 0; i < messages; i++) {
            byte[] message = message(i, random);
            boolean text = i % 10 == 3;
            echo.window.acquire();
            synchronized (echo.expected) {
                echo.expected.add(new Sent(text, message));
            }
            if (text) {
                socket.sendText(new String(message, StandardCharsets.US_ASCII), true)
                        .get(30, TimeUnit.SECONDS);
            } else {
                socket.sendBinary(ByteBuffer.wrap(message), true).get(30, TimeUnit.SECONDS);
            }
            bytes += message.length;
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> echo.received.get() + echo.wrong.get() == messages);
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);

        assertThat(echo.wrong.get()).as("echoes that differ from what was sent").isZero();
        assertThat(echo.received.get()).isEqualTo(messages);
        assertThat(echo.largest).isEqualTo(1 << 20);
        JsonNode line = await().atMost(Duration.ofSeconds(10)).until(() -> wsLine("alpha"), l -> l != null);
        assertThat(line.path("bytes_in").asLong()).isGreaterThan(bytes); // frame headers and masks too
        assertThat(line.path("bytes_out").asLong()).isGreaterThan(bytes);
    }

    /** Sizes: every 97th message 1 MiB, the frame-length boundaries, the rest log-uniform to 1 MiB. */
    private static byte[] message(int i, Random random) {
        int[] boundaries = {0, 1, 125, 126, 127, 65535, 65536, 65537, (1 << 20) - 1};
        int size;
        if (i % 97 == 0) {
            size = 1 << 20;
        } else if (i % 97 <= boundaries.length) {
            size = boundaries[i % 97 - 1];
        } else {
            size = (int) Math.exp(random.nextDouble() * Math.log(1 << 20));
        }
        byte[] message = new byte[i % 10 == 3 ? Math.min(size, 65536) : size];
        if (i % 10 == 3) {
            for (int b = 0; b < message.length; b++) {
                message[b] = (byte) ('a' + random.nextInt(26));
            }
        } else {
            random.nextBytes(message);
        }
        return message;
    }

    private record Sent(boolean text, byte[] bytes) {}

    /** Compares each echo with what was sent, in order; at most 8 messages in flight. */
    private static final class Echo implements WebSocket.Listener {
        final ArrayDeque<Sent> expected = new ArrayDeque<>();
        final Semaphore window = new Semaphore(8);
        final AtomicInteger received = new AtomicInteger();
        final AtomicInteger wrong = new AtomicInteger();
        volatile int largest;
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
            byte[] part = new byte[data.remaining()];
            data.get(part);
            binary.writeBytes(part);
            if (last) {
                done(false, binary.toByteArray());
                binary.reset();
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                done(true, text.toString().getBytes(StandardCharsets.US_ASCII));
                text.setLength(0);
            }
            socket.request(1);
            return null;
        }

        private void done(boolean isText, byte[] bytes) {
            Sent sent;
            synchronized (expected) {
                sent = expected.poll();
            }
            if (sent != null && sent.text() == isText && Arrays.equals(sent.bytes(), bytes)) {
                received.incrementAndGet();
                largest = Math.max(largest, bytes.length);
            } else {
                wrong.incrementAndGet();
            }
            window.release();
        }
    }

    private JsonNode wsLine(String customer) {
        return accessLog.lines().stream()
                .map(WebSocketIT::json)
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

    private String token(String customer) {
        return TokenMinter.builder(SigningKey.hmac(SECRET.getBytes(StandardCharsets.UTF_8), null, null))
                .build()
                .mint(customer, null, null, Duration.ofHours(1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "header, /chat, x-customer-id, gamma, ws-2",
        "token, /chat, authorization, TOKEN gamma, ws-2",
        "host, /chat, host, gamma.api.example.com, ws-2",
        "path, /v1/customers/gamma/chat, , , ws-2",
        "query, /chat?customer=gamma, , , ws-2",
        "header (other cell), /chat, x-customer-id, alpha, ws-1",
    })
    void everyIdentitySource_routesTheHandshake(String source, String path, String header, String value, String cell)
            throws Exception {
        String[] headers = header == null
                ? new String[0]
                : new String[] {header, value.startsWith("TOKEN ") ? "Bearer " + token(value.substring(6)) : value};
        WsClients.Client client = open(path, headers);

        assertThat(client.ask("whoami")).as(source).isEqualTo(cell);
        client.close();
    }

    @Test
    void handshake_reachesTheCellWithItsUpgrade_andTheForwardingHeaders_andThe101ReachesTheClient() throws Exception {
        WsClients.Client client = open("/chat", "x-customer-id", "alpha", "x-request-id", "ws-hello-1");
        FullHttpResponse switched = client.handshake.get();

        HttpHeaders seen = ws1.handshakes().get(ws1.handshakes().size() - 1);
        assertThat(seen.get("upgrade")).isEqualToIgnoringCase("websocket");
        assertThat(seen.get("connection")).isEqualToIgnoringCase("upgrade");
        assertThat(seen.get("sec-websocket-key")).isNotBlank();
        assertThat(seen.get("sec-websocket-version")).isEqualTo("13");
        assertThat(seen.get("sec-websocket-protocol")).isEqualTo("chat");
        assertThat(seen.get("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(seen.get("x-cell-router-cell")).isEqualTo("ws-1");
        assertThat(seen.get("x-request-id")).isEqualTo("ws-hello-1");
        assertThat(switched.status().code()).isEqualTo(101);
        assertThat(switched.headers().get("sec-websocket-protocol")).isEqualTo("chat");
        assertThat(switched.headers().get("x-request-id")).isEqualTo("ws-hello-1");
        assertThat(client.ask("hello")).isEqualTo("hello");
        client.close();
    }

    @Test
    void cellRefusesTheUpgrade_itsAnswerIsRelayedAsANormalAnswer() throws Exception {
        WsClients.Client client = clients.connect(proxy(), ws("/forbidden"), "x-customer-id", "alpha");

        assertThatThrownBy(() -> client.handshake.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(WsClients.Refused.class)
                .satisfies(e -> {
                    WsClients.Refused refused = (WsClients.Refused) e.getCause();
                    assertThat(refused.status).isEqualTo(403);
                    assertThat(refused.body).isEqualTo("no websocket for you from ws-1");
                    assertThat(refused.headers.get("x-served-by")).isEqualTo("ws-1");
                });
        JsonNode line = await().atMost(Duration.ofSeconds(5)).until(() -> wsLine("alpha"), l -> l != null);
        assertThat(line.path("status").asInt()).isEqualTo(403);
    }

    @Test
    void unknownCustomer_isRefusedBeforeAnythingReachesACell() throws Exception {
        int before = ws1.handshakes().size() + ws2.handshakes().size();
        WsClients.Client client = clients.connect(proxy(), ws("/chat"), "x-customer-id", "nobody");

        assertThatThrownBy(() -> client.handshake.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(WsClients.Refused.class)
                .satisfies(e ->
                        assertThat(((WsClients.Refused) e.getCause()).status).isEqualTo(404));
        assertThat(ws1.handshakes().size() + ws2.handshakes().size()).isEqualTo(before);
    }

    @Test
    void cellThatSpeaksOnlyHttp2_refusesWebSocketsWith501() throws Exception {
        WsClients.Client client = clients.connect(proxy(), ws("/chat"), "x-customer-id", "delta");

        assertThatThrownBy(() -> client.handshake.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(WsClients.Refused.class)
                .satisfies(e -> {
                    WsClients.Refused refused = (WsClients.Refused) e.getCause();
                    assertThat(refused.status).isEqualTo(501);
                    assertThat(refused.body).contains("websocket_unsupported");
                });
    }

    @Test
    void tunnelEnd_isCountedAsWs_andLoggedWithStatusDurationAndBytesBothWays() throws Exception {
        WsClients.Client client = open("/chat", "x-customer-id", "beta");
        assertThat(client.ask("0123456789")).isEqualTo("0123456789");
        // What is tested is a duration: the tunnel stays open at least 50 ms of wall-clock time so that
        // duration_us must cover the tunnel's life, not just its handshake (a few ms). The router
        // times it on its own clock, which a test over real sockets cannot advance: no condition
        // can stand in for the time passing.
        Thread.sleep(50);
        client.close();

        JsonNode line = await().atMost(Duration.ofSeconds(5)).until(() -> wsLine("beta"), l -> l != null);
        assertThat(line.path("status").asInt()).isEqualTo(101);
        assertThat(line.path("cell").asText()).isEqualTo("ws-1");
        assertThat(line.path("method").asText()).isEqualTo("GET");
        assertThat(line.path("path").asText()).isEqualTo("/chat");
        assertThat(line.path("bytes_in").asLong()).isEqualTo(2 + 4 + 10); // one masked text frame
        assertThat(line.path("bytes_out").asLong()).isEqualTo(2 + 10);
        assertThat(line.path("duration_us").asLong()).isGreaterThanOrEqualTo(50_000);
        assertThat(line.path("detail").asText()).isEqualTo("closed by the client");
        String metrics = router.server().metrics().scrape();
        assertThat(metrics)
                .containsPattern(
                        "cellrouter_requests_total\\{cell=\"ws-1\",outcome=\"1xx\",protocol=\"ws\"[^}]*} 1\\.0");
        assertThat(metrics)
                .containsPattern("cellrouter_websocket_tunnel_duration_seconds_count\\{cell=\"ws-1\"[^}]*} 1\\b");
        assertThat(metrics)
                .doesNotContainPattern("cellrouter_request_duration_seconds_count\\{[^}]*protocol=\"ws\"[^}]*} [1-9]");
        await().atMost(Duration.ofSeconds(5)).until(() -> ws1.openTunnels() == 0);
        assertThat(router.server().bulkheads().inFlight("ws-1")).isZero();
    }

    @Test
    void cellEndsWithACloseFrame_theClientGetsItThenTheConnectionCloses() throws Exception {
        WsClients.Client client = open("/chat", "x-customer-id", "gamma");

        client.sendText("close-me");

        client.closed.get(10, TimeUnit.SECONDS);
        assertThat(client.closeStatus).isEqualTo(1000);
        JsonNode line = await().atMost(Duration.ofSeconds(5)).until(() -> wsLine("gamma"), l -> l != null);
        assertThat(line.path("detail").asText()).isEqualTo("closed by the cell");
    }

    /**
     * A move that comes while the handshake waits for the cell's 101 still ends the tunnel that
     * the 101 opens, after the grace period: the move found the exchange before it was a tunnel.
     */
    @Test
    void customerMovedWhileTheHandshakeWaitedForIts101_tunnelIsClosedAfterTheGracePeriod() throws Exception {
        int before = ws1.handshakes().size();
        WsClients.Client alpha = clients.connect(proxy(), ws("/slow-handshake?ms=400"), "x-customer-id", "alpha");
        await().atMost(Duration.ofSeconds(10)).until(() -> ws1.handshakes().size() > before);

        HttpResponse<String> move = moveAlphaToWs2();
        assertThat(move.statusCode()).isEqualTo(200);
        // The 101, 400 ms after the handshake arrived: within the grace period, so the tunnel opens.
        alpha.handshake.get(10, TimeUnit.SECONDS);
        assertThat(alpha.ask("whoami")).isEqualTo("ws-1");

        alpha.closed.get(10, TimeUnit.SECONDS);
        JsonNode line = await().atMost(Duration.ofSeconds(5)).until(() -> wsLine("alpha"), l -> l != null);
        assertThat(line.path("detail").asText()).isEqualTo("the customer moved to another cell");
    }

    @Test
    void movedCustomersTunnel_isClosedAfterTheGracePeriod_anotherCustomersTunnelOnTheCellGoesOn() throws Exception {
        WsClients.Client alpha = open("/chat", "x-customer-id", "alpha");
        WsClients.Client beta = open("/chat", "x-customer-id", "beta");
        assertThat(alpha.ask("whoami")).isEqualTo("ws-1");
        assertThat(beta.ask("whoami")).isEqualTo("ws-1");

        long movedAt = System.nanoTime();
        HttpResponse<String> move = moveAlphaToWs2();
        assertThat(move.statusCode()).isEqualTo(200);

        assertThat(alpha.ask("still here")).isEqualTo("still here"); // within the grace period
        alpha.closed.get(10, TimeUnit.SECONDS);
        Duration afterMove = Duration.ofNanos(System.nanoTime() - movedAt);

        assertThat(afterMove).isGreaterThanOrEqualTo(GRACE);
        assertThat(beta.closed).isNotDone();
        assertThat(beta.ask("whoami")).isEqualTo("ws-1");
        WsClients.Client again = open("/chat", "x-customer-id", "alpha"); // the client reconnects
        assertThat(again.ask("whoami")).isEqualTo("ws-2");
        JsonNode line = await().atMost(Duration.ofSeconds(5)).until(() -> wsLine("alpha"), l -> l != null);
        assertThat(line.path("detail").asText()).isEqualTo("the customer moved to another cell");
    }
}
