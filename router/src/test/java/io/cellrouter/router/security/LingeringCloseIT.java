package io.cellrouter.router.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.ExternalTools;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the router answers before it has read the whole request (a body over {@code maxBodySize}, a
 * request without identity) and so ends the connection, the client still gets the answer: the
 * router half-closes and drops what the client goes on sending, instead of closing with the
 * client's bytes unread, which makes its kernel reset the connection under the client's upload.
 * The raw clients here send their whole request before they read, far more than the kernels'
 * buffers hold, so without the lingering close their send fails with a reset (each of those tests
 * fails so). curl and the JDK's HttpClient read an early answer while they send and cope either
 * way; their tests show that the staged close does not get in their way. The cells are the test
 * cells of the router extension (acme on cell-1); none of them may see any of it.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a blocked socket write ignores interrupts
class LingeringCloseIT {

    /** More than loopback's socket buffers on both sides hold (a few MiB each). */
    private static final int UPLOAD = 32 * 1024 * 1024;

    private static TestCertificates certs;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.create();
    }

    @RegisterExtension
    final RouterExtension router =
            new RouterExtension().proxy(() -> "  maxBodySize: 1000\n  maxConnections: 1\n" + certs.proxyTlsYaml());

    @Test
    void uploadOverTheBodyLimit_isWhollySent_thenThe413_thenTheEnd() throws Exception {
        try (Socket socket = RawHttp.connect(router.server().proxyAddress(), 10_000)) {
            assertUploadThenAnswer(socket, "x-customer-id: acme\r\n", false, 413);
        }
        assertThat(router.cell("cell-1").requestCount()).isZero();
    }

    /** A chunked body has no length to refuse at the head: it is the missing identity that ends it. */
    @Test
    void chunkedUploadWithoutIdentity_isWhollySent_thenThe401_thenTheEnd() throws Exception {
        try (Socket socket = RawHttp.connect(router.server().proxyAddress(), 10_000)) {
            assertUploadThenAnswer(socket, "", true, 401);
        }
        assertThat(router.cell("cell-1").requestCount()).isZero();
    }

    /**
     * The 401 comes while the router serves a request that waited behind another, not while it
     * reads the client (with epoll the close starts inside that step): reading must be on for the
     * lingering close all the same.
     */
    @Test
    void pipelinedUploadWithoutIdentity_behindAServedRequest_isWhollySent_thenThe401() throws Exception {
        try (Socket socket = RawHttp.connect(router.server().proxyAddress(), 10_000)) {
            RawHttp.write(socket, "GET /slow?ms=200 HTTP/1.1\r\nHost: router\r\nx-customer-id: acme\r\n\r\n");
            upload(socket, "", true);

            InputStream in = socket.getInputStream();
            assertThat(RawHttp.read(in).status()).isEqualTo(200);
            assertAnswerThenEnd(in, 401);
        }
        assertThat(router.cell("cell-1").requestCount()).isEqualTo(1);
    }

    @Test
    void overTls_theClientGetsThe413_andTheEndOfTls() throws Exception {
        InetSocketAddress tls = router.server().tlsAddress();
        try (SSLSocket socket = certs.connectTls(tls)) {
            assertUploadThenAnswer(socket, "x-customer-id: acme\r\n", false, 413);
        }
        assertThat(router.cell("cell-1").requestCount()).isZero();
    }

    /**
     * What curl sees (its {@code Expect: 100-continue} off, so that it sends the body at once): the
     * 413, and a clean exit.
     */
    @Test
    void curl_uploadOverTheLimit_gets413(@TempDir Path dir) throws Exception {
        Path body = Files.write(dir.resolve("body.bin"), new byte[UPLOAD]);
        ExternalTools.Result result = ExternalTools.run(
                dir,
                List.of(
                        ExternalTools.require("curl", "curl").toString(),
                        "-sS",
                        "--http1.1",
                        "-H",
                        "Expect:",
                        "-H",
                        "x-customer-id: acme",
                        "--data-binary",
                        "@" + body,
                        "-o",
                        dir.resolve("answer").toString(),
                        "-w",
                        "RESULT %{http_code}",
                        router.proxy("/upload").toString()));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("RESULT 413");
        assertThat(Files.readString(dir.resolve("answer"))).contains("payload_too_large");
    }

    /** What the JDK's HttpClient sees: the router's answer, not an I/O error. */
    @Test
    void jdkHttpClient_uploadOverTheLimit_gets413() throws Exception {
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(router.proxy("/upload"))
                        .timeout(Duration.ofSeconds(20))
                        .header("x-customer-id", "acme")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[UPLOAD]))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("payload_too_large");
        assertThat(router.cell("cell-1").requestCount()).isZero();
    }

    /**
     * A client that takes its answer and then neither sends nor closes is let go after a quiet
     * while (2 s; LingeringCloseTest times it): with {@code maxConnections: 1}, the next client is
     * then served.
     */
    @Test
    void aClientThatGoesQuiet_isLetGo() throws Exception {
        try (Socket quiet = RawHttp.connect(router.server().proxyAddress(), 10_000)) {
            RawHttp.write(
                    quiet,
                    "POST /upload HTTP/1.1\r\nHost: router\r\nx-customer-id: acme\r\n"
                            + "Content-Length: 5000\r\n\r\n0123456789");
            InputStream in = quiet.getInputStream();
            assertThat(RawHttp.read(in).status()).isEqualTo(413);
            assertThat(in.read()).as("the router's half-close").isEqualTo(-1);

            await().atMost(Duration.ofSeconds(8))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> !refused());
        }
    }

    /** Whether a new connection is closed before it is answered (the connection limit). */
    private boolean refused() throws IOException {
        try (Socket socket = RawHttp.connect(router.server().proxyAddress(), 10_000)) {
            RawHttp.write(socket, "GET /x HTTP/1.1\r\nHost: router\r\nx-customer-id: acme\r\n\r\n");
            try {
                return socket.getInputStream().read() == -1;
            } catch (IOException reset) {
                return true;
            }
        }
    }

    /**
     * Sends a {@link #UPLOAD}-byte POST ({@code chunked} or with its length) in one go, without
     * reading: all of it must go (the router reads and drops it), and then the answer is {@code
     * status}, with {@code Connection: close}, followed by the end of the connection, not a reset.
     */
    /**
     * A drain that begins while a refused upload is still arriving: its exchange has ended, but the
     * connection is still closing in stages, and the drain lets it finish instead of closing it
     * under the client's upload (which would reset it, and the client would lose its 413).
     */
    @Test
    void drain_whileARefusedUploadStillArrives_letsItFinish_thenThe413_thenTheEnd() throws Exception {
        try (Socket socket = RawHttp.connect(router.server().proxyAddress(), 10_000)) {
            OutputStream out = socket.getOutputStream();
            // A declared length far over the limit: refused at the head, the rest read and dropped.
            out.write(("POST /upload HTTP/1.1\r\nHost: router\r\nx-customer-id: acme\r\nContent-Length: " + (1L << 40)
                            + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = new byte[64 * 1024];
            for (int sent = 0; sent < UPLOAD / 8; sent += chunk.length) {
                out.write(chunk); // more than the sockets' buffers: the router has answered and lingers
            }
            CompletableFuture<Boolean> drained =
                    CompletableFuture.supplyAsync(() -> router.server().drainAndStop(Duration.ofSeconds(20)));
            while (router.server().ready()) {
                out.write(chunk); // until the drain has begun (no longer ready)
            }
            for (int sent = 0; sent < UPLOAD; sent += chunk.length) {
                out.write(chunk); // then as much again as the whole upload of the other tests
            }
            out.flush();

            assertAnswerThenEnd(socket.getInputStream(), 413);
            socket.close();
            assertThat(drained.get(20, TimeUnit.SECONDS))
                    .as("the drain ended clean")
                    .isTrue();
        }
    }

    private static void assertUploadThenAnswer(Socket socket, String headers, boolean chunked, int status)
            throws IOException {
        upload(socket, headers, chunked);
        assertAnswerThenEnd(socket.getInputStream(), status);
    }

    private static void upload(Socket socket, String headers, boolean chunked) throws IOException {
        String head = "POST /upload HTTP/1.1\r\nHost: router\r\n" + headers
                + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + UPLOAD + "\r\n") + "\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        byte[] chunk = new byte[64 * 1024];
        byte[] chunkHead = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] crlf = "\r\n".getBytes(StandardCharsets.ISO_8859_1);
        for (int sent = 0; sent < UPLOAD; sent += chunk.length) {
            if (chunked) {
                out.write(chunkHead);
            }
            out.write(chunk);
            if (chunked) {
                out.write(crlf);
            }
        }
        if (chunked) {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.flush();
    }

    private static void assertAnswerThenEnd(InputStream in, int status) throws IOException {
        RawHttp.Response answer = RawHttp.read(in);
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.header("connection")).isEqualToIgnoringCase("close");
        assertThat(in.read()).as("the end of the connection").isEqualTo(-1);
    }
}
