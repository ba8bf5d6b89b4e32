package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RouterProcess;
import io.cellrouter.router.testing.TestCell;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GiB download over HTTP/2 to a client that reads more slowly than the cell writes, through a
 * router process with a 64 MiB heap and 32 MiB of direct memory: HTTP/2 flow control must carry
 * the slowness back to the cell instead of letting the router buffer. The router's own memory
 * meters are sampled throughout and the peak is printed (and bounded).
 */
class Http2DownloadIT {

    static final long SIZE = 1L << 30;

    @TempDir
    Path dir;

    @Test
    void oneGibDownload_toSlowReader_keepsRouterMemoryBounded() throws Exception {
        try (TestCell cell = TestCell.start("cell-1")) {
            RouterProcess.Setup setup = RouterProcess.oneCell(
                    dir, cell, "  upstream:\n    responseTimeout: 60s\n", "accessLog:\n  enabled: false\n");
            int proxyPort = setup.proxyPort();
            int adminPort = setup.adminPort();
            try (RouterProcess router = RouterProcess.start(
                    dir,
                    List.of("-Xmx64m", "-XX:MaxDirectMemorySize=32m", "-Dio.netty.maxDirectMemory=33554432"),
                    "serve",
                    "--config",
                    "config.yaml")) {
                router.awaitReady(adminPort);
                H2Client client = new H2Client(new InetSocketAddress("127.0.0.1", proxyPort), 256 * 1024);
                MemorySampler sampler = new MemorySampler(adminPort);
                long start = System.nanoTime();

                CompletableFuture<H2Client.Response> download = client.send(
                        H2Client.request("GET", "/download?size=" + SIZE, "x-customer-id", "acme"), null, 3);
                H2Client.Response response = download.get(5, TimeUnit.MINUTES);
                double seconds = (System.nanoTime() - start) / 1e9;
                sampler.stop();

                assertThat(response.status()).isEqualTo("200");
                assertThat(response.bytes()).isEqualTo(SIZE);
                assertThat(response.sha256()).isEqualTo(TestCell.sha256OfPattern(SIZE));
                assertThat(router.process().isAlive()).isTrue();
                System.out.printf(
                        "1 GiB over HTTP/2 to a slow reader in %.1f s (%.0f MiB/s); router peak heap used %d MiB,"
                                + " peak Netty direct %d MiB, %d samples%n",
                        seconds,
                        1024 / seconds,
                        sampler.peakHeap.get() >> 20,
                        sampler.peakDirect.get() >> 20,
                        sampler.samples.get());
                assertThat(sampler.samples.get()).isGreaterThan(3);
                assertThat(sampler.failures.get()).isLessThan(sampler.samples.get());
                assertThat(sampler.peakDirect.get()).isLessThan(32L << 20);
                client.close();
            }
        }
    }

    /** Polls the router's /metrics for heap and Netty direct memory in use. */
    static final class MemorySampler {
        final AtomicLong peakHeap = new AtomicLong();
        final AtomicLong peakDirect = new AtomicLong();
        final AtomicLong samples = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private final HttpClient http = HttpClient.newHttpClient();
        private final URI metrics;

        MemorySampler(int adminPort) {
            metrics = URI.create("http://127.0.0.1:" + adminPort + "/metrics");
            timer.scheduleAtFixedRate(this::sample, 0, 200, TimeUnit.MILLISECONDS);
        }

        private void sample() {
            try {
                String text = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
                        .body();
                long heap = 0;
                Matcher m = Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\",[^}]*} (\\S+)")
                        .matcher(text);
                while (m.find()) {
                    heap += (long) Double.parseDouble(m.group(1));
                }
                Matcher d = Pattern.compile("cellrouter_netty_memory_used_bytes\\{area=\"direct\"} (\\S+)")
                        .matcher(text);
                long direct = d.find() ? (long) Double.parseDouble(d.group(1)) : 0;
                peakHeap.accumulateAndGet(heap, Math::max);
                peakDirect.accumulateAndGet(direct, Math::max);
                samples.incrementAndGet();
            } catch (Exception e) {
                failures.incrementAndGet(); // counted and asserted: most samples must succeed
            }
        }

        void stop() {
            timer.shutdownNow();
        }
    }
}
