package io.cellrouter.router.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * After a failed TLS handshake with a cell that keeps its side of the connection open, the
 * router's side closes too. On io_uring the router used to close its descriptor while a poll it
 * had armed kept the socket alive, ESTABLISHED and in no process's table, until the cell closed:
 * one socket per failed handshake, unbounded and invisible to every descriptor count (a tester
 * left 2,530 behind). The cell here sees the end of each connection, which it never saw then.
 */
@Timeout(60)
class UpstreamSocketReleaseIT {

    private static UntrustedCell cell;

    @BeforeAll
    static void start() throws Exception {
        cell = new UntrustedCell();
    }

    @AfterAll
    static void stop() throws IOException {
        cell.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
                    "",
                    r -> "  - name: untrusted\n    endpoint: https://127.0.0.1:%d\n".formatted(cell.port()),
                    "  mallory: untrusted\n")
            .proxy(() -> "  upstream:\n    connectTimeout: 1s\n    responseTimeout: 5s\n");

    @Test
    void failedHandshake_withACellThatKeepsItsSideOpen_endsTheConnection() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertThat(router.get("mallory", "/x").statusCode()).isEqualTo(502);
        }

        assertThat(cell.failedHandshakes()).isPositive();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(cell.ended())
                .as("connections the router ended, of %d accepted", cell.accepted())
                .isEqualTo(cell.accepted()));
    }

    /**
     * A TLS cell whose certificate (from a CA of its own) the router does not trust. After the failed handshake it keeps
     * the TCP connection open and reads until the router ends it, counting the ends.
     */
    static final class UntrustedCell implements AutoCloseable {
        private final ServerSocket server;
        private final SSLContext tls;
        private final AtomicInteger accepted = new AtomicInteger();
        private final AtomicInteger failedHandshakes = new AtomicInteger();
        private final AtomicInteger ended = new AtomicInteger();

        UntrustedCell() throws Exception {
            tls = SSLContext.getInstance("TLS");
            tls.init(
                    TestCertificates.create()
                            .issueServer("untrusted")
                            .toKeyManagerFactory()
                            .getKeyManagers(),
                    null,
                    null);
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(this::acceptLoop, "untrusted-cell");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        int failedHandshakes() {
            return failedHandshakes.get();
        }

        int ended() {
            return ended.get();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                Socket raw;
                try {
                    raw = server.accept();
                } catch (IOException closed) {
                    return; // close(): the cell stops
                }
                accepted.incrementAndGet();
                Thread serve = new Thread(() -> serve(raw), "untrusted-cell-connection");
                serve.setDaemon(true);
                serve.start();
            }
        }

        private void serve(Socket raw) {
            try (raw) {
                raw.setSoTimeout(30_000);
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(raw, null, false);
                ssl.setUseClientMode(false);
                try {
                    ssl.startHandshake();
                } catch (IOException refused) {
                    failedHandshakes.incrementAndGet(); // the router refused the certificate, as it must
                }
                InputStream in = raw.getInputStream();
                while (in.read() >= 0) {
                    // whatever the router still sends: the end is what counts
                }
                ended.incrementAndGet();
            } catch (IOException e) {
                ended.incrementAndGet(); // a reset ends the connection too
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
