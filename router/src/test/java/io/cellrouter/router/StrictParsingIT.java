package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Strict HTTP/1.1 at the edge (RFC 9112): every malformed request is answered with its status,
 * the connection is closed, and the cell receives nothing. Each case is sent in one write, the
 * way a smuggling attempt would be.
 */
class StrictParsingIT {

    @RegisterExtension
    final RouterExtension router = new RouterExtension()
            .proxy(() -> "  maxBodySize: 1000\n  maxHeaderCount: 20\n  upstream:\n    connectTimeout: 1s\n");

    static final String OK_HEAD = "x-customer-id: acme\r\nHost: a\r\n";

    /** The fields of an h2c Upgrade request: such a request is checked like any other before it is upgraded. */
    static final String H2C_UPGRADE =
            "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n";

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of(
                        "h2c upgrade with two Host headers",
                        "GET / HTTP/1.1\r\nx-customer-id: acme\r\nHost: acme.example\r\nHost: globex.example\r\n"
                                + H2C_UPGRADE + "\r\n",
                        400),
                Arguments.of(
                        "h2c upgrade with an absolute target naming another host than Host",
                        "GET http://globex.example/ HTTP/1.1\r\nx-customer-id: acme\r\nHost: acme.example\r\n"
                                + H2C_UPGRADE + "\r\n",
                        400),
                Arguments.of(
                        "h2c upgrade with userinfo in Host",
                        "GET / HTTP/1.1\r\nx-customer-id: acme\r\nHost: a.example:x@b.example\r\n" + H2C_UPGRADE
                                + "\r\n",
                        400),
                Arguments.of(
                        "h2c upgrade with a port over 65535 in Host",
                        "GET / HTTP/1.1\r\nx-customer-id: acme\r\nHost: example.com:99999\r\n" + H2C_UPGRADE + "\r\n",
                        400),
                Arguments.of(
                        "h2c upgrade without Host",
                        "GET / HTTP/1.1\r\nx-customer-id: acme\r\n" + H2C_UPGRADE + "\r\n",
                        400),
                Arguments.of(
                        "content-length and transfer-encoding",
                        "POST / HTTP/1.1\r\n" + OK_HEAD
                                + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        400),
                Arguments.of(
                        "transfer-encoding gzip, chunked",
                        "POST / HTTP/1.1\r\n" + OK_HEAD + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                        400),
                Arguments.of(
                        "transfer-encoding identity",
                        "POST / HTTP/1.1\r\n" + OK_HEAD + "Transfer-Encoding: identity\r\n\r\nGET / HTTP/1.1\r\n\r\n",
                        400),
                Arguments.of(
                        "transfer-encoding chunked twice",
                        "POST / HTTP/1.1\r\n" + OK_HEAD
                                + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        400),
                Arguments.of(
                        "transfer-encoding on HTTP/1.0",
                        "POST / HTTP/1.0\r\n" + OK_HEAD + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        400),
                Arguments.of(
                        "content-length list", "POST / HTTP/1.1\r\n" + OK_HEAD + "Content-Length: 1, 2\r\n\r\nab", 400),
                Arguments.of(
                        "content-length duplicate",
                        "POST / HTTP/1.1\r\n" + OK_HEAD + "Content-Length: 2\r\nContent-Length: 2\r\n\r\nab",
                        400),
                Arguments.of(
                        "content-length with sign",
                        "POST / HTTP/1.1\r\n" + OK_HEAD + "Content-Length: +2\r\n\r\nab",
                        400),
                Arguments.of(
                        "content-length negative",
                        "POST / HTTP/1.1\r\n" + OK_HEAD + "Content-Length: -2\r\n\r\nab",
                        400),
                Arguments.of(
                        "content-length hex", "POST / HTTP/1.1\r\n" + OK_HEAD + "Content-Length: 0x2\r\n\r\nab", 400),
                Arguments.of(
                        "content-length inner space",
                        "POST / HTTP/1.1\r\n" + OK_HEAD + "Content-Length: 1 2\r\n\r\nab",
                        400),
                Arguments.of("obs-fold", "GET / HTTP/1.1\r\n" + OK_HEAD + "X-Folded: a\r\n b\r\n\r\n", 400),
                Arguments.of("bare LF line ends", "GET / HTTP/1.1\nx-customer-id: acme\nHost: a\n\n", 400),
                Arguments.of("bare CR in a value", "GET / HTTP/1.1\r\n" + OK_HEAD + "X-A: a\rb\r\n\r\n", 400),
                Arguments.of("NUL in a value", "GET / HTTP/1.1\r\n" + OK_HEAD + "X-A: a\u0000b\r\n\r\n", 400),
                Arguments.of(
                        "control character in a value", "GET / HTTP/1.1\r\n" + OK_HEAD + "X-A: a\u0001b\r\n\r\n", 400),
                Arguments.of(
                        "control character in a name", "GET / HTTP/1.1\r\n" + OK_HEAD + "X-\u0001A: a\r\n\r\n", 400),
                Arguments.of("whitespace before the colon", "GET / HTTP/1.1\r\n" + OK_HEAD + "X-A : a\r\n\r\n", 400),
                Arguments.of(
                        "malformed chunk size",
                        "POST / HTTP/1.1\r\n" + OK_HEAD + "Transfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n",
                        400),
                Arguments.of(
                        "malformed chunk extension",
                        "POST / HTTP/1.1\r\n" + OK_HEAD
                                + "Transfer-Encoding: chunked\r\n\r\n2;\u0001\r\nab\r\n0\r\n\r\n",
                        400),
                Arguments.of(
                        "chunk size overflow",
                        "POST / HTTP/1.1\r\n" + OK_HEAD
                                + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\nab\r\n0\r\n\r\n",
                        400),
                Arguments.of("missing Host", "GET / HTTP/1.1\r\nx-customer-id: acme\r\n\r\n", 400),
                Arguments.of("request line with a lower-case version", "GET / http/1.1\r\n" + OK_HEAD + "\r\n", 400),
                Arguments.of("request line with tabs", "GET\t/\tHTTP/1.1\r\n" + OK_HEAD + "\r\n", 400),
                Arguments.of("request line with two spaces", "GET  / HTTP/1.1\r\n" + OK_HEAD + "\r\n", 400),
                Arguments.of(
                        "absolute target naming another host than Host",
                        "GET http://globex.example/ HTTP/1.1\r\nx-customer-id: acme\r\nHost: acme.example\r\n\r\n",
                        400),
                Arguments.of(
                        "absolute target with user information",
                        "GET http://u@acme.example/ HTTP/1.1\r\nx-customer-id: acme\r\nHost: acme.example\r\n\r\n",
                        400),
                Arguments.of(
                        "Host with a port over 65535",
                        "GET / HTTP/1.1\r\nx-customer-id: acme\r\nHost: example.com:65536\r\n\r\n",
                        400),
                Arguments.of("duplicate Host", "GET / HTTP/1.1\r\n" + OK_HEAD + "Host: b\r\n\r\n", 400),
                Arguments.of("duplicate Host on HTTP/1.0", "GET / HTTP/1.0\r\n" + OK_HEAD + "Host: b\r\n\r\n", 400),
                Arguments.of(
                        "Transfer-Encoding chunked three times",
                        "POST / HTTP/1.1\r\n" + OK_HEAD
                                + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        400),
                Arguments.of(
                        "request line too long", "GET /" + "a".repeat(9000) + " HTTP/1.1\r\n" + OK_HEAD + "\r\n", 414),
                Arguments.of(
                        "headers too large",
                        "GET / HTTP/1.1\r\n" + OK_HEAD + "X-Big: " + "b".repeat(17000) + "\r\n\r\n",
                        431),
                Arguments.of(
                        "too many headers", "GET / HTTP/1.1\r\n" + OK_HEAD + "X-A: 1\r\n".repeat(30) + "\r\n", 431),
                Arguments.of("asterisk form but for OPTIONS", "GET * HTTP/1.1\r\n" + OK_HEAD + "\r\n", 400),
                Arguments.of(
                        "body over the maximum (content-length)",
                        "POST / HTTP/1.1\r\n" + OK_HEAD + "Content-Length: 5000\r\n\r\n" + "a".repeat(100),
                        413));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("malformed")
    void malformedRequest_isRejected_connectionClosed_cellReceivesNothing(String name, String request, int status)
            throws Exception {
        try (Socket socket =
                new Socket("127.0.0.1", router.server().proxyAddress().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();

            String response = readAll(socket.getInputStream());

            assertThat(response).as(name).startsWith("HTTP/1.1 " + status + " ");
            // readAll returned: the router closed the connection after its answer.
        }
        assertThat(router.cell("cell-1").requestCount()).as(name).isZero();
    }

    /**
     * Trailers count as header fields do ({@code maxHeaderCount}): more is 431 and the connection
     * closes. Before, any number of trailer fields went on to the cell.
     */
    @Test
    void moreTrailerFieldsThanTheLimit_is431_andTheConnectionClosed() throws Exception {
        try (Socket socket =
                new Socket("127.0.0.1", router.server().proxyAddress().getPort())) {
            socket.setSoTimeout(10_000);
            String request = "POST / HTTP/1.1\r\n" + OK_HEAD + "Transfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n0\r\n" + "X-T: 1\r\n".repeat(21) + "\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();

            String response = readAll(socket.getInputStream());

            assertThat(response).startsWith("HTTP/1.1 431 ").contains("trailer fields");
        }
    }

    /** The server-wide OPTIONS is still served. */
    @Test
    void optionsWithTheAsteriskForm_isForwarded() throws Exception {
        try (Socket socket =
                new Socket("127.0.0.1", router.server().proxyAddress().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("OPTIONS * HTTP/1.1\r\n" + OK_HEAD + "Connection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();

            assertThat(readAll(socket.getInputStream())).startsWith("HTTP/1.1 200 ");
        }
        assertThat(router.cell("cell-1").requestCount()).isEqualTo(1);
    }

    @Test
    void chunkedBodyOverTheMaximum_isCutOff_andTheConnectionClosed() throws Exception {
        try (Socket socket =
                new Socket("127.0.0.1", router.server().proxyAddress().getPort())) {
            socket.setSoTimeout(10_000);
            String head = "POST / HTTP/1.1\r\n" + OK_HEAD + "Transfer-Encoding: chunked\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            String chunk = "100\r\n" + "c".repeat(256) + "\r\n";
            try {
                for (int i = 0; i < 10; i++) {
                    socket.getOutputStream().write(chunk.getBytes(StandardCharsets.ISO_8859_1));
                }
            } catch (SocketException closedWhileWriting) {
                // The router may close before all chunks are written: that is the point.
            }
            String response = readAll(socket.getInputStream());
            assertThat(response).doesNotContain("HTTP/1.1 200");
            if (!response.isEmpty()) {
                assertThat(response).startsWith("HTTP/1.1 413 ");
            }
        }
    }

    /**
     * A pipelined POST whose head came with the request before it and whose body comes after that
     * request's answer: the body (pretty-printed JSON, a line starting with spaces) is a body, not a
     * folded head line. Before, the guard resumed scanning when the first exchange ended and
     * answered the body 400. A fresh head after an exchange is still scanned.
     */
    @Test
    void pipelinedBodyArrivingAfterTheAnswerBefore_isNotTakenForAFoldedHead() throws Exception {
        String body = "{\n  \"a\": 1\n}";
        try (Socket socket =
                new Socket("127.0.0.1", router.server().proxyAddress().getPort())) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            RawHttp.write(
                    socket,
                    "GET /first HTTP/1.1\r\n" + OK_HEAD + "\r\n" + "POST /second HTTP/1.1\r\n" + OK_HEAD
                            + "Content-Length: " + body.length() + "\r\n\r\n");
            assertThat(RawHttp.read(in).status()).isEqualTo(200);

            RawHttp.write(socket, body);
            RawHttp.Response second = RawHttp.read(in);
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.body()).contains("\"bytes\":" + body.length());

            RawHttp.write(socket, "GET /third HTTP/1.1\r\n" + OK_HEAD + "X-Folded: a\r\n b\r\n\r\n");
            assertThat(RawHttp.read(in).status())
                    .as("a fresh head is scanned again")
                    .isEqualTo(400);
        }
    }

    /**
     * The same, when the request before is answered at once (no identity: 401) while the POST's
     * head, in the same packet, is not decoded yet: the guard resumed at the end of that answer,
     * before the decoder reached the POST's head, and took the body that followed for a head.
     */
    @Test
    void bodyAfterAHeadDecodedBehindAnAnswerGivenAtOnce_isNotTakenForAFoldedHead() throws Exception {
        String body = "{\n  \"a\": 1\n}";
        try (Socket socket =
                new Socket("127.0.0.1", router.server().proxyAddress().getPort())) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            RawHttp.write(
                    socket,
                    "GET /first HTTP/1.1\r\nHost: a\r\n\r\n" + "POST /second HTTP/1.1\r\n" + OK_HEAD
                            + "Content-Length: " + body.length() + "\r\n\r\n");
            assertThat(RawHttp.read(in).status()).isEqualTo(401);

            RawHttp.write(socket, body);
            RawHttp.Response second = RawHttp.read(in);

            assertThat(second.status()).isEqualTo(200);
            assertThat(second.body()).contains("\"bytes\":" + body.length());
        }
    }

    @Test
    void validRequest_stillPasses() throws Exception {
        try (Socket socket =
                new Socket("127.0.0.1", router.server().proxyAddress().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("POST / HTTP/1.1\r\n" + OK_HEAD
                                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n2;ext=1\r\nab\r\n0\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            assertThat(readAll(socket.getInputStream()))
                    .startsWith("HTTP/1.1 200")
                    .contains("\"bytes\":2");
        }
    }

    @Test
    void absoluteTargetNamingTheHost_passesAsTheOriginForm() throws Exception {
        try (Socket socket =
                new Socket("127.0.0.1", router.server().proxyAddress().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET http://acme.example/hello?x=1 HTTP/1.1\r\nx-customer-id: acme\r\n"
                                    + "Host: acme.example\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            assertThat(readAll(socket.getInputStream()))
                    .startsWith("HTTP/1.1 200")
                    .contains("\"path\":\"/hello?x=1\"");
        }
    }

    /**
     * Reads until the peer closes. The socket timeout fails the test if it never does, saying what
     * had arrived by then (an answer without the close, or nothing at all).
     */
    static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        try {
            while ((n = in.read(buf)) != -1) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException open) {
            throw new AssertionError(
                    "the router had not closed the connection by the socket timeout; it had sent: \""
                            + out.toString(StandardCharsets.ISO_8859_1) + "\"",
                    open);
        } catch (SocketException reset) {
            // A reset after the answer also ends the connection.
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
