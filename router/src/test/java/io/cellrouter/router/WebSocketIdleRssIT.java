package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.RouterProcess;
import io.cellrouter.router.testing.WebSocketCell;
import io.cellrouter.router.testing.WsClients;
import io.netty.channel.ChannelFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router as it runs in production ({@code java -jar cell-router.jar serve} with the Kubernetes
 * manifest's memory flags) holding 1,000 idle WebSocket tunnels: its resident memory (RSS, from
 * {@code /proc/PID/status}) and its live heap (after a full GC) are measured with no tunnel and
 * with the thousand open, and printed for the record. Then SIGTERM: the router ends every tunnel
 * itself within {@code proxy.drainTimeout} and exits 0.
 *
 * <p>The figures compare a router that has already carried a thousand tunnels (so the JIT, the
 * classes and the young generation's pages are warm) with the same router holding a thousand:
 * what idle tunnels cost, not what a first request costs. The cold figure is printed too.
 */
@Timeout(300)
class WebSocketIdleRssIT {

    private static final int TUNNELS = 1000;
    /** The resident memory a router may add per idle tunnel. */
    private static final long MAX_RSS_BYTES_PER_TUNNEL = 64 * 1024;

    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);
    /** deploy/kubernetes/deployment.yaml's. */
    private static final List<String> JVM = List.of("-Xms512m", "-Xmx512m", "-XX:MaxDirectMemorySize=256m");

    @TempDir
    Path dir;

    @Test
    void thousandIdleTunnels_addLittleResidentMemory_andSigtermEndsThemAll() throws Exception {
        int proxyPort = RouterProcess.freePort();
        int adminPort = RouterProcess.freePort();
        try (WebSocketCell cell = WebSocketCell.start("ws-1");
                WsClients clients = new WsClients()) {
            writeConfig(cell, proxyPort, adminPort);
            try (RouterProcess router = RouterProcess.start(dir, JVM, "serve", "--config", "config.yaml")) {
                router.awaitReady(adminPort);
                long pid = router.process().pid();
                InetSocketAddress proxy = new InetSocketAddress("127.0.0.1", proxyPort);
                long cold = rss(pid);

                List<WsClients.Client> warmUp = open(clients, proxy);
                echo(warmUp);
                warmUp.forEach(WsClients.Client::close);
                await().atMost(Duration.ofSeconds(30)).until(() -> cell.openTunnels() == 0);
                long warmHeap = liveHeap(pid, adminPort);
                long warm = rss(pid);

                List<WsClients.Client> tunnels = open(clients, proxy);
                await().atMost(Duration.ofSeconds(30)).until(() -> cell.openTunnels() == TUNNELS);
                long heldHeap = liveHeap(pid, adminPort);
                long held = rss(pid);

                System.out.printf(
                        "router RSS: %d KiB cold, %d KiB warm with no tunnel, %d KiB with %d idle tunnels:"
                                + " %d bytes per tunnel; live heap %d KiB -> %d KiB: %d bytes per tunnel%n",
                        cold / 1024,
                        warm / 1024,
                        held / 1024,
                        TUNNELS,
                        (held - warm) / TUNNELS,
                        warmHeap / 1024,
                        heldHeap / 1024,
                        (heldHeap - warmHeap) / TUNNELS);
                assertThat((held - warm) / TUNNELS)
                        .as("RSS bytes per idle tunnel (%d warm, %d held)", warm, held)
                        .isLessThan(MAX_RSS_BYTES_PER_TUNNEL);
                echo(tunnels); // every one is alive

                long sigterm = System.nanoTime();
                router.process().destroy();
                for (WsClients.Client tunnel : tunnels) {
                    tunnel.closed.get(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
                assertThat(Duration.ofNanos(System.nanoTime() - sigterm)).isLessThan(DRAIN_TIMEOUT);
                assertThat(router.process().waitFor(DRAIN_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS))
                        .isTrue();
                assertThat(router.process().exitValue())
                        .as("a clean drain: %s", router.stderr())
                        .isZero();
                await().atMost(Duration.ofSeconds(10)).until(() -> cell.openTunnels() == 0);
            }
        }
    }

    private void writeConfig(WebSocketCell cell, int proxyPort, int adminPort) throws IOException {
        Files.writeString(
                dir.resolve("registry.yaml"),
                "cells:\n  - name: ws-1\n    endpoint: " + cell.endpoint() + "\ncustomers:\n  alpha: ws-1\n");
        Files.writeString(
                dir.resolve("config.yaml"),
                """
                proxy:
                  listen: 127.0.0.1:%d
                  drainTimeout: %ds
                  maxConcurrentPerCell: 5000
                  maxConcurrentPerCustomer: 5000
                  websocket:
                    maxTunnelsPerCell: %d
                admin:
                  listen: 127.0.0.1:%d
                registry:
                  file: registry.yaml
                """
                        .formatted(proxyPort, DRAIN_TIMEOUT.toSeconds(), TUNNELS, adminPort));
    }

    private static List<WsClients.Client> open(WsClients clients, InetSocketAddress proxy) throws Exception {
        List<WsClients.Client> opened = new ArrayList<>(TUNNELS);
        for (int i = 0; i < TUNNELS; i++) {
            WsClients.Client client = clients.connect(
                    proxy, URI.create("ws://127.0.0.1:" + proxy.getPort() + "/chat"), "x-customer-id", "alpha");
            client.handshake.get(10, TimeUnit.SECONDS);
            opened.add(client);
        }
        return opened;
    }

    private static void echo(List<WsClients.Client> tunnels) throws InterruptedException {
        List<ChannelFuture> sent = new ArrayList<>(tunnels.size());
        for (int i = 0; i < tunnels.size(); i++) {
            sent.add(tunnels.get(i).sendText("ping " + i));
        }
        for (int i = 0; i < sent.size(); i++) {
            assertThat(sent.get(i).awaitUninterruptibly(10_000))
                    .as("ping %d written", i)
                    .isTrue();
            assertThat(sent.get(i).cause()).as("ping %d written", i).isNull();
        }
        for (int i = 0; i < tunnels.size(); i++) {
            WsClients.Message echo = tunnels.get(i).next(30);
            assertThat(echo)
                    .as(
                            "echo on tunnel %d (closed: %s)",
                            i, tunnels.get(i).closed.isDone())
                    .isNotNull();
            assertThat(echo.asText()).isEqualTo("ping " + i);
        }
    }

    /** Resident set size in bytes: VmRSS of /proc/PID/status (what {@code ps -o rss} shows). */
    private static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    /** The heap in use right after a full GC ({@code jcmd PID GC.run}), read from the router's metrics. */
    private static long liveHeap(long pid, int adminPort) throws Exception {
        Process gc = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(pid),
                        "GC.run")
                .redirectErrorStream(true)
                .start();
        String out = new String(gc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gc.exitValue()).as("jcmd GC.run: %s", out).isZero();
        String metrics = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\"[^}]*} (\\S+)$")
                .matcher(metrics);
        double used = 0;
        boolean any = false;
        while (m.find()) {
            used += Double.parseDouble(m.group(1));
            any = true;
        }
        assertThat(any).as("jvm_memory_used_bytes{area=heap} in %s", metrics).isTrue();
        return (long) used;
    }
}
