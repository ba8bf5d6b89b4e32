package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.H2TestCell;
import io.cellrouter.router.testing.RawH2;
import io.cellrouter.router.testing.RouterExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An HTTP/2 cell that answers whole (END_STREAM) while the request is still being sent, as a cell
 * does that refuses an upload at once: the router must end its own side of the cell's stream
 * (RST_STREAM CANCEL). Before, it marked the stream ended on the cell's END_STREAM and every later
 * reset was skipped, so the stream stayed half-closed on the shared cell connection for good: it
 * kept its place there, the connection looked full after as many such requests as the cell allows
 * streams, and the pool opened connection after connection, none of which ever closed. The cell
 * allows 3 streams; the router has one event loop, so every stream draws on one pool.
 */
@Timeout(60)
class Http2CellEarlyAnswerIT {

    private static final int REQUESTS = 8;

    final H2TestCell cell = H2TestCell.started("early", 3);

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
                    "", r -> "  - name: early\n    endpoint: h2c://127.0.0.1:" + cell.port() + "\n", "  bob: early\n")
            .proxy(() -> "  eventLoops: 1\n");

    @AfterEach
    void stopCell() {
        cell.close();
    }

    @Test
    void http2Client_uploadRefusedAtOnce_cellStreamIsCancelled_andItsPlaceFreed() throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            for (int i = 0; i < REQUESTS; i++) {
                int stream = 1 + 2 * i;
                raw.headers(stream, H2Client.request("POST", "/whole-early", "x-customer-id", "bob"), false)
                        .data(stream, new byte[10], false)
                        .flush();
                assertThat(raw.readStream(stream, 10_000)).first().isEqualTo("HEADERS " + stream + " 401");
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> cell.resetsReceived() == REQUESTS);
        assertThat(cell.connections()).as("every stream had its place back").isEqualTo(1);
    }

    @Test
    void http1Client_uploadRefusedAtOnce_cellStreamIsCancelled_andItsPlaceFreed() throws Exception {
        for (int i = 0; i < REQUESTS; i++) {
            try (Socket socket =
                    new Socket("127.0.0.1", router.server().proxyAddress().getPort())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /whole-early HTTP/1.1\r\nHost: x\r\nx-customer-id: bob\r\n"
                                + "Content-Length: 100\r\n\r\n0123456789")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                String answer = readAnswer(socket.getInputStream());
                assertThat(answer).startsWith("HTTP/1.1 401").contains("denied");
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> cell.resetsReceived() == REQUESTS);
        assertThat(cell.connections()).as("every stream had its place back").isEqualTo(1);
    }

    /** Reads a chunked answer up to its last chunk. */
    private static String readAnswer(InputStream in) throws Exception {
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (!text.toString().endsWith("0\r\n\r\n")) {
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
        }
        return text.toString();
    }
}
