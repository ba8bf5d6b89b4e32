package io.cellrouter.router.edge;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.cellrouter.router.testing.LogCapture;
import io.cellrouter.router.testing.RouterExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An h2c cell that resets every connection the router opens: each request is 502 {@code
 * cell_unreachable}, and the log stays quiet. Before, each reset reached the end of the cell
 * connection's pipeline, a WARN with a stack trace per connection a faulty cell reset.
 */
@Timeout(60)
class Http2CellResetIT {

    private static ResettingCell cell;

    @BeforeAll
    static void start() throws IOException {
        cell = new ResettingCell();
    }

    @AfterAll
    static void stop() throws IOException {
        cell.close();
    }

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
                    "",
                    r -> "  - name: resetting\n    endpoint: h2c://127.0.0.1:%d\n".formatted(cell.port()),
                    "  mallory: resetting\n")
            .proxy(() -> "  upstream:\n    connectTimeout: 1s\n    responseTimeout: 5s\n");

    @Test
    void cellResettingItsConnections_502_andNoWarning() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertThat(router.get("mallory", "/x").body()).contains("cell_unreachable");
        }

        assertThat(cell.resets()).isPositive();
        assertThat(logs.events()).as("log events").noneSatisfy(event -> assertThat(
                        event.getLevel().isGreaterOrEqual(Level.WARN))
                .as(LogCapture.text(event))
                .isTrue());
    }

    /** Reads the start of each connection (the router's preface), then resets it. */
    static final class ResettingCell implements AutoCloseable {
        private final ServerSocket server;
        private final AtomicInteger resets = new AtomicInteger();

        ResettingCell() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread thread = new Thread(this::serve, "resetting-cell");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int resets() {
            return resets.get();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    socket.getInputStream().readNBytes(24); // the client preface
                    socket.setSoLinger(true, 0); // the close below is a reset
                    resets.incrementAndGet();
                } catch (IOException closed) {
                    return; // close(): the cell stops
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
