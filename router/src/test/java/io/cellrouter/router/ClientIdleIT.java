package io.cellrouter.router;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.WireMockCell;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code proxy.idleTimeout}: a client connection with nothing to do is closed after it, and one
 * waiting for a slow answer is not (activity is a byte read or written, in either direction).
 */
@Timeout(60)
class ClientIdleIT {

    private static final long IDLE_MILLIS = 600;
    private static final String BODY = "0123456789".repeat(10);

    private static WireMockCell slowCell;

    @BeforeAll
    static void startSlowCell() {
        slowCell = WireMockCell.start("slow");
        // 100 bytes in 5 pieces over 2.4 s: the exchange outlasts the idle timeout several times.
        slowCell.stub(get(urlEqualTo("/dribble"))
                .willReturn(aResponse().withStatus(200).withBody(BODY).withChunkedDribbleDelay(5, 2_400)));
    }

    @AfterAll
    static void stopSlowCell() {
        slowCell.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension("", r -> slowCell.registryYaml(), "  patient: slow\n")
            .proxy(() -> "  idleTimeout: " + IDLE_MILLIS + "ms\n  upstream:\n    connectTimeout: 1s\n");

    @Test
    void keepAliveConnectionWithNothingToDo_isClosedAfterTheIdleTimeout() throws Exception {
        try (Socket socket = socket()) {
            request(socket, "acme", "/first");
            String first = readResponse(socket.getInputStream());
            assertThat(first).startsWith("HTTP/1.1 200 ");
            long answered = System.nanoTime();

            int next = socket.getInputStream().read(); // blocks until the router closes

            long idleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered);
            assertThat(next).as("the connection was closed, not answered").isEqualTo(-1);
            assertThat(idleMillis).isGreaterThanOrEqualTo(IDLE_MILLIS - 50).isLessThan(IDLE_MILLIS * 5);
        }
    }

    @Test
    void connectionWaitingForASlowAnswer_isNotClosed_andStaysUsable() throws Exception {
        try (Socket socket = socket()) {
            request(socket, "patient", "/dribble");
            String slow = readResponse(socket.getInputStream());
            assertThat(slow).startsWith("HTTP/1.1 200 ").endsWith(BODY);

            request(socket, "acme", "/after");
            assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200 ");
        }
        assertThat(slowCell.received()).hasSize(1);
    }

    private Socket socket() throws IOException {
        Socket socket = new Socket("127.0.0.1", router.server().proxyAddress().getPort());
        socket.setSoTimeout(20_000);
        return socket;
    }

    private static void request(Socket socket, String customer, String path) throws IOException {
        socket.getOutputStream()
                .write(("GET " + path + " HTTP/1.1\r\nHost: a\r\nx-customer-id: " + customer + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** One response, read to its end by its framing: content-length or chunked. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("connection closed inside the head").isNotEqualTo(-1);
            head.write(b);
        }
        String headText = head.toString(StandardCharsets.ISO_8859_1);
        String lower = headText.toLowerCase(java.util.Locale.ROOT);
        StringBuilder body = new StringBuilder();
        java.util.regex.Matcher length =
                java.util.regex.Pattern.compile("content-length: *(\\d+)").matcher(lower);
        if (length.find()) {
            body.append(new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.ISO_8859_1));
        } else {
            assertThat(lower).contains("transfer-encoding: chunked");
            while (true) {
                int size = Integer.parseInt(line(in).trim(), 16);
                if (size == 0) {
                    line(in); // the empty line after the last chunk (no trailers here)
                    break;
                }
                body.append(new String(in.readNBytes(size), StandardCharsets.ISO_8859_1));
                line(in);
            }
        }
        return headText + body;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            assertThat(b).as("connection closed inside a chunk").isNotEqualTo(-1);
            line.append((char) b);
        }
        return line.toString().replace("\r", "");
    }
}
