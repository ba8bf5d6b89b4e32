package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.LogCapture;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A drain meets connections that have not begun a request: one just opened may already have its
 * request in the socket, unread. Such a connection is not closed under it (a reset, the request
 * lost): it is answered, with {@code Connection: close}. One that sends nothing holds the drain
 * for a few seconds at most (ConnectionDrain.FIRST_REQUEST_GRACE).
 */
@Timeout(60)
class DrainFirstRequestIT {

    @RegisterExtension
    final RouterExtension router = new RouterExtension();

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    private final ExecutorService drainer = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopDrainer() {
        drainer.shutdownNow();
    }

    @Test
    void aConnectionOpenedBeforeTheDrain_sendingItsRequestAfter_isAnswered_thenClosed() throws Exception {
        try (Socket socket = RawHttp.connect(router.server().proxyAddress(), 10_000)) {
            awaitOpenConnections(1);
            CompletableFuture<Boolean> drained = drain(Duration.ofSeconds(30));
            awaitConnectionsTold(); // the drain's event has reached this connection

            RawHttp.write(socket, "GET /first HTTP/1.1\r\nHost: router\r\nx-customer-id: acme\r\n\r\n");
            InputStream in = socket.getInputStream();
            RawHttp.Response answer = RawHttp.read(in);

            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.header("connection")).isEqualToIgnoringCase("close");
            assertThat(in.read()).as("the end of the connection").isEqualTo(-1);
            assertThat(drained.get(20, TimeUnit.SECONDS))
                    .as("the drain ended clean")
                    .isTrue();
        }
        assertThat(router.cell("cell-1").requestCount()).isEqualTo(1);
    }

    @Test
    void aConnectionThatSendsNothing_holdsTheDrainOnlyAWhile_thenIsClosed() throws Exception {
        long connecting = System.nanoTime();
        try (Socket silent = RawHttp.connect(router.server().proxyAddress(), 20_000)) {
            awaitOpenConnections(1);
            CompletableFuture<Boolean> drained = drain(Duration.ofSeconds(50));

            assertThat(drained.get(20, TimeUnit.SECONDS))
                    .as("over well before the drain timeout")
                    .isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - connecting))
                    .as("waited until the connection had been open for the grace")
                    .isGreaterThanOrEqualTo(ConnectionDrain.FIRST_REQUEST_GRACE);
            assertThat(silent.getInputStream().read()).as("closed").isEqualTo(-1);
        }
    }

    @Test
    void aConnectionBetweenRequests_isClosedAtOnce() throws Exception {
        try (Socket socket = RawHttp.connect(router.server().proxyAddress(), 10_000)) {
            RawHttp.write(socket, "GET /one HTTP/1.1\r\nHost: router\r\nx-customer-id: acme\r\n\r\n");
            InputStream in = socket.getInputStream();
            assertThat(RawHttp.read(in).status()).isEqualTo(200);

            CompletableFuture<Boolean> drained = drain(Duration.ofSeconds(50));

            assertThat(in.read()).as("closed").isEqualTo(-1);
            assertThat(drained.get(3, TimeUnit.SECONDS)).isTrue();
        }
    }

    private CompletableFuture<Boolean> drain(Duration timeout) {
        return CompletableFuture.supplyAsync(() -> router.server().drainAndStop(timeout), drainer);
    }

    private void awaitOpenConnections(int count) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> router.server()
                                .metrics()
                                .registry()
                                .get("cellrouter.client.connections")
                                .gauge()
                                .value()
                        == count);
    }

    private void awaitConnectionsTold() {
        await().atMost(Duration.ofSeconds(10)).until(() -> logs.events().stream()
                .anyMatch(e -> e.getFormattedMessage().startsWith("draining: told ")));
    }
}
