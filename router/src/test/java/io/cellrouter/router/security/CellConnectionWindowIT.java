package io.cellrouter.router.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.H2TestCell;
import io.cellrouter.router.testing.RawH2;
import io.cellrouter.router.testing.RouterExtension;
import io.netty.handler.codec.http2.Http2Settings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One client that reads nothing cannot stall its cell for the other customers. The router
 * acknowledges a cell's DATA on a stream only once the client has taken it, so each of Mallory's
 * streams holds at most its window (1 MiB) inside the router; the cell connection's own window is
 * acknowledged as DATA arrives, so Mallory's streams cannot use it up for the streams beside
 * theirs, new or already under way. The cell is an h2c test cell; Mallory never reads, Bob reads
 * as usual.
 */
@Timeout(60)
class CellConnectionWindowIT {

    private static final int ANSWER = 2 * 1024 * 1024;

    private static H2TestCell h2Cell;

    @BeforeAll
    static void startCell() throws Exception {
        h2Cell = new H2TestCell("h2");
    }

    @AfterAll
    static void stopCell() {
        h2Cell.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
                    "",
                    r -> "  - name: h2\n    endpoint: h2c://127.0.0.1:" + h2Cell.port() + "\n",
                    "  bob: h2\n  mallory: h2\n")
            // One event loop: both clients' streams draw on the same pool of cell connections.
            .proxy(() -> "  eventLoops: 1\n");

    @Test
    void aClientThatReadsNothing_doesNotStallTheNextCustomersAnswer() throws Exception {
        long before = h2Cell.bigBytesSent();
        try (RawH2 mallory = new RawH2(router.server().proxyAddress(), new Http2Settings().initialWindowSize(0))) {
            for (int stream = 1; stream <= 9; stream += 2) {
                mallory.headers(stream, H2Client.request("GET", "/big/" + ANSWER, "x-customer-id", "mallory"), true);
            }
            mallory.flush();
            // The cell has sent at least the connection's window (4 MiB) for Mallory (a frame the
            // window split counts once all of it is sent: up to 16 KiB a stream short).
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> h2Cell.bigBytesSent() - before >= 4L * 1024 * 1024 - 4 * 16 * 1024);

            int connections = h2Cell.connections();
            try (RawH2 bob = new RawH2(router.server().proxyAddress())) {
                bob.headers(1, H2Client.request("GET", "/x", "x-customer-id", "bob"), true)
                        .flush();

                List<String> answer = bob.readStream(1, 5_000);
                assertThat(answer)
                        .as("Bob's answer, while Mallory holds the window")
                        .first()
                        .isEqualTo("HEADERS 1 200");
                assertThat(answer).last().asString().matches("DATA 1 \\d+ end");
                assertThat(bob.body(1)).startsWith("cell=h2 connection=" + connections + " ");
                assertThat(h2Cell.connections())
                        .as("Bob's stream went over the connection Mallory's streams hold")
                        .isEqualTo(connections);
            }
        }
    }

    /**
     * The attack on a stream already under way: Bob's download is on the cell connection before
     * Mallory opens five downloads she never reads. Each of Mallory's streams fills its own window
     * (1 MiB) inside the router, and no more; Bob's stream must go on to its end. Before, the
     * streams shared the connection's window (4 MiB): with it full of Mallory's bytes the cell
     * could send Bob nothing until {@code proxy.idleTimeout} (60 s) reset Mallory's streams.
     */
    @Test
    void aClientThatReadsNothing_doesNotStallAStreamAlreadyBesideIt() throws Exception {
        long before = h2Cell.bigBytesSent();
        try (RawH2 bob = new RawH2(router.server().proxyAddress(), new Http2Settings().initialWindowSize(0));
                RawH2 mallory = new RawH2(router.server().proxyAddress(), new Http2Settings().initialWindowSize(0))) {
            // Bob's stream first; the router holds its first window while Bob has not opened his.
            bob.headers(1, H2Client.request("GET", "/big/" + 2 * ANSWER, "x-customer-id", "bob"), true)
                    .flush();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> h2Cell.bigBytesSent() - before >= 1024 * 1024 - 16 * 1024);

            for (int stream = 1; stream <= 9; stream += 2) {
                mallory.headers(stream, H2Client.request("GET", "/big/" + ANSWER, "x-customer-id", "mallory"), true);
            }
            mallory.flush();
            // As much as the connection's window let go, at the least: Bob's 1 MiB and 3 of Mallory's.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> h2Cell.bigBytesSent() - before >= 4L * 1024 * 1024 - 6 * 16 * 1024);

            // Bob now takes his answer as fast as it comes; Mallory still reads nothing.
            bob.windowUpdate(0, Integer.MAX_VALUE - 65_535)
                    .windowUpdate(1, Integer.MAX_VALUE)
                    .flush();
            List<String> answer = bob.readStream(1, 15_000);
            assertThat(answer)
                    .as("Bob's stream, while Mallory holds her windows")
                    .last()
                    .asString()
                    .matches("DATA 1 \\d+ end");
            assertThat(bob.body(1)).hasSize(2 * ANSWER);
            assertThat(h2Cell.bigBytesSent() - before)
                    .as("what the cell could send: Bob's whole answer and a stream window for each of Mallory's")
                    .isLessThanOrEqualTo(2L * ANSWER + 5 * (1024 * 1024 + 16 * 1024));
            assertThat(mallory.events()).noneMatch(e -> e.startsWith("RST") || e.startsWith("GOAWAY"));
        }
    }
}
