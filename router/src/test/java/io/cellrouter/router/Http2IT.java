package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.grpc.test.EchoGrpc;
import io.cellrouter.router.grpc.test.EchoRequest;
import io.cellrouter.router.testing.ExternalTools;
import io.cellrouter.router.testing.GrpcCell;
import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.TestCell;
import io.cellrouter.router.testing.TestCertificates;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HTTP/2 at the front (h2c prior knowledge, h2c Upgrade, TLS with ALPN) and at the back
 * ({@code https://} cells over TLS with ALPN h2), next to HTTP/1.1 on the same port.
 */
class Http2IT {

    static TestCertificates certs;
    static GrpcCell tlsCell;

    @BeforeAll
    static void setUp() throws Exception {
        certs = TestCertificates.create();
        tlsCell = GrpcCell.startTls("grpc-tls", certs.serverChainPem(), certs.serverKeyPem());
    }

    @AfterAll
    static void tearDown() {
        tlsCell.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
                    "",
                    r -> "  - name: grpc-tls\n    endpoint: https://localhost:%d\n".formatted(tlsCell.port()),
                    "  secure: grpc-tls\n")
            .proxy(() -> {
                try {
                    return """
                              tls:
                                listen: 127.0.0.1:0
                                certificate: %s
                                privateKey: %s
                              upstream:
                                trustCertificates: %s
                            """
                            .formatted(certs.serverChainPem(), certs.serverKeyPem(), certs.caPem());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

    @Test
    void priorKnowledge_twoCustomersOnOneConnection_reachTwoCells() throws Exception {
        try (H2Client client = new H2Client(router.server().proxyAddress())) {
            CompletableFuture<H2Client.Response> acme =
                    client.send(H2Client.request("GET", "/a", "x-customer-id", "acme"), null);
            CompletableFuture<H2Client.Response> globex =
                    client.send(H2Client.request("GET", "/b", "x-customer-id", "globex"), null);

            assertThat(acme.get(10, TimeUnit.SECONDS).header("x-served-by")).isEqualTo("cell-1");
            assertThat(globex.get(10, TimeUnit.SECONDS).header("x-served-by")).isEqualTo("cell-2");
            assertThat(acme.get().status()).isEqualTo("200");
        }
    }

    @Test
    void priorKnowledge_requestBody_reachesHttp1CellIntact() throws Exception {
        byte[] body = new byte[300_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = TestCell.pattern(i);
        }
        try (H2Client client = new H2Client(router.server().proxyAddress())) {
            H2Client.Response response = client.send(H2Client.request("POST", "/up", "x-customer-id", "acme"), body)
                    .get(10, TimeUnit.SECONDS);

            assertThat(response.status()).isEqualTo("200");
            assertThat(response.bodyStart())
                    .contains("\"bytes\":" + body.length)
                    .contains("\"sha256\":\"" + TestCell.sha256OfPattern(body.length) + "\"");
        }
        String lastSeen = router.cell("cell-1").receivedHeaders().get(0).get("transfer-encoding");
        assertThat(lastSeen).isEqualTo("chunked");
    }

    @Test
    void upgradeFromHttp1_routes() throws Exception {
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> first = client.send(
                HttpRequest.newBuilder(router.proxy("/upgrade"))
                        .header("x-customer-id", "globex")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> second = client.send(
                HttpRequest.newBuilder(router.proxy("/again"))
                        .header("x-customer-id", "acme")
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("x-served-by")).hasValue("cell-2");
        assertThat(second.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(second.headers().firstValue("x-served-by")).hasValue("cell-1");
    }

    /**
     * curl's {@code --http2} on a cleartext URL upgrades with the request's body in the Upgrade
     * request. That body is outside HTTP/2 flow control; acknowledging it as if Netty had counted it
     * was a connection error (GOAWAY INTERNAL_ERROR) and curl got no answer.
     */
    @Test
    void upgradeFromHttp1_withABody_reachesTheCellWhole() throws Exception {
        ExternalTools.Result result = curlHttp2Upload("hello, cell");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("RESULT 200 2").contains("\"bytes\":11");
    }

    /** Over the upgrade's 64 KiB: not upgraded, served as HTTP/1.1 as it streams, the body whole (not a bare 413). */
    @Test
    void upgradeFromHttp1_withABodyOver64KiB_isServedAsHttp11_andReachesTheCellWhole() throws Exception {
        java.nio.file.Path body = router.dir().resolve("100k.bin");
        java.nio.file.Files.write(body, new byte[100 * 1024]);
        ExternalTools.Result result = curlHttp2Upload("@" + body);

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("RESULT 200 1.1").contains("\"bytes\":102400");
    }

    /** {@code curl --http2 --data-binary <data>} to /upload (cleartext: by Upgrade), its status and version last. */
    private ExternalTools.Result curlHttp2Upload(String data) throws Exception {
        return ExternalTools.run(
                router.dir(),
                List.of(
                        ExternalTools.require("curl", "curl").toString(),
                        "-sS",
                        "--http2",
                        "-H",
                        "x-customer-id: globex",
                        "--data-binary",
                        data,
                        "-w",
                        "\nRESULT %{http_code} %{http_version}\n",
                        router.proxy("/upload").toString()));
    }

    /** A first request with any other Upgrade and a body over 64 KiB: an ordinary request, streamed to the cell whole. */
    @Test
    void firstRequestWithAWebSocketUpgradeAndABodyOver64KiB_isAnOrdinaryRequest_reachingTheCellWhole()
            throws Exception {
        String request = "POST /upload HTTP/1.1\r\nHost: a\r\nx-customer-id: globex\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade, close\r\nContent-Length: 70000\r\n\r\n" + "b".repeat(70_000);

        io.cellrouter.router.testing.RawHttp.Response response =
                io.cellrouter.router.testing.RawHttp.exchange(router.server().proxyAddress(), request);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("\"bytes\":70000");
        assertThat(router.cell("cell-2").receivedHeaders().get(0).contains("upgrade"))
                .isFalse();
    }

    @Test
    void tls_alpnH2_routes() throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .sslContext(certs.clientContext())
                .connectTimeout(Duration.ofSeconds(5))
                .build();

        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(tlsUri("/secure"))
                        .header("x-customer-id", "globex")
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.headers().firstValue("x-served-by")).hasValue("cell-2");
        assertThat(router.cell("cell-2").receivedHeaders().get(0).get("x-forwarded-proto"))
                .isEqualTo("https");
    }

    @Test
    void tls_http11Client_routes() throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(certs.clientContext())
                .build();

        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(tlsUri("/secure"))
                        .header("x-customer-id", "acme")
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(response.headers().firstValue("x-served-by")).hasValue("cell-1");
    }

    @Test
    void http1Clients_onTheSamePort_keepWorking() throws Exception {
        assertThat(router.get("acme", "/h1").headers().firstValue("x-served-by"))
                .hasValue("cell-1");
    }

    @Test
    void httpsCell_isReachedOverTlsWithAlpnH2() {
        ManagedChannel channel = NettyChannelBuilder.forAddress(
                        "127.0.0.1", router.server().proxyAddress().getPort())
                .usePlaintext()
                .build();
        try {
            Metadata metadata = new Metadata();
            metadata.put(Metadata.Key.of("x-customer-id", Metadata.ASCII_STRING_MARSHALLER), "secure");
            String cell = EchoGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata))
                    .unary(EchoRequest.newBuilder().setText("x").build())
                    .getCell();
            assertThat(cell).isEqualTo("grpc-tls");
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void http1Client_toAnHttpsCell_isTranslatedToHttp2() throws Exception {
        HttpResponse<String> response = router.client()
                .send(
                        HttpRequest.newBuilder(router.proxy("/cellrouter.test.Echo/Unary"))
                                .header("x-customer-id", "secure")
                                .POST(HttpRequest.BodyPublishers.ofString(""))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        // grpc-java answers a request that is not gRPC with 415; what matters is that it answered.
        assertThat(response.statusCode()).isEqualTo(415);
    }

    private URI tlsUri(String path) {
        return URI.create("https://127.0.0.1:" + router.server().tlsAddress().getPort() + path);
    }
}
