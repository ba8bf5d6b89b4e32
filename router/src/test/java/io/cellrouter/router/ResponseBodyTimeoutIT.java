package io.cellrouter.router;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.cellrouter.router.testing.RawHttp.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.grpc.test.EchoGrpc;
import io.cellrouter.router.grpc.test.EchoReply;
import io.cellrouter.router.grpc.test.EchoRequest;
import io.cellrouter.router.testing.GrpcCell;
import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.H2TestCell;
import io.cellrouter.router.testing.RawH2;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.ScriptedCell;
import io.cellrouter.router.testing.ScriptedCell.Answer;
import io.cellrouter.router.testing.SlowUpload;
import io.cellrouter.router.testing.WireMockCell;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.netty.handler.codec.http2.Http2Error;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code proxy.upstream.responseBodyTimeout}: a cell that goes quiet in the middle of its answer
 * does not hold the client for ever. The answer is cut once the cell has sent nothing for the
 * timeout while the client could take more: an HTTP/1.1 client's connection is reset (the answer
 * never looks complete, even where the close would frame it), an HTTP/2 client's stream is reset. An answer that keeps coming, however
 * slowly, is never cut; nor is one the client itself is slow to take, nor a quiet gRPC stream.
 *
 * <p>Cells: alice's answers 200 with 14 of 100 bytes and then says nothing (a plain socket); bob's
 * is WireMock, for a body dribbled in chunks and a large one; carol's an HTTP/2 cell that stalls
 * on {@code /stall} (and answers early on {@code /early}); dave's a gRPC cell whose server stream
 * pauses between messages; erin's a plain socket that answers as soon as it has a request's head
 * and finishes once it has read the body; frank's a plain socket that answers without a length
 * (the close would end it) and then says nothing. An upload the cell takes slowly, after its answer has
 * begun, keeps the exchange alive as the answer's own bytes do.
 */
@Timeout(120)
class ResponseBodyTimeoutIT {

    private static final long BODY_TIMEOUT_MILLIS = 1000;
    private static final String FIRST_PART = "the first part";
    private static final byte[] DRIBBLED = filled(2000, 'd');
    private static final byte[] LARGE = filled(16 << 20, 'L');

    /** An upload in five parts, 600 ms apart: 3 s in all, yet never a second without a byte. */
    private static final SlowUpload UPLOAD = new SlowUpload(5, 1000, 600);

    private static final String REST = " and the rest";

    private static ScriptedCell stalling;
    private static ScriptedCell early;
    private static ScriptedCell noLength;
    private static WireMockCell wiremock;
    private static H2TestCell h2;
    private static GrpcCell grpc;

    @BeforeAll
    static void startCells() throws Exception {
        stalling =
                new ScriptedCell(request -> Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + FIRST_PART));
        noLength = new ScriptedCell(request -> Answer.of("HTTP/1.1 200 OK\r\n\r\n" + FIRST_PART));
        early = new ScriptedCell(request -> Answer.early(
                "HTTP/1.1 200 OK\r\nContent-Length: " + (FIRST_PART + REST).length() + "\r\n\r\n" + FIRST_PART, REST));
        wiremock = WireMockCell.start("wm");
        // Five chunks, 600 ms apart: 2.4 s in all, yet never a second without a byte.
        wiremock.stub(get(urlEqualTo("/dribble"))
                .willReturn(aResponse().withStatus(200).withBody(DRIBBLED).withChunkedDribbleDelay(5, 3000)));
        wiremock.stub(get(urlEqualTo("/large"))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Length", String.valueOf(LARGE.length))
                        .withBody(LARGE)));
        h2 = new H2TestCell("h2");
        grpc = GrpcCell.start("grpc");
    }

    @AfterAll
    static void stopCells() {
        stalling.close();
        early.close();
        noLength.close();
        wiremock.close();
        h2.close();
        grpc.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
                    "",
                    r -> "  - name: sc\n    endpoint: " + stalling.endpoint() + "\n"
                            + "  - name: early\n    endpoint: " + early.endpoint() + "\n"
                            + "  - name: nolen\n    endpoint: " + noLength.endpoint() + "\n"
                            + wiremock.registryYaml()
                            + "  - name: h2\n    endpoint: h2c://127.0.0.1:" + h2.port() + "\n"
                            + "  - name: grpc\n    endpoint: h2c://127.0.0.1:" + grpc.port() + "\n",
                    "  alice: sc\n  bob: wm\n  carol: h2\n  dave: grpc\n  erin: early\n  frank: nolen\n")
            .proxy(() -> "  upstream:\n    connectTimeout: 1s\n    responseTimeout: 5s\n    responseBodyTimeout: "
                    + BODY_TIMEOUT_MILLIS + "ms\n");

    @Test
    void http1Client_cellQuietMidAnswer_connectionClosesAfterTheTimeout_answerNeverComplete() throws Exception {
        try (Socket socket = connect()) {
            long sent = System.nanoTime();
            write(socket, "GET /x HTTP/1.1\r\nHost: router\r\nx-customer-id: alice\r\n\r\n");

            String all = RawHttp.readToAReset(socket.getInputStream());
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

            assertThat(all)
                    .startsWith("HTTP/1.1 200")
                    .containsIgnoringCase("content-length: 100")
                    .endsWith(FIRST_PART);
            assertThat(millis).as("cut after the timeout, not before").isGreaterThanOrEqualTo(BODY_TIMEOUT_MILLIS);
            assertThat(millis)
                    .as("the body timeout, not the 5 s response timeout")
                    .isLessThan(4_000);
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                        router.server().metrics().scrape())
                .as("counted as an answer cut short")
                .containsPattern(
                        "cellrouter_requests_total\\{cell=\"sc\",outcome=\"aborted\",protocol=\"http1\"[^}]*} 1\\.0"));
    }

    @Test
    void http1Client_http2CellQuietMidAnswer_connectionCloses() throws Exception {
        try (Socket socket = connect()) {
            long sent = System.nanoTime();
            write(socket, "GET /stall HTTP/1.1\r\nHost: router\r\nx-customer-id: carol\r\n\r\n");

            String all = RawHttp.readToAReset(socket.getInputStream());
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

            assertThat(all).startsWith("HTTP/1.1 200").contains(FIRST_PART).doesNotContain("\r\n0\r\n\r\n");
            assertThat(millis).isBetween(BODY_TIMEOUT_MILLIS, 4_000L);
        }
    }

    /**
     * frank's cell answers without a length, so the close ends the answer: an HTTP/1.0 client
     * would take an end of stream after the first part for the whole answer. It gets a reset. An
     * HTTP/1.1 client gets the answer re-framed as chunks, and the same reset after the first part.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"HTTP/1.0", "HTTP/1.1"})
    void cellQuietMidAnswerWithoutALength_theClientGetsAReset_notAnEnd(String version) throws Exception {
        try (Socket socket = connect()) {
            write(socket, "GET /x " + version + "\r\nHost: router\r\nx-customer-id: frank\r\n\r\n");

            String all = RawHttp.readToAReset(socket.getInputStream());

            assertThat(all).startsWith("HTTP/1.").contains(FIRST_PART).doesNotContainIgnoringCase("content-length");
        }
    }

    /** alice's cell speaks HTTP/1.1 (the stream is converted); carol's is an h2c cell (frames relayed). */
    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"alice, /x", "carol, /stall"})
    void http2Client_cellQuietMidAnswer_streamIsReset_connectionServesOn(String customer, String path)
            throws Exception {
        try (H2Client client = new H2Client(router.server().proxyAddress())) {
            long sent = System.nanoTime();
            H2Client.Response cut = client.send(H2Client.request("GET", path, "x-customer-id", customer), null)
                    .get(15, TimeUnit.SECONDS);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

            assertThat(cut.status()).isEqualTo("200");
            assertThat(cut.bodyStart()).isEqualTo(FIRST_PART);
            assertThat(cut.resetCode()).isEqualTo(Http2Error.INTERNAL_ERROR.code());
            assertThat(millis).isBetween(BODY_TIMEOUT_MILLIS, 4_000L);

            H2Client.Response next = client.send(H2Client.request("GET", "/next", "x-customer-id", "carol"), null)
                    .get(10, TimeUnit.SECONDS);
            assertThat(next.status())
                    .as("the client's connection, and carol's cell's, serve on")
                    .isEqualTo("200");
        }
    }

    /**
     * The cell answers as soon as it has the request's head and finishes once it has read the whole
     * upload, which the client sends slowly: the exchange never stands still for the timeout, though
     * the answer does. erin's cell speaks HTTP/1.1; carol's is an h2c cell.
     */
    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"erin, /upload", "carol, /early"})
    void http1Client_cellAnswersEarly_thenReadsASlowUpload_answerIsNotCut(String customer, String path)
            throws Exception {
        try (Socket socket = connect()) {
            UPLOAD.overHttp1(socket, path, customer);

            RawHttp.Response answer = RawHttp.read(socket.getInputStream());
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo(FIRST_PART + rest(path));
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"erin, /upload", "carol, /early"})
    void http2Client_cellAnswersEarly_thenReadsASlowUpload_streamIsNotReset(String customer, String path)
            throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            UPLOAD.overHttp2(raw, path, customer);

            List<String> stream1 = raw.readStream(1, 10_000);
            assertThat(stream1).first().asString().startsWith("HEADERS 1 200");
            assertThat(stream1)
                    .noneMatch(e -> e.startsWith("RST"))
                    .last()
                    .asString()
                    .endsWith(" end");
            assertThat(raw.body(1)).isEqualTo(FIRST_PART + rest(path));
        }
    }

    /** What the early-answering cells send once they have read the upload. */
    private static String rest(String path) {
        return path.equals("/early") ? " bytes=" + UPLOAD.bytes() : REST;
    }

    @Test
    void answerDribbledSlowerThanTheTimeoutInAll_butNeverQuietThatLong_arrivesWhole() throws Exception {
        HttpResponse<byte[]> http1 = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                        HttpRequest.newBuilder(router.proxy("/dribble"))
                                .header("x-customer-id", "bob")
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertThat(http1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(http1.statusCode()).isEqualTo(200);
        assertThat(http1.body()).isEqualTo(DRIBBLED);

        try (H2Client client = new H2Client(router.server().proxyAddress())) {
            H2Client.Response http2 = client.send(H2Client.request("GET", "/dribble", "x-customer-id", "bob"), null)
                    .get(20, TimeUnit.SECONDS);
            assertThat(http2.status()).isEqualTo("200");
            assertThat(http2.bytes()).isEqualTo(DRIBBLED.length);
            assertThat(http2.resetCode()).as("no reset").isEqualTo(-1);
        }
    }

    @Test
    void http1ClientThatStopsReading_isNotTheCellsSilence_answerArrivesWhole() throws Exception {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 << 10);
            socket.connect(router.server().proxyAddress(), 5000);
            socket.setSoTimeout(20_000);
            write(socket, "GET /large HTTP/1.1\r\nHost: router\r\nx-customer-id: bob\r\nConnection: close\r\n\r\n");

            // The client reads nothing for three body timeouts: the router stops reading the cell
            // meanwhile, so the cell's quiet is the client's doing. Nothing to await but the clock.
            Thread.sleep(3 * BODY_TIMEOUT_MILLIS);

            RawHttp.Response answer = RawHttp.read(socket.getInputStream()); // throws if cut short
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body().length()).isEqualTo(LARGE.length);
            assertThat(answer.body().chars().allMatch(c -> c == 'L')).isTrue();
        }
    }

    @Test
    void grpcServerStream_quieterThanTheTimeoutBetweenMessages_isNotCut() {
        ManagedChannel channel = NettyChannelBuilder.forAddress(
                        "127.0.0.1", router.server().proxyAddress().getPort())
                .usePlaintext()
                .build();
        try {
            Metadata customer = new Metadata();
            customer.put(Metadata.Key.of("x-customer-id", Metadata.ASCII_STRING_MARSHALLER), "dave");
            Iterator<EchoReply> replies = EchoGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(customer))
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .serverStream(EchoRequest.newBuilder()
                            .setText("slow")
                            .setCount(3)
                            .setSleepMs(BODY_TIMEOUT_MILLIS * 3 / 2)
                            .build());
            long start = System.nanoTime();
            for (int seq = 0; seq < 3; seq++) {
                EchoReply reply = replies.next();
                assertThat(reply.getSeq()).isEqualTo(seq);
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                    .as("two gaps, each longer than the body timeout")
                    .isGreaterThanOrEqualTo(2 * BODY_TIMEOUT_MILLIS);
        } finally {
            channel.shutdownNow();
        }
    }

    private Socket connect() throws IOException {
        return RawHttp.connect(router.server().proxyAddress(), 20_000);
    }

    private static byte[] filled(int length, char c) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) c);
        return bytes;
    }
}
