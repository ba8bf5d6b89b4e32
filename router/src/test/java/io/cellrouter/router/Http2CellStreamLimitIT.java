package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.H2TestCell;
import io.cellrouter.router.testing.RawH2;
import io.cellrouter.router.testing.RouterExtension;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A cell that allows fewer streams than the router assumes before its SETTINGS arrive (100): the
 * streams of a first burst beyond its limit cannot be opened on that connection. They are sent
 * once more (the cell never saw them), now on connections that take only as many streams as the
 * cell's SETTINGS allowed, so every request of the burst is answered; before, those that landed on
 * the second new connection over its limit too were answered 502. And they must not count against a
 * connection for ever: before, each such stream stayed counted as open, so the connection looked
 * full, was never chosen again and never closed when idle. The cell allows 2 streams; the router
 * has one event loop, so every stream draws on one pool.
 */
@Timeout(60)
class Http2CellStreamLimitIT {

    private static H2TestCell cell;

    @BeforeAll
    static void start() throws Exception {
        cell = new H2TestCell("narrow", 2);
    }

    @AfterAll
    static void stop() {
        cell.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
                    "", r -> "  - name: narrow\n    endpoint: h2c://127.0.0.1:" + cell.port() + "\n", "  bob: narrow\n")
            .proxy(() -> "  eventLoops: 1\n");

    @Test
    void streamsOverTheCellsLimit_doNotLeaveItsConnectionLookingFull() throws Exception {
        int before = cell.connections(); // the cell serves every test of the class
        try (RawH2 burst = new RawH2(router.server().proxyAddress())) {
            for (int stream = 1; stream <= 19; stream += 2) {
                burst.headers(stream, H2Client.request("GET", "/x", "x-customer-id", "bob"), true);
            }
            burst.flush();
            burst.readUntil(
                    events -> events.stream()
                                    .filter(e -> e.matches("(DATA \\d+ .*end|RST \\d+ .*)"))
                                    .count()
                            == 10,
                    10_000);
            assertThat(burst.events())
                    .as("every request of the burst is answered by the cell, none reset")
                    .filteredOn(e -> e.matches("(HEADERS|RST) \\d+ .*"))
                    .hasSize(10)
                    .allMatch(e -> e.matches("HEADERS \\d+ 200"));
        }
        assertThat(cell.connections() - before)
                .as("the first connection's 2 streams, then 2 of the 8 sent once more on each new one")
                .isEqualTo(5);
        int connections = cell.connections();

        try (RawH2 later = new RawH2(router.server().proxyAddress())) {
            later.headers(1, H2Client.request("GET", "/x", "x-customer-id", "bob"), true)
                    .flush();

            List<String> answer = later.readStream(1, 10_000);
            assertThat(answer).first().isEqualTo("HEADERS 1 200");
        }
        assertThat(cell.connections())
                .as("the later request went over a connection the burst opened")
                .isEqualTo(connections);
    }

    /**
     * Uploads held while the connection was getting ready (100 KiB each, more than a replay keeps):
     * those the cell's limit refuses as their heads are written are sent once more with their whole
     * bodies. Before, what was held went to the refused stream, so the resent request arrived
     * without its body (or without its start).
     */
    @Test
    void uploadsOverTheCellsLimit_areSentOnceMore_withTheirWholeBodies() throws Exception {
        int size = 100 * 1024;
        cell.stayQuiet(); // the first connection is not ready until every upload is held
        try (RawH2 burst = new RawH2(router.server().proxyAddress())) {
            // The router's stream window (larger than an upload) applies once its SETTINGS are acknowledged.
            assertThat(burst.readUntil(events -> events.stream().anyMatch(e -> e.startsWith("SETTINGS")), 5000))
                    .isTrue();
            burst.settingsAck();
            for (int stream = 1; stream <= 19; stream += 2) {
                burst.headers(stream, H2Client.request("POST", "/upload", "x-customer-id", "bob"), false)
                        .data(stream, new byte[size], true);
            }
            burst.ping(7).flush();
            // The router answers the PING after it has read (and held) every frame sent before it.
            assertThat(burst.readUntil(events -> events.contains("PING_ACK 7"), 10_000))
                    .isTrue();
            cell.speak();

            burst.readUntil(
                    events -> events.stream()
                                    .filter(e -> e.matches("(DATA \\d+ .*end|RST \\d+ .*)"))
                                    .count()
                            == 10,
                    20_000);
            for (int stream = 1; stream <= 19; stream += 2) {
                assertThat(burst.stream(stream))
                        .as("stream %d: %s", stream, burst.body(stream))
                        .first()
                        .isEqualTo("HEADERS " + stream + " 200");
                assertThat(burst.body(stream)).as("stream " + stream).endsWith(" bytes=" + size);
            }
        } finally {
            cell.speak();
        }
        assertThat(cell.connections())
                .as("some uploads were refused on the first connection")
                .isGreaterThan(1);
    }
}
