package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RawH2;
import io.cellrouter.router.testing.RouterExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HTTP/2 edge limits against a client that ignores them (README: Configuration). */
class Http2LimitsIT {

    @RegisterExtension
    final RouterExtension router = new RouterExtension()
            .proxy(() -> "  requestHeaderTimeout: 500ms\n  http2:\n    maxConcurrentStreams: 2\n"
                    + "  upstream:\n    connectTimeout: 1s\n");

    @Test
    void advertisesMaxConcurrentStreams_andRefusesTheStreamOverIt() throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.readUntil(e -> e.stream().anyMatch(s -> s.startsWith("SETTINGS")), 5000);
            assertThat(raw.events().get(0)).contains("MAX_CONCURRENT_STREAMS=2");

            // Two streams that stay open (no END_STREAM: the cell waits for their bodies), then one more.
            raw.headers(1, H2Client.request("POST", "/a", "x-customer-id", "acme"), false)
                    .headers(3, H2Client.request("POST", "/b", "x-customer-id", "acme"), false)
                    .headers(5, H2Client.request("POST", "/c", "x-customer-id", "acme"), false)
                    .flush();

            assertThat(raw.readUntil(e -> e.contains("RST 5 7"), 5000))
                    .as(raw.events().toString())
                    .isTrue();
            assertThat(raw.closed()).isFalse();
        }
    }

    /**
     * A client that opens more streams than the router allows, each with a body (as a client may in
     * its first flight, before it has the router's SETTINGS), gets the extra ones refused and the
     * others answered: before, the refused stream's DATA was taken for a frame on a stream that
     * never existed, and the connection ended with every stream on it. {@code sameWrite}: the DATA
     * comes in the same read as the HEADERS, or after the client saw the refusal.
     */
    @ParameterizedTest(name = "DATA in the same write: {0}")
    @ValueSource(booleans = {true, false})
    void refusedStreamsWithBodies_areRefusedAlone_andTheOthersAreAnswered(boolean sameWrite) throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.readUntil(e -> e.stream().anyMatch(s -> s.startsWith("SETTINGS")), 5000);
            for (int stream = 1; stream <= 7; stream += 2) {
                raw.headers(stream, H2Client.request("POST", "/p" + stream, "x-customer-id", "acme"), false);
            }
            if (!sameWrite) {
                raw.flush();
                assertThat(raw.readUntil(e -> e.contains("RST 5 7") && e.contains("RST 7 7"), 5000))
                        .as(raw.events().toString())
                        .isTrue();
            }
            for (int stream = 1; stream <= 7; stream += 2) {
                raw.data(stream, new byte[100], true);
            }
            raw.flush();

            for (int stream = 1; stream <= 3; stream += 2) {
                assertThat(raw.readStream(stream, 10_000))
                        .as(raw.events().toString())
                        .first()
                        .isEqualTo("HEADERS " + stream + " 200");
            }
            assertThat(raw.events()).contains("RST 5 7", "RST 7 7");
            raw.headers(9, H2Client.request("GET", "/after", "x-customer-id", "acme"), true)
                    .flush();
            assertThat(raw.readStream(9, 10_000)).first().isEqualTo("HEADERS 9 200");
            assertThat(raw.events()).noneMatch(e -> e.startsWith("GOAWAY"));
            assertThat(raw.closed()).isFalse();
        }
        assertThat(router.cell("cell-1").requestCount())
                .as("streams 1, 3 and 9 only")
                .isEqualTo(3);
    }

    /**
     * A stream refused while its header block was decoded is created only to be reset (so that its
     * DATA is not a connection error): it must give its slot back, or a client's malformed
     * requests would use up its connection's streams.
     */
    @Test
    void malformedStreams_doNotKeepTheirSlots() throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            for (int stream = 1; stream <= 9; stream += 2) {
                raw.headers(
                                stream,
                                H2Client.request("POST", "/a", "x-customer-id", "acme")
                                        .add("connection", "x"),
                                false)
                        .data(stream, new byte[3], true)
                        .flush();
                String reset = "RST " + stream + " 1";
                assertThat(raw.readUntil(e -> e.contains(reset), 5000))
                        .as(raw.events().toString())
                        .isTrue();
            }

            raw.headers(11, H2Client.request("GET", "/fine", "x-customer-id", "acme"), true)
                    .flush();

            assertThat(raw.readStream(11, 5000))
                    .as(raw.events().toString())
                    .first()
                    .isEqualTo("HEADERS 11 200");
            assertThat(raw.events()).noneMatch(e -> e.startsWith("GOAWAY"));
        }
        assertThat(router.cell("cell-1").requestCount()).isEqualTo(1);
    }

    /**
     * An HTTP/2 header block that never ends gets RST_STREAM and GOAWAY, then the close: on io_uring
     * the frames were dropped (the connection closed with their write still pending) and the client
     * saw only the close.
     */
    @Test
    void http2HeaderBlockThatNeverEnds_getsResetAndGoAway_thenTheClose() throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.readUntil(e -> e.stream().anyMatch(x -> x.startsWith("SETTINGS")), 5000);
            // HEADERS on stream 1 without END_HEADERS: 3 bytes of a block, and never the rest.
            raw.raw(new byte[] {0, 0, 3, 0x1, 0, 0, 0, 0, 1, 1, 2, 3});

            assertThat(raw.readUntil(e -> e.stream().anyMatch(x -> x.startsWith("GOAWAY")), 5000))
                    .as(raw.events().toString())
                    .isTrue();
            assertThat(raw.events()).contains("RST 1 8", "GOAWAY 0 last=0");
            // A stream opened after the GOAWAY goes nowhere, and brings no second GOAWAY.
            raw.headers(3, H2Client.request("GET", "/late", "x-customer-id", "acme"), true);
            try {
                raw.flush();
            } catch (java.io.IOException closedMeanwhile) {
                // the router may have closed already: nothing of it arrived
            }
            raw.readUntil(e -> false, 3000);
            assertThat(raw.events().stream().filter(e -> e.startsWith("GOAWAY")))
                    .as(raw.events().toString())
                    .hasSize(1);
            assertThat(raw.closed()).as("closed after the GOAWAY").isTrue();
        }
        assertThat(router.cell("cell-1").requestCount()).isZero();
    }

    @Test
    void rapidReset_endsTheAbusiveConnection_healthyConnectionsKeepWorking() throws Exception {
        try (RawH2 attacker = new RawH2(router.server().proxyAddress());
                H2Client healthy = new H2Client(router.server().proxyAddress())) {
            // All 400 open-and-reset pairs in one write (about 25 KB): the router reads them before
            // it ends the connection, so its GOAWAY is not lost to a reset of unread bytes.
            for (int i = 0; i < 400; i++) {
                int stream = 2 * i + 1;
                attacker.headers(stream, H2Client.request("GET", "/r", "x-customer-id", "acme"), true)
                        .reset(stream, 8);
            }
            attacker.flush();

            assertThat(attacker.readUntil(e -> e.stream().anyMatch(s -> s.startsWith("GOAWAY 11 ")), 10_000))
                    .as(attacker.events().toString())
                    .isTrue();
            attacker.readUntil(e -> false, 2000);
            assertThat(attacker.closed()).isTrue();

            H2Client.Response response = healthy.send(H2Client.request("GET", "/fine", "x-customer-id", "globex"), null)
                    .get(10, TimeUnit.SECONDS);
            assertThat(response.status()).isEqualTo("200");
        }
    }
}
