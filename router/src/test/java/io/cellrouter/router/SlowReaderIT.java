package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellrouter.router.testing.AuditCapture;
import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RawH2;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that stops reading its answer does not hold the cell: once it has taken none of the
 * answer for {@code proxy.idleTimeout} while the router had more for it, the exchange is given up
 * (HTTP/1.1: the connection closes; HTTP/2: the stream is reset), the cell's place in its budget
 * is freed and the access log says why. A client that reads slowly but keeps reading is never cut.
 * The cell is a test cell sending a large download as fast as the router takes it.
 */
@Timeout(60)
class SlowReaderIT {

    private static final long IDLE_MILLIS = 1000;
    private static final String WHY = "the client took none of its answer for " + IDLE_MILLIS + " ms";

    @RegisterExtension
    final RouterExtension router = new RouterExtension().proxy(() -> "  idleTimeout: " + IDLE_MILLIS + "ms\n");

    @RegisterExtension
    final AuditCapture accessLog = AuditCapture.accessLog();

    @Test
    void http1Client_thatStopsReading_givesUpTheCell_andItsConnectionCloses() throws Exception {
        try (Socket socket = smallWindowSocket(router.server().proxyAddress())) {
            RawHttp.write(
                    socket, "GET /download?size=67108864 HTTP/1.1\r\nHost: router\r\nx-customer-id: acme\r\n\r\n");
            awaitInFlight(1);

            // The client reads nothing: the router's writes back up, then its reads of the cell stop.
            awaitInFlight(0);
            assertLoggedAborted("http1");
            assertThat(drainToEnd(socket.getInputStream()))
                    .as("the connection was closed")
                    .isTrue();
        }
    }

    @Test
    void http1Client_thatReadsSlowlyButSteadily_getsTheWholeAnswer() throws Exception {
        long size = 2L * 1024 * 1024;
        try (Socket socket = smallWindowSocket(router.server().proxyAddress())) {
            RawHttp.write(
                    socket,
                    "GET /download?size=" + size + "&chunked=false HTTP/1.1\r\nHost: router\r\n"
                            + "x-customer-id: acme\r\nConnection: close\r\n\r\n");
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            boolean ended = false;
            // 64 KiB every 150 ms: slower than the router could send, never a second without a read.
            while (!ended) {
                int taken = 0;
                while (taken < buffer.length) {
                    int n = in.read(buffer, taken, buffer.length - taken);
                    if (n < 0) {
                        ended = true;
                        break;
                    }
                    taken += n;
                }
                total += taken;
                Thread.sleep(150);
            }
            String head = "HTTP/1.1 200 OK";
            assertThat(total).as("head and the whole body").isGreaterThan(size + head.length());
        }
        assertThat(accessLog.jsonLines())
                .noneMatch(l -> "aborted".equals(l.path("error").asText()));
    }

    @Test
    void http2Client_whoseWindowStaysClosed_hasItsStreamReset_afterReadingSlowlyForAWhile() throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.headers(1, H2Client.request("GET", "/download?size=67108864", "x-customer-id", "acme"), true)
                    .flush();
            // Reads slowly for a while: a window's worth, then more room 600 ms later (under the
            // idle timeout), five times. The stream is not cut for that.
            long received = 0;
            for (int i = 0; i < 5; i++) {
                long before = received;
                raw.readUntil(events -> dataBytes(events) >= before + 65_535, 10_000);
                received = dataBytes(raw.events());
                assertThat(raw.events()).noneMatch(e -> e.startsWith("RST 1"));
                // The pause is the point of the test: nothing to await but the clock.
                Thread.sleep(600);
                raw.windowUpdate(0, (int) (received - before))
                        .windowUpdate(1, (int) (received - before))
                        .flush();
            }
            awaitInFlight(1);

            // Then it stops making room: the stream is reset a timeout later, the connection stays.
            boolean reset = raw.readUntil(events -> events.stream().anyMatch(e -> e.startsWith("RST 1")), 10_000);
            assertThat(reset)
                    .as(String.valueOf(raw.events()
                            .subList(
                                    Math.max(0, raw.events().size() - 3),
                                    raw.events().size())))
                    .isTrue();
            assertThat(raw.events()).noneMatch(e -> e.startsWith("GOAWAY"));
        }
        awaitInFlight(0);
        assertLoggedAborted("h2");
    }

    private void awaitInFlight(int requests) {
        await().atMost(Duration.ofSeconds(15))
                .until(() -> router.server().bulkheads().inFlight("cell-1") == requests);
    }

    private void assertLoggedAborted(String protocol) {
        JsonNode line =
                accessLog.awaitLine(l -> "aborted".equals(l.path("error").asText()));
        assertThat(line.path("protocol").asText()).isEqualTo(protocol);
        assertThat(line.path("detail").asText()).isEqualTo(WHY);
    }

    /** The DATA bytes of stream 1 among {@code events}. */
    private static long dataBytes(List<String> events) {
        return events.stream()
                .filter(e -> e.startsWith("DATA 1 "))
                .mapToLong(e -> Long.parseLong(e.split(" ")[2]))
                .sum();
    }

    /** A client socket with a small receive buffer, so that the router feels a client that stops reading soon. */
    private static Socket smallWindowSocket(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(address, 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Reads what is left until the end of the stream: true at the end, false when reading timed out. */
    private static boolean drainToEnd(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        try {
            while (in.read(buffer) >= 0) {
                // what the router had sent before it gave up
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true; // closed with a reset: the end too
        }
    }
}
