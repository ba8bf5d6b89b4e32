package io.cellrouter.router.security;

import static io.cellrouter.router.testing.RawHttp.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.ScriptedCell;
import io.cellrouter.router.testing.ScriptedCell.Answer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a cell sends is checked, and an answer never reaches a request it does not belong to.
 * Alice and Bob both live on one scripted cell ("sc") that answers each request with the
 * customer's own name, and that the tests make misbehave: extra bytes behind an answer, a body
 * after a 204, statuses out of range, framing the RFC forbids, no framing at all.
 */
@Timeout(120)
class ResponseIntegrityIT {

    private ScriptedCell cell;

    @RegisterExtension
    final RouterExtension router = new RouterExtension("", r -> startCell(), "  alice: sc\n  bob: sc\n");

    private String startCell() {
        try {
            cell = new ScriptedCell(request -> Answer.of(ScriptedCell.ok(request.header("x-customer-id"))));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return "  - name: sc\n    endpoint: " + cell.endpoint() + "\n";
    }

    @AfterEach
    void stopCell() {
        cell.close();
    }

    private static String get(String customer, String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: a\r\nx-customer-id: " + customer + "\r\n\r\n";
    }

    /** The customer's answer, then a second complete answer nobody asked for, in one write. */
    private static Answer answerWithExtraResponse(ScriptedCell.Request request) {
        return Answer.of(
                ScriptedCell.ok(request.header("x-customer-id")) + ScriptedCell.ok("EVIL-" + request.target()));
    }

    @Test
    void extraResponseBehindTheAnswer_pipelinedClient_everyAnswerIsItsOwn() throws Exception {
        cell.script(ResponseIntegrityIT::answerWithExtraResponse);
        try (Socket socket = connect()) {
            StringBuilder requests = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                requests.append(get(i % 2 == 0 ? "alice" : "bob", "/p" + i));
            }
            socket.getOutputStream().write(requests.toString().getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 20; i++) {
                RawHttp.Response response = RawHttp.read(in);
                assertThat(response.status()).as("answer %d", i).isEqualTo(200);
                assertThat(response.body()).as("answer %d", i).isEqualTo(i % 2 == 0 ? "alice" : "bob");
            }
        }
    }

    /**
     * A cell's Content-Length reaches the client as the number the router framed the answer by:
     * {@code 019} is nineteen here, and a client that took the leading zero for octal would look
     * for its next answer inside this one.
     */
    @Test
    void contentLengthWithALeadingZero_reachesTheClientAsTheNumberRead() throws Exception {
        cell.script(request -> Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 019\r\n\r\nnineteen bytes long"));

        RawHttp.Response response = RawHttp.exchange(router.server().proxyAddress(), get("alice", "/zero"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("content-length")).isEqualTo("19");
        assertThat(response.body()).isEqualTo("nineteen bytes long");
    }

    @Test
    void bodyAfter204_isNeverReadAsTheNextAnswer() throws Exception {
        cell.script(request -> request.target().equals("/nocontent")
                ? Answer.of("HTTP/1.1 204 No Content\r\n\r\n" + ScriptedCell.ok("EVIL"))
                : Answer.of(ScriptedCell.ok(request.header("x-customer-id"))));
        try (Socket socket = connect()) {
            write(socket, get("alice", "/nocontent") + get("bob", "/next"));
            InputStream in = socket.getInputStream();

            assertThat(RawHttp.read(in).status()).isEqualTo(204);
            RawHttp.Response next = RawHttp.read(in);
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.body()).isEqualTo("bob");
        }
    }

    @Test
    void extraBytesInASecondWrite_closeThePooledConnection() throws Exception {
        cell.script(request -> request.target().equals("/dirty")
                ? new Answer(
                        (ScriptedCell.ok("alice") + "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nEVIL")
                                .getBytes(StandardCharsets.ISO_8859_1),
                        false,
                        false)
                : Answer.of(ScriptedCell.ok(request.header("x-customer-id"))));
        RawHttp.Response dirty = RawHttp.exchange(router.server().proxyAddress(), get("alice", "/dirty"));
        RawHttp.Response clean = RawHttp.exchange(router.server().proxyAddress(), get("bob", "/clean"));

        assertThat(dirty.body()).isEqualTo("alice");
        assertThat(clean.body()).isEqualTo("bob");
        // The dirty connection was not reused: the second request came on a new one.
        assertThat(cell.received()).extracting(ScriptedCell.Request::connection).doesNotHaveDuplicates();
    }

    /**
     * Behind the answer, in the same write, the start of another answer cut at a line end: the
     * connection is never reused, or the rest of that answer would reach the next customer. (When
     * those bytes come later, while the connection is parked, the decoder takes the lines into its
     * state and leaves no byte in its buffer: {@code CellHttpCodecTest} covers that case.)
     */
    @Test
    void theStartOfAnotherAnswerBehindTheAnswer_closesThePooledConnection() throws Exception {
        cell.script(request -> request.target().equals("/dirty")
                ? Answer.of(ScriptedCell.ok("alice") + "HTTP/1.1 200 OK\r\nSet-Cookie: session=alice\r\n")
                : Answer.of(ScriptedCell.ok(request.header("x-customer-id"))));
        RawHttp.Response dirty = RawHttp.exchange(router.server().proxyAddress(), get("alice", "/dirty"));
        RawHttp.Response clean = RawHttp.exchange(router.server().proxyAddress(), get("bob", "/clean"));

        assertThat(dirty.body()).isEqualTo("alice");
        assertThat(clean.status()).isEqualTo(200);
        assertThat(clean.body()).isEqualTo("bob");
        assertThat(clean.headers()).doesNotContainKey("set-cookie");
        assertThat(cell.received()).extracting(ScriptedCell.Request::connection).doesNotHaveDuplicates();
    }

    /**
     * 1,000 requests alternating Alice and Bob, from pipelining and concurrent keep-alive clients,
     * on a cell that writes a stray answer behind every third of its answers: none is delivered to
     * a request it does not belong to.
     */
    @Test
    void thousandRequests_cellWithStrayAnswers_zeroMisdeliveries() throws Exception {
        AtomicInteger n = new AtomicInteger();
        cell.script(request -> n.incrementAndGet() % 3 == 0
                ? answerWithExtraResponse(request)
                : Answer.of(ScriptedCell.ok(request.header("x-customer-id"))));
        int clients = 8;
        int perClient = 125;
        AtomicInteger wrong = new AtomicInteger();
        AtomicInteger right = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                boolean pipelined = c % 2 == 0;
                int client = c;
                done.add(pool.submit(() -> {
                    runClient(client, perClient, pipelined, right, wrong);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(100, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(wrong.get()).as("answers delivered to the wrong request").isZero();
        assertThat(right.get()).isEqualTo(clients * perClient);
    }

    private void runClient(int client, int requests, boolean pipelined, AtomicInteger right, AtomicInteger wrong)
            throws IOException {
        int sent = 0;
        while (sent < requests) {
            try (Socket socket = connect()) {
                InputStream in = socket.getInputStream();
                int batch = pipelined ? Math.min(5, requests - sent) : 1;
                StringBuilder out = new StringBuilder();
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < batch; i++) {
                    String customer = (client + sent + i) % 2 == 0 ? "alice" : "bob";
                    expected.add(customer);
                    out.append(get(customer, "/c" + client + "-" + (sent + i)));
                }
                write(socket, out.toString());
                for (String customer : expected) {
                    RawHttp.Response response = RawHttp.read(in);
                    if (response.status() == 200 && response.body().equals(customer)) {
                        right.incrementAndGet();
                    } else {
                        wrong.incrementAndGet();
                    }
                }
                sent += batch;
            }
        }
    }

    static Stream<Arguments> malformedAnswers() {
        return Stream.of(
                Arguments.of("status 1000", "HTTP/1.1 1000 OK\r\nContent-Length: 2\r\n\r\nok"),
                Arguments.of("status 99", "HTTP/1.1 99 OK\r\nContent-Length: 2\r\n\r\nok"),
                Arguments.of("status 600", "HTTP/1.1 600 OK\r\nContent-Length: 2\r\n\r\nok"),
                Arguments.of(
                        "unrequested 101",
                        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: evil\r\nConnection: upgrade\r\n\r\n"),
                Arguments.of(
                        "Transfer-Encoding gzip with Content-Length",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\nok"),
                Arguments.of(
                        "Transfer-Encoding chunked, gzip",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n2\r\nok\r\n0\r\n\r\n"),
                Arguments.of("204 with a length", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello"),
                Arguments.of(
                        "Transfer-Encoding chunked twice",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"),
                Arguments.of(
                        "two different Content-Length",
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!"),
                Arguments.of("HTTP/2.0 status line", "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok"),
                Arguments.of(
                        "oversized head",
                        "HTTP/1.1 200 OK\r\nx-big: " + "a".repeat(40_000) + "\r\nContent-Length: 2\r\n\r\nok"),
                Arguments.of("garbage", "this is not http\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedAnswers")
    void malformedAnswer_isBadCellResponse_andTheConnectionIsNotReused(String name, String raw) throws Exception {
        cell.script(request -> request.target().equals("/bad")
                ? Answer.of(raw)
                : Answer.of(ScriptedCell.ok(request.header("x-customer-id"))));

        RawHttp.Response bad = RawHttp.exchange(router.server().proxyAddress(), get("alice", "/bad"));
        RawHttp.Response next = RawHttp.exchange(router.server().proxyAddress(), get("bob", "/next"));

        assertThat(bad.status()).as(name).isEqualTo(502);
        assertThat(bad.body()).as(name).contains("\"error\":\"bad_cell_response\"");
        assertThat(next.body()).isEqualTo("bob");
        assertThat(cell.received()).extracting(ScriptedCell.Request::connection).doesNotHaveDuplicates();
    }

    /**
     * A cell that sends informational answers without end: the 17th makes the answer invalid (502),
     * so that the cell cannot keep the exchange (and, on HTTP/2, the client's outbound buffer)
     * growing for ever with 1xx heads. The 16 before it reach the client as they came.
     */
    @Test
    void seventeenInformationalAnswers_areBadCellResponse() throws Exception {
        cell.script(request -> Answer.of(
                "HTTP/1.1 102 Processing\r\n\r\n".repeat(17) + ScriptedCell.ok(request.header("x-customer-id"))));
        try (Socket socket = connect()) {
            socket.setSoTimeout(5000);
            write(socket, get("alice", "/processing"));
            InputStream in = socket.getInputStream();

            for (int i = 0; i < 16; i++) {
                assertThat(RawHttp.read(in).status()).isEqualTo(102);
            }
            RawHttp.Response answer = RawHttp.read(in);
            assertThat(answer.status()).isEqualTo(502);
            assertThat(answer.body()).contains("\"error\":\"bad_cell_response\"");
        }
    }

    @Test
    void http2Client_unrequested101_isBadCellResponse_notDataBeforeHeaders() throws Exception {
        cell.script(request ->
                Answer.of("HTTP/1.1 101 Switching Protocols\r\nUpgrade: evil\r\nConnection: upgrade\r\n\r\nXYZ"));
        try (H2Client h2 = new H2Client(router.server().proxyAddress())) {
            H2Client.Response response = h2.send(H2Client.request("GET", "/x", "x-customer-id", "alice"), null)
                    .get(10, TimeUnit.SECONDS);

            assertThat(response.status()).isEqualTo("502");
            assertThat(response.bodyStart()).contains("bad_cell_response");
        }
    }

    @Test
    void unframedAnswer_reachesAnHttp11Client_withItsEnd_andTheConnectionStaysUsable() throws Exception {
        cell.script(request -> request.target().equals("/unframed")
                ? Answer.thenClose("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the cell closes")
                : Answer.of(ScriptedCell.ok(request.header("x-customer-id"))));
        try (Socket socket = connect()) {
            // A 3 s read timeout: the router's idle timeout is 60 s, so waiting for it would fail.
            socket.setSoTimeout(3000);
            write(socket, get("alice", "/unframed"));
            RawHttp.Response unframed = RawHttp.read(socket.getInputStream());

            assertThat(unframed.body()).isEqualTo("until the cell closes");
            assertThat(unframed.header("transfer-encoding")).isEqualTo("chunked");

            write(socket, get("bob", "/after"));
            assertThat(RawHttp.read(socket.getInputStream()).body()).isEqualTo("bob");
        }
    }

    /**
     * RFC 9112 section 6.1: a chunked answer reaches an HTTP/1.0 client without Transfer-Encoding,
     * its body as it is and then a close. Before, the chunk framing reached the client as the body,
     * and its keep-alive connection waited for a close until the idle timeout.
     */
    @Test
    void chunkedAnswer_toAnHttp10Client_isUnchunked_andEndsWithAClose() throws Exception {
        cell.script(request -> Answer.of(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
        try (Socket socket = connect()) {
            socket.setSoTimeout(3000);
            write(socket, "GET /x HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\nx-customer-id: alice\r\n\r\n");

            String raw = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

            assertThat(raw).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("transfer-encoding");
            assertThat(raw.substring(raw.indexOf("\r\n\r\n") + 4)).isEqualTo("hello world");
        }
    }

    @Test
    void unframedAnswer_toAnHttp10Client_endsWithAClose() throws Exception {
        cell.script(request -> Answer.thenClose("HTTP/1.1 200 OK\r\n\r\nuntil the cell closes"));
        try (Socket socket = connect()) {
            socket.setSoTimeout(3000);
            write(socket, "GET /x HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\nx-customer-id: alice\r\n\r\n");
            RawHttp.Response unframed = RawHttp.read(socket.getInputStream());

            assertThat(unframed.body()).isEqualTo("until the cell closes");
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    /**
     * RFC 9110 section 15.2: no 1xx to an HTTP/1.0 client, whose keep-alive connection would take a
     * 103 for the whole answer and the real answer for its next request's. An HTTP/1.1 client gets
     * the 103, then the answer.
     */
    @Test
    void earlyHints_reachAnHttp11Client_butNotAnHttp10One() throws Exception {
        cell.script(request -> Answer.of("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                + ScriptedCell.ok(request.header("x-customer-id"))));
        try (Socket socket = connect()) {
            socket.setSoTimeout(3000);
            write(socket, get("alice", "/hints"));
            InputStream in = socket.getInputStream();

            assertThat(RawHttp.read(in).status()).isEqualTo(103);
            assertThat(RawHttp.read(in).body()).isEqualTo("alice");
        }
        try (Socket socket = connect()) {
            socket.setSoTimeout(3000);
            InputStream in = socket.getInputStream();
            for (String customer : List.of("alice", "bob")) {
                write(
                        socket,
                        "GET /hints HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\nx-customer-id: " + customer
                                + "\r\n\r\n");
                RawHttp.Response response = RawHttp.read(in);

                assertThat(response.status()).as("%s's answer", customer).isEqualTo(200);
                assertThat(response.body()).isEqualTo(customer);
                assertThat(response.header("connection"))
                        .as("an HTTP/1.0 client is told it stays")
                        .isEqualTo("keep-alive");
            }
        }
    }

    /**
     * An HTTP/1.0 answer that ends with the close (a small Python or CGI server) reaches an HTTP/1.1
     * client re-framed as chunked, under the router's own version: an HTTP/1.0 status line would
     * make the client ignore the chunk framing and read it as the body until its timeout.
     */
    @Test
    void anHttp10AnswerEndingWithTheClose_reachesTheClientAsHttp11Chunked() throws Exception {
        cell.script(request -> request.target().equals("/old")
                ? Answer.thenClose("HTTP/1.0 200 OK\r\n\r\nuntil the cell closes")
                : Answer.of(ScriptedCell.ok(request.header("x-customer-id"))));
        try (Socket socket = connect()) {
            write(socket, get("alice", "/old"));
            InputStream in = socket.getInputStream();
            String head = RawHttp.readUntil(in, "\r\n\r\n");
            String body = RawHttp.readUntil(in, "\r\n0\r\n\r\n");
            write(socket, get("bob", "/after")); // the client's connection stays usable
            RawHttp.Response after = RawHttp.read(in);

            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked");
            assertThat(body).contains("until the cell closes");
            assertThat(after.body()).isEqualTo("bob");
        }
    }

    /** RFC 9112 section 6.1: Transfer-Encoding in an HTTP/1.0 message is faulty framing. */
    @Test
    void transferEncodingInAnHttp10Answer_is502() throws Exception {
        cell.script(
                request -> Answer.of("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));

        RawHttp.Response response = RawHttp.exchange(router.server().proxyAddress(), get("alice", "/old"));

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.body()).contains("bad_cell_response");
    }

    private Socket connect() throws IOException {
        return RawHttp.connect(router.server().proxyAddress(), 10_000);
    }
}
