package io.cellrouter.router;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.cellrouter.router.testing.AuditCapture;
import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.H2TestCell;
import io.cellrouter.router.testing.RawH2;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.ScriptedCell;
import io.cellrouter.router.testing.SlowUpload;
import io.cellrouter.router.testing.WireMockCell;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code proxy.upstream.responseTimeout} runs from the last part of the request the cell took, not
 * from the request's head: an upload that takes longer than the timeout, but never stands still
 * that long, reaches the cell whole and gets the cell's answer. A cell that has the whole request
 * and says nothing is still a 504 after the timeout.
 *
 * <p>Cells: bob's is WireMock (its journal shows what the cell received), answering an upload at
 * once, a {@code /trailed} after 600 ms and a {@code /hang} after ten seconds; carol's an h2c cell
 * that answers with the number of body bytes it read.
 */
@Timeout(120)
class SlowUploadIT {

    private static final long TIMEOUT_MILLIS = 1000;
    /** What the access log says when the client's silence ran out the wait for the cell's answer. */
    private static final String STALLED_DETAIL =
            "proxy.upstream.responseTimeout ran out while the cell waited for the request body";

    /** How long the cell takes to answer {@code /trailed}, once it has the whole request. */
    private static final int TRAILED_ANSWER_MILLIS = 600;

    /** An upload in five parts, 600 ms apart: 3 s in all, yet never a second without a byte. */
    private static final SlowUpload UPLOAD = new SlowUpload(5, 1000, 600);

    private static WireMockCell wiremock;
    private static H2TestCell h2;
    /** Reads a request's head, then waits for a body that never comes: it never sends a 100 Continue. */
    private static ScriptedCell silent;

    @BeforeAll
    static void startCells() throws Exception {
        wiremock = WireMockCell.start("wm");
        wiremock.stub(post(urlEqualTo("/upload"))
                .willReturn(aResponse().withStatus(200).withBody("stored")));
        wiremock.stub(post(urlEqualTo("/trailed"))
                .willReturn(
                        aResponse().withStatus(200).withBody("after trailers").withFixedDelay(TRAILED_ANSWER_MILLIS)));
        wiremock.stub(post(urlEqualTo("/hang"))
                .willReturn(aResponse().withStatus(200).withBody("late").withFixedDelay(10_000)));
        h2 = new H2TestCell("h2");
        silent = new ScriptedCell(request -> ScriptedCell.Answer.of(ScriptedCell.ok("never")));
    }

    @AfterAll
    static void stopCells() {
        wiremock.close();
        h2.close();
        silent.close();
    }

    @RegisterExtension
    final AuditCapture accessLog = AuditCapture.accessLog();

    @BeforeEach
    void forgetEarlierRequests() {
        wiremock.server().resetRequests();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
                    "",
                    r -> wiremock.registryYaml() + "  - name: h2\n    endpoint: h2c://127.0.0.1:" + h2.port() + "\n"
                            + "  - name: silent\n    endpoint: " + silent.endpoint() + "\n",
                    "  bob: wm\n  carol: h2\n  dave: silent\n")
            .proxy(() -> "  upstream:\n    responseTimeout: " + TIMEOUT_MILLIS + "ms\n    responseBodyTimeout: "
                    + TIMEOUT_MILLIS + "ms\n");

    /** bob's cell speaks HTTP/1.1; carol's is an h2c cell. The answers are patterns. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"bob, stored", "carol, cell=h2 connection=[0-9]+ bytes=5000"})
    void http1Client_uploadSlowerThanTheTimeout_reachesTheCellWhole(String customer, String answer) throws Exception {
        try (Socket socket = RawHttp.connect(router.server().proxyAddress(), 20_000)) {
            UPLOAD.overHttp1(socket, "/upload", customer);

            RawHttp.Response response = RawHttp.read(socket.getInputStream());
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).matches(answer);
        }
        if (customer.equals("bob")) {
            assertCellReceivedTheWholeUpload();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"bob, stored", "carol, cell=h2 connection=[0-9]+ bytes=5000"})
    void http2Client_uploadSlowerThanTheTimeout_reachesTheCellWhole(String customer, String answer) throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            UPLOAD.overHttp2(raw, "/upload", customer);

            List<String> stream1 = raw.readStream(1, 10_000);
            assertThat(stream1).first().asString().startsWith("HEADERS 1 200");
            assertThat(stream1)
                    .noneMatch(e -> e.startsWith("RST"))
                    .last()
                    .asString()
                    .endsWith(" end");
            assertThat(raw.body(1)).matches(answer);
        }
        if (customer.equals("bob")) {
            assertCellReceivedTheWholeUpload();
        }
    }

    @Test
    void cellThatHasTheWholeRequest_andSaysNothing_isStill504AfterTheTimeout() throws Exception {
        assertAnsweredAfterTheTimeout(
                "POST /hang HTTP/1.1\r\nHost: router\r\nx-customer-id: bob\r\nContent-Length: 4\r\n\r\nbody",
                504,
                "cell_timeout");
        assertThat(wiremock.received()).as("the cell had the request").anySatisfy(r -> assertThat(r.getUrl())
                .isEqualTo("/hang"));
        assertLoggedDetail(504, "proxy.upstream.responseTimeout ran out before the cell's response head");
    }

    /**
     * The client stops sending its body halfway while the router is ready to pass it on: it is the
     * client's silence, answered 408 {@code request_timeout} when the wait for the answer runs out
     * (never a 504 that blames the cell), and the cell is never handed a request that looks whole.
     */
    @Test
    void http1Client_uploadThatStopsHalfway_is408_notTheCellsTimeout() throws Exception {
        assertAnsweredAfterTheTimeout(
                "POST /upload HTTP/1.1\r\nHost: router\r\nx-customer-id: bob\r\nContent-Length: " + UPLOAD.bytes()
                        + "\r\n\r\n" + "u".repeat(UPLOAD.partBytes()),
                408,
                "request_timeout");
        assertThat(wiremock.received())
                .as("nothing the cell took for a whole request")
                .isEmpty();
        assertLoggedDetail(408, STALLED_DETAIL);
    }

    @Test
    void http2Client_uploadThatStopsHalfway_is408_notTheCellsTimeout() throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            long sent = System.nanoTime();
            raw.headers(
                            1,
                            H2Client.request(
                                    "POST",
                                    "/upload",
                                    "x-customer-id",
                                    "carol",
                                    "content-length",
                                    String.valueOf(UPLOAD.bytes())),
                            false)
                    .data(1, new byte[UPLOAD.partBytes()], false)
                    .flush();

            raw.readStream(1, 10_000);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

            assertThat(raw.events()).contains("HEADERS 1 408");
            assertThat(raw.body(1)).contains("request_timeout");
            assertThat(millis).isBetween(TIMEOUT_MILLIS, 4_000L);
        }
        assertLoggedDetail(408, STALLED_DETAIL);
    }

    /**
     * An HTTP/2 request whose trailers come 700 ms after its body ends only with the trailers: the
     * cell then has a full timeout for its answer, counted from them, not what was left of one
     * counted from the last DATA frame. The cell answers 600 ms after the trailers, 1.3 s after the
     * body and within 1 s of the end of the request: a 200, never the cell's 504.
     */
    @Test
    void http2Client_trailersAfterAPause_giveTheCellAFullTimeoutFromThem() throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.headers(1, H2Client.request("POST", "/trailed", "x-customer-id", "bob"), false)
                    .data(1, "body".getBytes(StandardCharsets.US_ASCII), false)
                    .flush();
            // The pause is the point of the test: nothing to await but the clock.
            Thread.sleep(700);
            raw.headers(1, new DefaultHttp2Headers().add("x-checksum", "c0ffee"), true)
                    .flush();

            raw.readStream(1, 10_000);
            assertThat(raw.events()).contains("HEADERS 1 200");
            assertThat(raw.body(1)).isEqualTo("after trailers");
        }
        assertThat(wiremock.received()).as("the cell had the whole request").anySatisfy(r -> {
            assertThat(r.getUrl()).isEqualTo("/trailed");
            assertThat(r.getBodyAsString()).isEqualTo("body");
        });
    }

    /**
     * A client that sends {@code Expect: 100-continue} waits for the cell's 100 before its body: a
     * cell that never sends it is the cell's silence, a 504, not the client's 408.
     */
    @Test
    void clientWaitingForTheCells100Continue_thatNeverComes_is504() throws Exception {
        assertAnsweredAfterTheTimeout(
                "POST /upload HTTP/1.1\r\nHost: router\r\nx-customer-id: dave\r\nExpect: 100-continue\r\n"
                        + "Content-Length: " + UPLOAD.bytes() + "\r\n\r\n",
                504,
                "cell_timeout");
        assertThat(silent.received()).singleElement().satisfies(r -> assertThat(r.header("expect"))
                .isEqualToIgnoringCase("100-continue"));
    }

    /** Sends {@code raw} over HTTP/1.1: the router's own {@code status} and {@code code}, once the 1 s wait ran out. */
    private void assertAnsweredAfterTheTimeout(String raw, int status, String code) throws IOException {
        long sent = System.nanoTime();
        RawHttp.Response response = RawHttp.exchange(router.server().proxyAddress(), raw);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

        assertThat(response.status()).isEqualTo(status);
        assertThat(response.body()).contains("\"" + code + "\"");
        assertThat(millis).isBetween(TIMEOUT_MILLIS, 4_000L);
    }

    /** The access log's line for the answer with {@code status} names the timer that decided it. */
    private void assertLoggedDetail(int status, String detail) {
        JsonNode line = accessLog.awaitLine(l -> l.path("status").asInt() == status);
        assertThat(line.path("detail").asText()).isEqualTo(detail);
    }

    private static void assertCellReceivedTheWholeUpload() {
        List<LoggedRequest> uploads = wiremock.received().stream()
                .filter(r -> r.getUrl().equals("/upload"))
                .toList();
        assertThat(uploads).hasSize(1);
        assertThat(uploads.get(0).getBodyAsString()).isEqualTo(UPLOAD.body());
    }
}
