package io.cellrouter.router.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.H2TestCell;
import io.cellrouter.router.testing.RawH2;
import io.cellrouter.router.testing.RouterExtension;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What an HTTP/2 client can do at the edge, beyond what Netty's codec refuses:
 * <ul>
 *   <li>the {@code :path} a cell receives is the one the router routed on (dot segments
 *       resolved), as an HTTP/1.1 request's target is;
 *   <li>{@code :authority} and {@code host} are each a host and a port, and name the same host;
 *   <li>a client that never opens its window does not keep its streams, and what they hold, for
 *       ever: a stream whose answer it takes none of is reset (CANCEL) after {@code
 *       proxy.idleTimeout}, whether the answer is a cell's or the router's own;
 *   <li>a cell that accepts the connection but never speaks HTTP/2 costs its streams {@code
 *       upstream.connectTimeout}, then a 502, not a wait without end.
 * </ul>
 * Alice lives on an HTTP/1.1 test cell, Bob on an h2c test cell that records the heads it reads,
 * Carol on a "mute" cell: a socket that accepts and never writes a byte.
 */
@Timeout(60)
class Http2EdgeIT {

    private static final long IDLE_MILLIS = 1000;

    private static H2TestCell h2Cell;
    private static ServerSocket muteCell;
    private static final List<Socket> muteConnections = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startCells() throws Exception {
        h2Cell = new H2TestCell("h2");
        muteCell = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accepter = new Thread(() -> {
            try {
                while (true) {
                    muteConnections.add(muteCell.accept()); // held open, never written to
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
        accepter.setDaemon(true);
        accepter.start();
    }

    @AfterAll
    static void stopCells() throws IOException {
        h2Cell.close();
        muteCell.close();
        for (Socket socket : muteConnections) {
            socket.close();
        }
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
                    "",
                    r -> "  - name: h2\n    endpoint: h2c://127.0.0.1:" + h2Cell.port()
                            + "\n  - name: mute\n    endpoint: h2c://127.0.0.1:" + muteCell.getLocalPort() + "\n",
                    "  alice: cell-1\n  bob: h2\n  carol: mute\n")
            .proxy(() -> "  idleTimeout: " + IDLE_MILLIS + "ms\n  upstream:\n    connectTimeout: 500ms\n");

    @Test
    void pathIdentity_theH2CellReceivesTheNormalisedPath() throws Exception {
        int before = h2Cell.receivedHeads().size();
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.headers(1, H2Client.request("GET", "/v1/customers/alice/../../customers/bob/x?q=1"), true)
                    .flush();

            assertThat(raw.readStream(1, 10_000)).first().isEqualTo("HEADERS 1 200");
        }
        List<Http2Headers> heads = h2Cell.receivedHeads();
        assertThat(heads).hasSize(before + 1);
        assertThat(heads.get(before).path().toString()).isEqualTo("/v1/customers/bob/x?q=1");
    }

    @ParameterizedTest(name = "[{index}] :authority {0}, host {1}")
    @CsvSource({
        "'a.example:x@b.example', ''",
        "'a.example/b', ''",
        "'a.example', 'b.example'",
        "'a.example', 'a.example:x@b.example'",
        "'example.com:99999', ''",
        "'example.com:65536', 'example.com:65536'",
        "'[::1]:65536', ''"
    })
    void authorityOrHostThatIsNotOneHost_is400_andNothingReachesTheCell(String authority, String host)
            throws Exception {
        int before = h2Cell.streams();
        Http2Headers request =
                H2Client.request("GET", "/x", "x-customer-id", "bob").authority(authority);
        if (!host.isEmpty()) {
            request.add("host", host);
        }
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.headers(1, request, true).flush();

            assertThat(raw.readStream(1, 10_000)).first().isEqualTo("HEADERS 1 400");
            assertThat(raw.body(1)).contains("malformed_request");
        }
        assertThat(h2Cell.streams()).isEqualTo(before);
    }

    /**
     * RFC 9113 section 8.3.1: an http request names its authority in one of the two, or leaves
     * both out; never empty. An empty {@code :authority} is refused while the header block is
     * decoded (the stream is reset), an empty {@code host} after it (400).
     */
    @ParameterizedTest(name = "[{index}] empty {0}")
    @CsvSource({":authority, RST 1 1", "host, HEADERS 1 400"})
    void anEmptyAuthorityOrHost_isRefused_andNothingReachesTheCell(String field, String answer) throws Exception {
        int before = h2Cell.streams();
        Http2Headers request = new DefaultHttp2Headers(false) // unchecked: the client's own would refuse it
                .method("GET")
                .path("/x")
                .scheme("http")
                .add("x-customer-id", "bob")
                .add(field, "");
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.headers(1, request, true).flush();

            assertThat(raw.readStream(1, 10_000)).first().isEqualTo(answer);
        }
        assertThat(h2Cell.streams()).isEqualTo(before);
    }

    /** Bob's cell speaks h2c, Alice's HTTP/1.1: the latter gets one Host field, not the two Netty's conversion makes. */
    @Test
    void sameHostInAuthorityAndHost_isServed_withOneHostForAnHttp11Cell() throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            for (String customer : List.of("bob", "alice")) {
                raw.headers(
                                customer.equals("bob") ? 1 : 3,
                                H2Client.request("GET", "/x", "x-customer-id", customer)
                                        .authority("a.example:8443")
                                        .add("host", "A.example:8443"),
                                true)
                        .flush();
            }

            assertThat(raw.readStream(1, 10_000)).first().isEqualTo("HEADERS 1 200");
            assertThat(raw.readStream(3, 10_000)).first().isEqualTo("HEADERS 3 200");
        }
        List<io.netty.handler.codec.http.HttpHeaders> received =
                router.cell("cell-1").receivedHeaders();
        assertThat(received.get(received.size() - 1).getAll("host")).containsExactly("a.example:8443");
    }

    /**
     * Stream 1 is answered by an h2c cell, 3 by an HTTP/1.1 cell, 5 by the router itself (404): the
     * client's window is 0, so no DATA of any answer can go, and each stream is reset once the
     * client has taken none of it for the idle timeout. Before, the answers stayed queued and the
     * streams open for as long as the client kept its connection.
     */
    @Test
    void clientThatNeverOpensItsWindow_getsEachStreamReset_afterTheIdleTimeout() throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress(), new Http2Settings().initialWindowSize(0))) {
            raw.headers(1, H2Client.request("GET", "/x", "x-customer-id", "bob"), true)
                    .headers(3, H2Client.request("GET", "/x", "x-customer-id", "alice"), true)
                    .headers(5, H2Client.request("GET", "/x", "x-customer-id", "nobody"), true)
                    .flush();

            boolean allReset =
                    raw.readUntil(events -> events.containsAll(List.of("RST 1 8", "RST 3 8", "RST 5 8")), 10_000);

            assertThat(allReset)
                    .as("every stream reset with CANCEL; events: %s", raw.events())
                    .isTrue();
            assertThat(raw.events()).contains("HEADERS 1 200", "HEADERS 3 200", "HEADERS 5 404");
            assertThat(raw.events()).noneMatch(e -> e.startsWith("DATA"));
        }
    }

    @Test
    void cellThatNeverSendsSettings_is502_withinTheConnectTimeout() throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.headers(1, H2Client.request("GET", "/x", "x-customer-id", "carol"), true)
                    .flush();

            assertThat(raw.readStream(1, 10_000)).first().isEqualTo("HEADERS 1 502");
            assertThat(raw.body(1)).contains("cell_unreachable");
        }
        assertThat(muteConnections).isNotEmpty();
    }

    /**
     * 20,000 one-byte DATA frames: every byte reaches the cell, in order, but not as 20,000 parts
     * (an HTTP/1.1 cell reads each part the router sends as a chunk of its own). The router joins a
     * read's small frames per stream, so that a window's worth of tiny frames is not a million
     * buffers held for a slow cell.
     */
    @ParameterizedTest(name = "{0}''s cell")
    @CsvSource({"bob", "alice"})
    void tinyDataFrames_reachTheCellWhole_joined(String customer) throws Exception {
        int frames = 20_000;
        int partsBefore = router.cell("cell-1").bodyPartCount();
        byte[] body = new byte[frames];
        for (int i = 0; i < frames; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.headers(1, H2Client.request("POST", "/upload", "x-customer-id", customer), false);
            for (int i = 0; i < frames; i++) {
                raw.data(1, new byte[] {body[i]}, false);
            }
            raw.data(1, new byte[0], true).flush();

            assertThat(raw.readStream(1, 20_000)).first().isEqualTo("HEADERS 1 200");
            if (customer.equals("bob")) {
                // Netty's flow controller merges what one flush writes to an h2 cell: only the bytes tell.
                assertThat(raw.body(1)).contains("bytes=" + frames);
            } else {
                // Each part the router sends an HTTP/1.1 cell is a chunk of its own on the wire.
                assertThat(router.cell("cell-1").bodyPartCount() - partsBefore)
                        .as("body parts the cell read")
                        .isLessThan(frames / 10);
                assertThat(raw.body(1))
                        .contains("\"bytes\":" + frames)
                        .contains("\"sha256\":\""
                                + HexFormat.of()
                                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                                .digest(body))
                                + "\"");
            }
        }
    }
}
