package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.WebSocketCell;
import io.cellrouter.router.testing.WsClients;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A thousand idle WebSocket tunnels held at once through the router, as many as {@code
 * proxy.websocket.maxTunnelsPerCell} allows: the one more is refused with 503, the router's Netty
 * buffers do not grow with idle tunnels (a tunnel holds no buffer between reads), and every tunnel
 * still echoes at the end. Clients and cell take their buffers from another allocator than the
 * router's, so what is measured is the router's alone. (The whole process's RSS is measured by
 * {@link WebSocketIdleRssIT}.)
 */
@Timeout(300)
class WebSocketCapacityIT {

    private static final int TUNNELS = 1000;
    /** The router's Netty buffers (heap and direct) may grow by at most this much per idle tunnel. */
    private static final long MAX_BUFFER_BYTES_PER_TUNNEL = 4 * 1024;

    private static final ByteBufAllocator NOT_THE_ROUTERS = new UnpooledByteBufAllocator(true);

    static WebSocketCell ws1;

    @BeforeAll
    static void startCell() throws Exception {
        ws1 = WebSocketCell.start("ws-1", NOT_THE_ROUTERS);
    }

    @AfterAll
    static void stopCell() {
        ws1.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
                    "",
                    r ->
                            """
                              - name: ws-1
                                endpoint: %s
                            """
                                    .formatted(ws1.endpoint()),
                    """
                      alpha: ws-1
                    """)
            .proxy(() ->
                    """
                      maxConcurrentPerCell: 5000
                      maxConcurrentPerCustomer: 5000
                      upstream:
                        connectTimeout: 2s
                        responseTimeout: 10s
                      websocket:
                        maxTunnelsPerCell: %d
                    """
                            .formatted(TUNNELS)
                            .stripTrailing());

    private final WsClients clients = new WsClients(NOT_THE_ROUTERS);

    @AfterEach
    void closeClients() {
        clients.close();
    }

    @Test
    void thousandIdleTunnels_areHeldWithoutBuffers_theNextIsRefused_andAllStillEcho() throws Exception {
        ByteBufAllocatorMetric routers = routersAllocator();
        for (WsClients.Client warmUp : open(10)) { // the event loops' first buffers are not the tunnels'
            assertThat(warmUp.ask("warm")).isEqualTo("warm");
            warmUp.close();
            warmUp.closed.get(10, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> tunnelsGauge() == 0);
        long before = routers.usedDirectMemory() + routers.usedHeapMemory();

        List<WsClients.Client> tunnels = open(TUNNELS);
        await().atMost(Duration.ofSeconds(30)).until(() -> ws1.openTunnels() == TUNNELS);
        assertThat(tunnelsGauge()).isEqualTo(TUNNELS);
        long held = routers.usedDirectMemory() + routers.usedHeapMemory();

        WsClients.Client oneMore = connect();
        assertThatThrownBy(() -> oneMore.handshake.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(WsClients.Refused.class)
                .satisfies(e -> {
                    WsClients.Refused refused = (WsClients.Refused) e.getCause();
                    assertThat(refused.status).isEqualTo(503);
                    assertThat(refused.body).contains("cell_overloaded");
                });

        System.out.printf(
                "router's Netty buffers: %d bytes before, %d with %d idle tunnels (%d per tunnel)%n",
                before, held, TUNNELS, (held - before) / TUNNELS);
        assertThat((held - before) / TUNNELS)
                .as("the router's buffer bytes per idle tunnel (%d before, %d held)", before, held)
                .isLessThan(MAX_BUFFER_BYTES_PER_TUNNEL);

        for (int i = 0; i < TUNNELS; i++) {
            tunnels.get(i).sendText("still there " + i);
        }
        for (int i = 0; i < TUNNELS; i++) {
            WsClients.Message echo = tunnels.get(i).next(30);
            assertThat(echo).as("echo on tunnel %d", i).isNotNull();
            assertThat(echo.asText()).isEqualTo("still there " + i);
        }
        for (WsClients.Client tunnel : tunnels) {
            tunnel.close();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> ws1.openTunnels() == 0 && tunnelsGauge() == 0);
        assertThat(router.server().bulkheads().inFlight("ws-1")).isZero();
    }

    private List<WsClients.Client> open(int count) throws Exception {
        List<WsClients.Client> opened = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            WsClients.Client client = connect();
            client.handshake.get(10, TimeUnit.SECONDS);
            opened.add(client);
        }
        return opened;
    }

    private WsClients.Client connect() throws InterruptedException {
        InetSocketAddress proxy = router.server().proxyAddress();
        return clients.connect(
                proxy, URI.create("ws://127.0.0.1:" + proxy.getPort() + "/chat"), "x-customer-id", "alpha");
    }

    /** The allocator the router's channels use: Netty's default. */
    private static ByteBufAllocatorMetric routersAllocator() {
        assertThat(ByteBufAllocator.DEFAULT).isInstanceOf(ByteBufAllocatorMetricProvider.class);
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
    }

    private double tunnelsGauge() {
        Matcher m = Pattern.compile("(?m)^cellrouter_websocket_tunnels\\{cell=\"ws-1\"[^}]*} (\\S+)$")
                .matcher(router.server().metrics().scrape());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
