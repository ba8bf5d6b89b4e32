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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One client that reads nothing cannot stall its cell for the other customers, nor make the router
 * hold more than a stream window (64 KiB) for each stream it opens. The router acknowledges a
 * cell's DATA on a stream only once the client has taken it, and the cell connection's own window
 * (4 MiB) as DATA arrives: Mallory's 96 streams, never read, hold 96 stream windows (6 MiB, more
 * than the connection's window), and the streams beside them, new or already under way, go on.
 * Before, the streams shared the connection's window: four unread answers filled it, and the cell
 * could send the streams beside them nothing until {@code proxy.idleTimeout} (60 s) reset
 * Mallory's. The cell is an h2c test cell, new for each test so that its byte count is the test's
 * own; Mallory never reads, Bob reads as usual.
 */
@Timeout(60)
class CellConnectionWindowIT {

    private static final int ANSWER = 2 * 1024 * 1024;
    private static final int WINDOW = 64 * 1024;
    private static final int FRAME = 16 * 1024;
    private static final int MALLORYS_STREAMS = 96;

    private final H2TestCell h2Cell = H2TestCell.started("h2");

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
                    "",
                    r -> "  - name: h2\n    endpoint: h2c://127.0.0.1:" + h2Cell.port() + "\n",
                    "  bob: h2\n  mallory: h2\n")
            // One event loop: both clients' streams draw on the same pool of cell connections.
            .proxy(() -> "  eventLoops: 1\n");

    @AfterEach
    void stopCell() {
        h2Cell.close();
    }

    @Test
    void aClientThatReadsNothing_doesNotStallTheNextCustomersAnswer() throws Exception {
        try (RawH2 mallory = new RawH2(router.server().proxyAddress(), new Http2Settings().initialWindowSize(0))) {
            openMallorysStreams(mallory);
            // Each of Mallory's streams has (nearly) its whole window in the router: a frame the
            // window splits is counted once all of it is sent.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> h2Cell.bigBytesSent() >= (long) MALLORYS_STREAMS * (WINDOW - FRAME));
            int connections = h2Cell.connections();

            try (RawH2 bob = new RawH2(router.server().proxyAddress())) {
                bob.headers(1, H2Client.request("GET", "/x", "x-customer-id", "bob"), true)
                        .flush();

                List<String> answer = bob.readStream(1, 5_000);
                assertThat(answer)
                        .as("Bob's answer, while Mallory holds her windows")
                        .first()
                        .isEqualTo("HEADERS 1 200");
                assertThat(answer).last().asString().matches("DATA 1 \\d+ end");
                assertThat(bob.body(1)).startsWith("cell=h2 connection=" + connections + " ");
                assertThat(h2Cell.connections())
                        .as("Bob's stream went over the connection Mallory's streams hold")
                        .isEqualTo(connections);
            }
            assertThat(h2Cell.bigBytesSent())
                    .as("what the router holds for Mallory: a stream window per stream")
                    .isLessThanOrEqualTo((long) MALLORYS_STREAMS * (WINDOW + FRAME));
        }
    }

    /**
     * The attack on a stream already under way: Bob's download is on the cell connection before
     * Mallory opens her streams, and must go on to its end once Bob reads it.
     */
    @Test
    void aClientThatReadsNothing_doesNotStallAStreamAlreadyBesideIt() throws Exception {
        try (RawH2 bob = new RawH2(router.server().proxyAddress(), new Http2Settings().initialWindowSize(0));
                RawH2 mallory = new RawH2(router.server().proxyAddress(), new Http2Settings().initialWindowSize(0))) {
            // Bob's stream first; the router holds its first window while Bob has not opened his.
            bob.headers(1, H2Client.request("GET", "/big/" + 2 * ANSWER, "x-customer-id", "bob"), true)
                    .flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> h2Cell.bigBytesSent() >= WINDOW - FRAME);

            openMallorysStreams(mallory);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> h2Cell.bigBytesSent() >= (long) (MALLORYS_STREAMS + 1) * (WINDOW - FRAME));

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
            assertThat(h2Cell.bigBytesSent())
                    .as("what the cell could send: Bob's whole answer and a stream window for each of Mallory's")
                    .isLessThanOrEqualTo(2L * ANSWER + (long) MALLORYS_STREAMS * (WINDOW + FRAME));
        }
    }

    private static void openMallorysStreams(RawH2 mallory) throws Exception {
        for (int i = 0; i < MALLORYS_STREAMS; i++) {
            mallory.headers(2 * i + 1, H2Client.request("GET", "/big/" + ANSWER, "x-customer-id", "mallory"), true);
        }
        mallory.flush();
    }
}
