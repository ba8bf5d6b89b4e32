package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.RouterExtension;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Blast radius: a cell that accepts connections and never answers fills its own budget; its
 * customers then get 503 at once, and the other cell's customers never notice.
 */
class IsolationIT {

    static ServerSocket hung;
    static final List<Socket> held = new CopyOnWriteArrayList<>();

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
                    "",
                    r -> "  - name: hung\n    endpoint: http://127.0.0.1:%d\n".formatted(hungPort()),
                    "  stuck: hung\n")
            .proxy(() -> "  maxConcurrentPerCell: 20\n  upstream:\n    connectTimeout: 1s\n    responseTimeout: 3s\n");

    static int hungPort() {
        try {
            if (hung == null) {
                hung = new ServerSocket(0, 1000, java.net.InetAddress.getLoopbackAddress());
                Thread acceptor = new Thread(() -> {
                    while (!hung.isClosed()) {
                        try {
                            held.add(hung.accept()); // accept, never read, never answer
                        } catch (java.io.IOException closed) {
                            return;
                        }
                    }
                });
                acceptor.setDaemon(true);
                acceptor.start();
            }
            return hung.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void closeHung() throws Exception {
        for (Socket s : held) {
            s.close();
        }
        held.clear();
        hung.close();
        hung = null;
    }

    @Test
    void hungCell_fillsItsOwnBudget_otherCellUnaffected() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> stuck = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            stuck.add(router.client()
                    .sendAsync(
                            HttpRequest.newBuilder(router.proxy("/wait"))
                                    .header("x-customer-id", "stuck")
                                    .timeout(Duration.ofSeconds(20))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()));
        }
        // While the hung cell's budget is full, the healthy cell serves every request.
        for (int i = 0; i < 100; i++) {
            HttpResponse<String> ok = router.get(i % 2 == 0 ? "acme" : "globex", "/ok/" + i);
            assertThat(ok.statusCode()).isEqualTo(200);
        }

        long fast = 0;
        long timedOut = 0;
        for (CompletableFuture<HttpResponse<String>> f : stuck) {
            HttpResponse<String> r = f.get();
            if (r.statusCode() == 503) {
                assertThat(r.body()).contains("cell_overloaded");
                assertThat(r.headers().firstValue("retry-after")).isPresent();
                fast++;
            } else {
                assertThat(r.statusCode()).isEqualTo(504);
                assertThat(r.body()).contains("cell_timeout");
                timedOut++;
            }
        }
        assertThat(timedOut).isLessThanOrEqualTo(20);
        assertThat(fast).isGreaterThanOrEqualTo(40);
    }

    @Test
    void overloadedAnswers_comeAtOnce() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> filling = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            filling.add(router.client()
                    .sendAsync(
                            HttpRequest.newBuilder(router.proxy("/wait"))
                                    .header("x-customer-id", "stuck")
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()));
        }
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> router.server().bulkheads().inFlight("hung") == 20);

        long start = System.nanoTime();
        HttpResponse<String> refused = router.get("stuck", "/more");
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(millis).as("answered without waiting for the hung cell").isLessThan(1000);
        for (CompletableFuture<HttpResponse<String>> f : filling) {
            assertThat(f.get().statusCode()).isEqualTo(504);
        }
    }
}
