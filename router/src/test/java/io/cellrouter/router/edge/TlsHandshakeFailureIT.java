package io.cellrouter.router.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.cellrouter.router.testing.LogCapture;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A TLS handshake that fails, on the TLS listener or towards an {@code https://} cell, closes the
 * connection and is counted ({@code cellrouter_tls_handshake_failures_total}); it is never logged
 * at WARN, and never with the exception's message: for a plaintext request on the TLS port that
 * message is a hex dump of the request, credentials included.
 */
class TlsHandshakeFailureIT {

    /** "s3cr3t" in hex, as Netty's NotSslRecordException would write it. */
    private static final String SECRET_HEX = "733363723374";

    static TestCertificates certs;
    static PlaintextCell plaintextCell;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCertificates.create();
        plaintextCell = new PlaintextCell(
                "HTTP/1.1 400 Bad Request\r\nSet-Cookie: session=s3cr3t\r\nContent-Length: 0\r\n\r\n");
    }

    @AfterAll
    static void stop() throws IOException {
        plaintextCell.close();
    }

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
                    "",
                    r -> "  - name: plaintext\n    endpoint: https://127.0.0.1:%d\n".formatted(plaintextCell.port()),
                    "  plain-co: plaintext\n")
            .proxy(() -> certs.proxyTlsYaml() + "  upstream:\n    connectTimeout: 1s\n    responseTimeout: 5s\n");

    @Test
    void plaintextRequestOnTheTlsPort_closed_counted_credentialsNeverLogged() throws Exception {
        try (Socket socket = RawHttp.connect(router.server().tlsAddress(), 10_000)) {
            RawHttp.write(
                    socket,
                    "GET / HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer s3cr3t\r\nx-customer-id: acme\r\n\r\n");
            InputStream in = socket.getInputStream();
            // A TLS alert may come first; then the connection ends.
            while (in.read() >= 0) {
                // reads what the router sent before it closed
            }
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> failures("not_tls") == 1);
        assertThat(failures("other")).isZero();
        assertNothingLeaked();
    }

    @Test
    void httpsCellAnsweringPlaintext_502_countedNowhereAtWarn_cellBytesNeverLogged() throws Exception {
        HttpResponse<String> response = router.get("plain-co", "/hello");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("cell_unreachable");
        assertNothingLeaked();
    }

    private void assertNothingLeaked() {
        assertThat(logs.events()).as("log events").allSatisfy(event -> {
            String text = LogCapture.text(event);
            assertThat(event.getLevel().isGreaterOrEqual(Level.WARN)).as(text).isFalse();
            assertThat(text).doesNotContain(SECRET_HEX).doesNotContainIgnoringCase("s3cr3t");
        });
    }

    private double failures(String reason) {
        Matcher m = Pattern.compile("cellrouter_tls_handshake_failures_total\\{reason=\"" + reason + "\"\\} ([0-9.]+)")
                .matcher(router.server().metrics().scrape());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    /** A cell that answers every connection at once with the same plaintext bytes, then closes it. */
    static final class PlaintextCell implements AutoCloseable {
        private final ServerSocket server;
        private final java.util.concurrent.atomic.AtomicInteger resets =
                new java.util.concurrent.atomic.AtomicInteger();

        PlaintextCell(String answer) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread thread = new Thread(() -> serve(answer.getBytes(StandardCharsets.ISO_8859_1)), "plaintext-cell");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve(byte[] answer) {
            while (!server.isClosed()) {
                Socket socket;
                try {
                    socket = server.accept();
                } catch (IOException closed) {
                    return; // close(): the cell stops
                }
                try (socket) {
                    OutputStream out = socket.getOutputStream();
                    out.write(answer);
                    out.flush();
                    socket.shutdownOutput();
                    // Until the router closes: closing with its ClientHello unread would reset the
                    // connection, and the router might lose the answer with it.
                    socket.getInputStream().readAllBytes();
                } catch (IOException e) {
                    resets.incrementAndGet(); // the router reset the connection: it is over all the same
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
