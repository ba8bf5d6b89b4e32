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
 * acknowledges a cell's DATA only once the client has taken it, so a client that never opens its
 * window leaves the cell connection's window (4 MiB) full after four large answers. The streams
 * already on that connection wait with it (until {@code proxy.idleTimeout} resets the reader's);
 * new streams go to another connection. The cell is an h2c test cell; Mallory never reads, Bob
 * reads as usual.
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
            // The cell has filled the connection's window: 4 MiB the router holds for Mallory (a
            // frame the window split counts once all of it is sent: up to 16 KiB a stream short).
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> h2Cell.bigBytesSent() - before >= 4L * 1024 * 1024 - 4 * 16 * 1024);

            try (RawH2 bob = new RawH2(router.server().proxyAddress())) {
                bob.headers(1, H2Client.request("GET", "/x", "x-customer-id", "bob"), true)
                        .flush();

                List<String> answer = bob.readStream(1, 5_000);
                assertThat(answer)
                        .as("Bob's answer, while Mallory holds the window")
                        .first()
                        .isEqualTo("HEADERS 1 200");
                assertThat(answer).last().asString().matches("DATA 1 \\d+ end");
                assertThat(bob.body(1)).startsWith("cell=h2 connection=2 ");
            }
        }
    }
}
