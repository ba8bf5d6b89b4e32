package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.RouterProcess;
import io.cellrouter.router.testing.TestCell;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM under steady load: readiness goes false first; clients that, like a load balancer, stop
 * starting requests once readiness is false lose nothing: every request already started gets its
 * 200, then the process exits 0.
 */
class DrainIT {

    @TempDir
    Path dir;

    @Test
    void sigterm_underLoad_failsNoInFlightRequest() throws Exception {
        try (TestCell cell = TestCell.start("cell-1")) {
            RouterProcess.Setup setup = RouterProcess.oneCell(
                    dir, cell, "  drainDelay: 1s\n  drainTimeout: 10s\n", "accessLog:\n  enabled: false\n");
            int proxyPort = setup.proxyPort();
            int adminPort = setup.adminPort();
            try (RouterProcess router = RouterProcess.start(dir, List.of(), "serve", "--config", "config.yaml")) {
                router.awaitReady(adminPort);
                AtomicBoolean notReady = new AtomicBoolean();
                AtomicInteger completed = new AtomicInteger();
                ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
                ScheduledExecutorService watcher = readinessWatcher(adminPort, notReady);
                List<Thread> workers = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    Thread worker = new Thread(() -> {
                        while (!notReady.get()) {
                            try {
                                String response = exchange(proxyPort);
                                if (response.startsWith("HTTP/1.1 200 ")) {
                                    completed.incrementAndGet();
                                } else {
                                    failures.add(response.lines().findFirst().orElse("<empty>"));
                                }
                            } catch (ConnectException refused) {
                                return; // the listener is closed: nothing was in flight
                            } catch (IOException e) {
                                failures.add(e.toString());
                            }
                        }
                    });
                    worker.start();
                    workers.add(worker);
                }
                org.awaitility.Awaitility.await().until(() -> completed.get() > 50);

                router.process().destroy(); // SIGTERM

                for (Thread worker : workers) {
                    worker.join(30_000);
                }
                watcher.shutdownNow();
                assertThat(router.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(failures).isEmpty();
                assertThat(router.process().exitValue()).isZero();
                System.out.printf(
                        "drain under load: %d requests completed, %d failed%n", completed.get(), failures.size());
            }
        }
    }

    /** A drain that runs out of time is still an ordinary stop: exit 0, with the cut counted in the log. */
    @Test
    void sigterm_drainTimeoutCutsAnExchange_stillExitsZero() throws Exception {
        try (TestCell cell = TestCell.start("cell-1")) {
            RouterProcess.Setup setup = RouterProcess.oneCell(
                    dir, cell, "  drainDelay: 0s\n  drainTimeout: 1s\n", "accessLog:\n  enabled: false\n");
            try (RouterProcess router = RouterProcess.start(dir, List.of(), "serve", "--config", "config.yaml")) {
                router.awaitReady(setup.adminPort());
                try (Socket socket = new Socket("127.0.0.1", setup.proxyPort())) {
                    socket.getOutputStream()
                            .write(("GET /slow?ms=20000 HTTP/1.1\r\nHost: a\r\nx-customer-id: acme\r\n\r\n")
                                    .getBytes(StandardCharsets.ISO_8859_1));
                    org.awaitility.Awaitility.await().until(() -> cell.requestCount() > 0);

                    router.process().destroy(); // SIGTERM

                    assertThat(router.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
                    assertThat(router.stderr()).contains("drain timeout: closing 1 unfinished exchanges");
                    assertThat(router.process().exitValue()).as(router.stderr()).isZero();
                }
            }
        }
    }

    /** One request that the cell holds for 100 ms, on its own connection. */
    private static String exchange(int port) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream()
                    .write(("GET /slow?ms=100 HTTP/1.1\r\nHost: a\r\nx-customer-id: acme\r\n"
                                    + "Connection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Polls {@code /readyz} every 20 ms, like a load balancer's health check, and sets {@code
     * notReady} at the first answer other than 200 (or no answer). The interval is the load
     * balancer's, so it is a schedule, not a wait for a condition.
     */
    private static ScheduledExecutorService readinessWatcher(int adminPort, AtomicBoolean notReady) {
        HttpClient http = HttpClient.newHttpClient();
        ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "readiness-watcher");
            thread.setDaemon(true);
            return thread;
        });
        watcher.scheduleWithFixedDelay(
                () -> {
                    if (notReady.get()) {
                        return;
                    }
                    try {
                        int status = http.send(
                                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode();
                        if (status != 200) {
                            notReady.set(true);
                        }
                    } catch (IOException e) {
                        notReady.set(true);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt(); // the test is over: shutdownNow
                    }
                },
                0,
                20,
                TimeUnit.MILLISECONDS);
        return watcher;
    }
}
