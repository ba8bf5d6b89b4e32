package io.cellrouter.router.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whoever reaches the admin port without a token cannot hold its memory or its connections (README:
 * Admin API and migrations, "Limits of the admin listener"): a request without a valid token is
 * answered 401 on its head, its body never read, and a body to an endpoint that takes none is
 * refused at once; at {@code admin.maxConnections}, the connection idle the longest makes way for a
 * new one, which is refused only when all are busy; a connection idle for {@code
 * admin.requestTimeout} is closed; a request whose head and body take longer than that is answered
 * 408 and closed, however slowly its bytes keep coming.
 */
@Timeout(60)
class AdminExhaustionIT {

    @RegisterExtension
    final RouterExtension router = new RouterExtension().admin(() -> "  maxConnections: 4\n  requestTimeout: 2s");

    private InetSocketAddress admin() {
        return router.server().adminAddress();
    }

    @Test
    void tokenlessWriteWithALargeBody_is401BeforeTheBodyIsSent_andTheConnectionCloses() throws Exception {
        try (Socket socket = RawHttp.connect(admin(), 5_000)) {
            // 65000 bytes announced, 100 sent: the answer can only come from the head.
            RawHttp.write(
                    socket,
                    "POST /admin/v1/customers/acme/move HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 65000\r\n\r\n" + "x".repeat(100));

            RawHttp.Response response = RawHttp.read(socket.getInputStream());

            assertThat(response.status()).isEqualTo(401);
            assertThat(response.header("www-authenticate")).isEqualTo("Bearer");
            assertThat(response.closed()).isTrue();
            assertThat(socket.getInputStream().read())
                    .as("closed after the 401")
                    .isEqualTo(-1);
        }
    }

    @Test
    void wrongTokenWithAChunkedBody_is401BeforeTheBodyIsSent() throws Exception {
        try (Socket socket = RawHttp.connect(admin(), 5_000)) {
            RawHttp.write(
                    socket,
                    "PUT /admin/v1/customers/acme HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer not-the-token\r\n"
                            + "Transfer-Encoding: chunked\r\n\r\n400\r\n" + "x".repeat(100));

            RawHttp.Response response = RawHttp.read(socket.getInputStream());

            assertThat(response.status()).isEqualTo(401);
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void tokenlessRequestWithoutABody_is401_andTheConnectionStaysForTheNext() throws Exception {
        try (Socket socket = RawHttp.connect(admin(), 5_000)) {
            RawHttp.write(socket, "GET /admin/v1/whoami HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(401);

            RawHttp.write(
                    socket,
                    "GET /admin/v1/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + RouterExtension.ADMIN_TOKEN
                            + "\r\n\r\n");
            assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(200);
        }
    }

    /** Every 401, refused on the head or after the whole request, is counted: what a guessing attack shows. */
    @Test
    void refusedTokens_areCounted() throws Exception {
        try (Socket socket = RawHttp.connect(admin(), 5_000)) {
            RawHttp.write(socket, "GET /admin/v1/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer guess\r\n\r\n");
            assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(401);
        }
        try (Socket socket = RawHttp.connect(admin(), 5_000)) {
            RawHttp.write(
                    socket, "POST /admin/v1/customers/acme/move HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
            assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(401);
        }

        assertThat(metrics()).contains("cellrouter_admin_unauthorized_total 2.0");
    }

    /**
     * Idle connections cannot lock out the probes: at the cap, the connection idle the longest is
     * closed for the new one (before: the new one was refused, and a probe failed while anyone held
     * the cap with idle connections).
     */
    @Test
    void idleConnectionsAtTheCap_theOldestIsEvicted_soAProbeIsAnswered() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                Socket socket = RawHttp.connect(admin(), 5_000);
                held.add(socket);
                // Answered: the connection is open, counted and idle on the server.
                RawHttp.write(socket, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(200);
            }

            try (Socket probe = RawHttp.connect(admin(), 5_000)) {
                RawHttp.write(probe, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertThat(RawHttp.read(probe.getInputStream()).status()).isEqualTo(200);
            }
            assertThat(endOrReset(held.get(0).getInputStream()))
                    .as("the oldest idle connection is closed")
                    .isTrue();
            RawHttp.write(held.get(1), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(RawHttp.read(held.get(1).getInputStream()).status())
                    .as("the others stay")
                    .isEqualTo(200);
            assertThat(metrics()).contains("cellrouter_admin_connections_evicted_total 1.0");
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    /**
     * A connection that lingers after a 413 for an authenticated body over the limit (its client
     * still sending) makes way first, before any idle keep-alive connection: before, it held its
     * place until the linger ended, and the oldest idle connection was closed instead. It is not
     * counted as an eviction: it was closing.
     */
    @Test
    void connectionLingeringAfterA413ForAnOversizedBody_isEvictedFirst() throws Exception {
        List<Socket> held = new ArrayList<>();
        Thread dribbler = null;
        try {
            for (int i = 0; i < 3; i++) {
                Socket socket = RawHttp.connect(admin(), 5_000);
                held.add(socket);
                RawHttp.write(socket, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(200);
            }
            Socket uploader = RawHttp.connect(admin(), 5_000);
            held.add(uploader);
            RawHttp.write(
                    uploader,
                    "PUT /admin/v1/customers/acme HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                            + RouterExtension.ADMIN_TOKEN + "\r\nContent-Type: application/json\r\n"
                            + "Connection: close\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1_000));
            RawHttp.Response refused = RawHttp.read(uploader.getInputStream());
            assertThat(refused.status()).isEqualTo(413);
            assertThat(uploader.getInputStream().read())
                    .as("half-closed after the 413: lingering")
                    .isEqualTo(-1);
            dribbler = dribble(uploader); // still sending: the linger goes on
            for (Socket idle : held.subList(0, 3)) {
                // Idle again from now, well within requestTimeout for the rest of the test.
                RawHttp.write(idle, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(RawHttp.read(idle.getInputStream()).status()).isEqualTo(200);
            }

            try (Socket probe = RawHttp.connect(admin(), 5_000)) {
                RawHttp.write(probe, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertThat(RawHttp.read(probe.getInputStream()).status()).isEqualTo(200);
            }
            Thread uploading = dribbler;
            await().atMost(Duration.ofSeconds(5))
                    .alias("the lingering connection is closed: the upload fails")
                    .until(() -> !uploading.isAlive());
            RawHttp.write(held.get(0), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(RawHttp.read(held.get(0).getInputStream()).status())
                    .as("the oldest idle connection stays")
                    .isEqualTo(200);
        } finally {
            if (dribbler != null) {
                dribbler.interrupt();
            }
            for (Socket socket : held) {
                socket.close();
            }
        }
        assertThat(metrics())
                .as("a connection closing anyway is not counted as evicted")
                .contains("cellrouter_admin_connections_evicted_total 0.0");
    }

    /**
     * A request that ends its connection ({@code Connection: close}) is the last one served: a write
     * pipelined behind it is not carried out, though the first answer is written later (the
     * registry's answer comes back on another thread). Before, it was: its answer was then lost to
     * the close.
     */
    @Test
    void writePipelinedBehindARequestThatEndsTheConnection_isNotCarriedOut() throws Exception {
        String auth = "Authorization: Bearer " + RouterExtension.ADMIN_TOKEN + "\r\n";
        String body = "{\"cell\":\"cell-1\"}";
        try (Socket socket = RawHttp.connect(admin(), 5_000)) {
            RawHttp.write(
                    socket,
                    "GET /admin/v1/cells HTTP/1.1\r\nHost: x\r\n" + auth + "Connection: close\r\n\r\n"
                            + "PUT /admin/v1/customers/pipelined HTTP/1.1\r\nHost: x\r\n" + auth
                            + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n"
                            + body);

            RawHttp.Response first = RawHttp.read(socket.getInputStream());
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.closed()).isTrue();
        }
        try (Socket socket = RawHttp.connect(admin(), 5_000)) {
            RawHttp.write(
                    socket,
                    "GET /admin/v1/customers/pipelined HTTP/1.1\r\nHost: x\r\n" + auth + "Connection: close\r\n\r\n");
            assertThat(RawHttp.read(socket.getInputStream()).status())
                    .as("the pipelined PUT was not carried out")
                    .isEqualTo(404);
        }
    }

    /** Connections in the middle of a request are not evicted: the new one is refused, and counted. */
    @Test
    void busyConnectionsAtTheCap_areNotEvicted_theNewOneIsRefused_andCounted() throws Exception {
        String body = "{\"cell\":\"nope\"}";
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                Socket socket = RawHttp.connect(admin(), 5_000);
                held.add(socket);
                RawHttp.write(
                        socket,
                        "PUT /admin/v1/customers/busy" + i + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                                + RouterExtension.ADMIN_TOKEN + "\r\nContent-Type: application/json\r\n"
                                + "Expect: 100-continue\r\nContent-Length: " + body.length() + "\r\n\r\n");
                // 100 Continue: the server has read the head, the request is under way.
                assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(100);
                RawHttp.write(socket, body.substring(0, 5));
            }

            try (Socket fifth = RawHttp.connect(admin(), 5_000)) {
                assertThat(endOrReset(fifth.getInputStream()))
                        .as("closed without an answer")
                        .isTrue();
            }

            RawHttp.write(held.get(0), body.substring(5));
            assertThat(RawHttp.read(held.get(0).getInputStream()).status())
                    .as("a busy connection finishes its request")
                    .isEqualTo(404);
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> assertThat(metrics())
                .contains("cellrouter_admin_connections_refused_total 1.0"));
    }

    @Test
    void connectionThatSendsNothing_isClosedAfterTheRequestTimeout() throws Exception {
        try (Socket silent = RawHttp.connect(admin(), 5_000)) {
            long start = System.nanoTime();
            assertThat(endOrReset(silent.getInputStream())).as("closed").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
    }

    @Test
    void idleKeepAliveConnection_isClosedAfterTheRequestTimeout() throws Exception {
        try (Socket socket = RawHttp.connect(admin(), 5_000)) {
            RawHttp.write(socket, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(200);
            long start = System.nanoTime();
            assertThat(endOrReset(socket.getInputStream())).as("closed").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isGreaterThan(Duration.ofMillis(1_500))
                    .isLessThan(Duration.ofSeconds(4));
        }
    }

    /** A CRLF after a request (which HTTP/1.1 lets a client send) starts no deadline: no 408 comes. */
    @Test
    void strayCrlfAfterARequest_startsNoDeadline_theIdleConnectionClosesQuietly() throws Exception {
        try (Socket socket = RawHttp.connect(admin(), 5_000)) {
            RawHttp.write(socket, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(200);
            RawHttp.write(socket, "\r\n"); // after the answer: a read of its own on the server

            assertThat(socket.getInputStream().read())
                    .as("closed quietly when idle, no 408")
                    .isEqualTo(-1);
        }
    }

    /**
     * A client that uploads its whole body before it reads (as simple clients do) still reads the
     * 401: the connection closes in stages (README: "Answers the router gives itself"), not with a reset.
     */
    @Test
    void tokenlessUploadOfALargeBody_stillReadsThe401() throws Exception {
        try (Socket socket = RawHttp.connect(admin(), 5_000)) {
            byte[] piece = "x".repeat(4096).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            RawHttp.write(
                    socket,
                    "POST /admin/v1/customers/acme/move HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + 15 * piece.length + "\r\n\r\n");
            for (int i = 0; i < 15; i++) {
                Thread.sleep(20); // the pace of an upload, not a wait for a condition
                socket.getOutputStream().write(piece);
                socket.getOutputStream().flush();
            }

            RawHttp.Response response = RawHttp.read(socket.getInputStream());

            assertThat(response.status()).isEqualTo(401);
            assertThat(response.closed()).isTrue();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    /** A body sent to an endpoint that takes none is answered at once, never buffered. */
    @Test
    void bodyToAnEndpointThatTakesNone_isAnsweredAtOnce_andTheConnectionCloses() throws Exception {
        try (Socket socket = RawHttp.connect(admin(), 5_000)) {
            RawHttp.write(
                    socket, "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n" + "x".repeat(100));

            RawHttp.Response response = RawHttp.read(socket.getInputStream());

            assertThat(response.status()).isEqualTo(413);
            assertThat(response.body()).contains("takes no request body");
            assertThat(response.closed()).isTrue();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void clientDribblingItsBody_isAnswered408AtTheDeadline_andClosed() throws Exception {
        try (Socket socket = RawHttp.connect(admin(), 5_000)) {
            RawHttp.write(
                    socket,
                    "PUT /admin/v1/customers/newcomer HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                            + RouterExtension.ADMIN_TOKEN + "\r\nContent-Length: 1000\r\n\r\n{");
            Thread dribbler = dribble(socket);
            long start = System.nanoTime();

            RawHttp.Response response = RawHttp.read(socket.getInputStream());

            assertThat(response.status()).isEqualTo(408);
            assertThat(response.body()).contains("\"error\":\"request_timeout\"");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
            assertThat(endOrReset(socket.getInputStream())).isTrue();
            dribbler.interrupt();
        }
    }

    @Test
    void clientDribblingItsHead_isAnswered408AtTheDeadline() throws Exception {
        try (Socket socket = RawHttp.connect(admin(), 5_000)) {
            RawHttp.write(socket, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
            Thread dribbler = dribble(socket);

            RawHttp.Response response = RawHttp.read(socket.getInputStream());

            assertThat(response.status()).isEqualTo(408);
            assertThat(endOrReset(socket.getInputStream())).isTrue();
            dribbler.interrupt();
        }
    }

    /** Writes one byte every 100 ms (a header line's or a body's) until interrupted or refused. */
    private static Thread dribble(Socket socket) {
        Thread dribbler = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(100); // the pace of the attack, not a wait for a condition
                    RawHttp.write(socket, "X");
                }
            } catch (IOException | InterruptedException e) {
                // closed by the router, or the test is done
            }
        });
        dribbler.setDaemon(true);
        dribbler.start();
        return dribbler;
    }

    /** True when the connection ends (EOF or reset) before anything arrives. */
    private static boolean endOrReset(InputStream in) throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private String metrics() throws Exception {
        try (Socket socket = RawHttp.connect(admin(), 5_000)) {
            RawHttp.write(socket, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            return RawHttp.read(socket.getInputStream()).body();
        }
    }
}
