package io.cellrouter.router.security;

import static io.cellrouter.router.testing.RawHttp.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.ScriptedCell;
import io.cellrouter.router.testing.ScriptedCell.Answer;
import io.cellrouter.router.testing.TestCertificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An answer cut short never ends the way a whole one does. Where the answer has no length, its
 * end is the connection's close (for an HTTP/1.0 client), so every way of cutting it short must
 * end the client's connection with a reset: the cell resetting its connection mid-answer, the cell
 * going quiet (over TLS too, where a {@code close_notify} would be a clean end), a client that
 * stops reading for {@code proxy.idleTimeout} (and a drain that runs out of time: DrainTimeoutIT).
 *
 * <p>Cells are plain sockets answering {@code 200} without a length: amy's sends a first part and
 * resets its connection, ben's sends a first part and says nothing more, cat's sends 8 MiB and
 * says nothing more.
 */
@Timeout(60)
class CutShortIT {

    private static final String FIRST_PART = "the first part";
    private static final int LARGE = 8 * 1024 * 1024;

    private static TestCertificates certs;
    private static ScriptedCell resetting;
    private static ScriptedCell quiet;
    private static ScriptedCell large;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCertificates.create();
        resetting = new ScriptedCell(request -> Answer.thenReset("HTTP/1.1 200 OK\r\n\r\n" + FIRST_PART));
        quiet = new ScriptedCell(request -> Answer.of("HTTP/1.1 200 OK\r\n\r\n" + FIRST_PART));
        large = new ScriptedCell(request -> Answer.of("HTTP/1.1 200 OK\r\n\r\n" + "L".repeat(LARGE)));
    }

    @AfterAll
    static void stop() {
        resetting.close();
        quiet.close();
        large.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
                    "",
                    r -> "  - name: resetting\n    endpoint: " + resetting.endpoint() + "\n"
                            + "  - name: quiet\n    endpoint: " + quiet.endpoint() + "\n"
                            + "  - name: large\n    endpoint: " + large.endpoint() + "\n",
                    "  amy: resetting\n  ben: quiet\n  cat: large\n")
            .proxy(() -> "  idleTimeout: 1s\n  upstream:\n    responseBodyTimeout: 1s\n" + certs.proxyTlsYaml());

    private static String get(String version, String customer) {
        return "GET /x " + version + "\r\nHost: router\r\nx-customer-id: " + customer + "\r\n\r\n";
    }

    /** Before, the decoder's end of an answer without a length, on the cell's reset, was relayed as its end. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"HTTP/1.0", "HTTP/1.1"})
    void cellResetsMidAnswer_theClientGetsAReset(String version) throws Exception {
        try (Socket socket = RawHttp.connect(router.server().proxyAddress(), 10_000)) {
            write(socket, get(version, "amy"));

            String all = RawHttp.readToAReset(socket.getInputStream());

            assertThat(all).contains(FIRST_PART).doesNotContain("\r\n0\r\n\r\n");
        }
    }

    /** close_notify would be a clean end of the answer: the reset goes past TLS. */
    @Test
    void overTls_cellQuietMidAnswer_theClientGetsAReset_notCloseNotify() throws Exception {
        InetSocketAddress tls = router.server().tlsAddress();
        try (SSLSocket socket = certs.connectTls(tls)) {
            socket.getOutputStream().write(get("HTTP/1.0", "ben").getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();

            assertThat(RawHttp.readToAReset(socket.getInputStream())).contains(FIRST_PART);
        }
    }

    /**
     * The client reads nothing of a large answer for {@code proxy.idleTimeout}: the router gives the
     * answer up, and what the client then reads ends with a reset.
     */
    @Test
    void clientThatStopsReading_getsAReset_whenItReadsAgain() throws Exception {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(router.server().proxyAddress(), 10_000);
            socket.setSoTimeout(10_000);
            write(socket, get("HTTP/1.0", "cat"));
            await().atMost(Duration.ofSeconds(10)).until(() -> aborted("large") == 1);

            String all = RawHttp.readToAReset(socket.getInputStream());

            assertThat(all).startsWith("HTTP/1.1 200");
            assertThat(all.length()).isLessThan(LARGE);
        }
    }

    private double aborted(String cell) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "cellrouter_requests_total\\{cell=\"" + cell + "\",outcome=\"aborted\"[^}]*} ([0-9.]+)")
                .matcher(router.server().metrics().scrape());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
