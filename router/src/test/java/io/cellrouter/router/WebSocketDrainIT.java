package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellrouter.router.testing.AuditCapture;
import io.cellrouter.router.testing.H2WebSocketClient;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.WebSocketCell;
import io.cellrouter.router.testing.WsClients;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The router's drain (what SIGTERM starts) with WebSocket tunnels open, from HTTP/1.1 clients and
 * from an HTTP/2 client (RFC 8441): the router ends every tunnel itself within {@code
 * proxy.drainTimeout} (each at a random moment in its first half), the clients see their
 * connection or stream end, the cell sees its connections close, and the router stops with nothing
 * cut off.
 */
@Timeout(60)
class WebSocketDrainIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What {@link RouterExtension} configures as {@code proxy.drainTimeout}. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

    private static final int HTTP1_TUNNELS = 4;

    static WebSocketCell ws1;

    @BeforeAll
    static void startCell() throws Exception {
        ws1 = WebSocketCell.start("ws-1");
    }

    @AfterAll
    static void stopCell() {
        ws1.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
            "",
            r -> """
                      - name: ws-1
                        endpoint: %s
                    """
                    .formatted(ws1.endpoint()),
            """
              alpha: ws-1
              beta: ws-1
            """);

    @RegisterExtension
    final AuditCapture accessLog = AuditCapture.accessLog();

    private final WsClients clients = new WsClients();
    private H2WebSocketClient h2;

    @AfterEach
    void closeClients() {
        clients.close();
        if (h2 != null) {
            h2.close();
        }
    }

    @Test
    void drain_endsEveryTunnelWithinTheDrainTimeout_andTheRouterStopsWithNothingCutOff() throws Exception {
        InetSocketAddress proxy = router.server().proxyAddress();
        List<WsClients.Client> http1 = new ArrayList<>();
        for (int i = 0; i < HTTP1_TUNNELS; i++) {
            WsClients.Client client = clients.connect(
                    proxy, URI.create("ws://127.0.0.1:" + proxy.getPort() + "/chat"), "x-customer-id", "alpha");
            client.handshake.get(10, TimeUnit.SECONDS);
            assertThat(client.ask("whoami")).isEqualTo("ws-1");
            http1.add(client);
        }
        h2 = new H2WebSocketClient(proxy);
        H2WebSocketClient.Stream overHttp2 = h2.open(H2WebSocketClient.connect("/chat", "x-customer-id", "beta"));
        assertThat(overHttp2.ask("whoami")).isEqualTo("ws-1");
        await().atMost(Duration.ofSeconds(5)).until(() -> ws1.openTunnels() == HTTP1_TUNNELS + 1);

        long drainStarted = System.nanoTime();
        CompletableFuture<Boolean> drained =
                CompletableFuture.supplyAsync(() -> router.server().drainAndStop(DRAIN_TIMEOUT));

        for (WsClients.Client client : http1) {
            client.closed.get(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        assertThat(overHttp2.ended.get(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .as("END_STREAM from the router, not a reset (%d)", overHttp2.resetCode)
                .isTrue();
        Duration tunnelsEnded = Duration.ofNanos(System.nanoTime() - drainStarted);
        assertThat(tunnelsEnded).isLessThan(DRAIN_TIMEOUT);
        assertThat(drained.get(DRAIN_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS))
                .as("every exchange ended before the drain timeout")
                .isTrue();

        await().atMost(Duration.ofSeconds(5)).until(() -> ws1.openTunnels() == 0);
        assertThat(router.server().ready()).isFalse();
        assertThatThrownBy(() -> new Socket(proxy.getAddress(), proxy.getPort()).close())
                .as("the listener is closed")
                .isInstanceOf(IOException.class);
        List<JsonNode> lines =
                await().atMost(Duration.ofSeconds(5)).until(this::wsLines, l -> l.size() == HTTP1_TUNNELS + 1);
        assertThat(lines.stream()
                        .filter(l -> l.path("customer").asText().equals("alpha"))
                        .map(l -> l.path("detail").asText()))
                .as("ended by the router's drain")
                .hasSize(HTTP1_TUNNELS)
                .allMatch("router draining"::equals);
    }

    private List<JsonNode> wsLines() {
        return accessLog.lines().stream()
                .map(WebSocketDrainIT::json)
                .filter(n -> "ws".equals(n.path("protocol").asText()))
                .toList();
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new IllegalStateException(line, e);
        }
    }
}
