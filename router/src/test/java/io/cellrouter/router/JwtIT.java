package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.cellrouter.registry.token.SigningKey;
import io.cellrouter.registry.token.TokenMinter;
import io.cellrouter.router.grpc.test.EchoGrpc;
import io.cellrouter.router.grpc.test.EchoRequest;
import io.cellrouter.router.testing.GrpcCell;
import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code jwt} identity source end to end, over real sockets: a real router with the file
 * registry, real cells, bearer tokens over HTTP/1.1 and gRPC metadata (issue 5).
 */
class JwtIT {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-jwt-it";
    private static final ECKey FIRST = ec("k1");
    private static final ECKey SECOND = ec("k2");

    static GrpcCell grpc1;

    @TempDir
    Path keys;

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
                    "",
                    r -> "  - name: grpc-1\n    endpoint: h2c://127.0.0.1:%d\n".formatted(grpc1.port()),
                    "  alpha: grpc-1\n")
            .identityFirst(this::jwtSource);

    private final TokenMinter hmac = TokenMinter.builder(
                    SigningKey.hmac(SECRET.getBytes(StandardCharsets.UTF_8), null, null))
            .build();

    @BeforeAll
    static void startGrpcCell() throws Exception {
        grpc1 = GrpcCell.start("grpc-1");
    }

    @AfterAll
    static void stopGrpcCell() {
        grpc1.close();
    }

    private static ECKey ec(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The jwt source, first in the list; its JWK Set starts with key k1. */
    private String jwtSource() {
        try {
            writeJwks(FIRST);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return "  - jwt:\n      hmacSecret: " + SECRET + "\n      jwksFile: " + keys.resolve("keys.json") + "\n";
    }

    private void writeJwks(JWK... jwks) throws Exception {
        Path tmp = keys.resolve("keys.json.tmp");
        Files.writeString(tmp, new JWKSet(List.of(jwks)).toPublicJWKSet().toString());
        Files.move(tmp, keys.resolve("keys.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private String token(String customer, String cell) {
        return hmac.mint(customer, cell, null, Duration.ofHours(1));
    }

    private HttpResponse<String> get(String bearer, String customerHeader) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(router.proxy("/hello")).timeout(Duration.ofSeconds(10));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (customerHeader != null) {
            request.header("x-customer-id", customerHeader);
        }
        return router.client().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void validTokenForA_withXCustomerIdB_routesAsAOnly_andTheCellNeverSeesB() throws Exception {
        HttpResponse<String> response = get(token("acme", null), "globex");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-served-by")).hasValue("cell-1");
        assertThat(router.cell("cell-2").requestCount()).isZero();
        HttpHeaders atCell = router.cell("cell-1").receivedHeaders().get(0);
        assertThat(atCell.getAll("x-customer-id")).isEmpty();
        assertThat(atCell.get("authorization")).startsWith("Bearer ");
        assertThat(atCell.getAll("x-cell-router-customer")).containsExactly("acme");
    }

    /**
     * x_customer_id is x-customer-id to a CGI, WSGI or Rack server (both HTTP_X_CUSTOMER_ID): next
     * to a token, no spelling of the identity header reaches the cell, over HTTP/1.1 or h2c.
     */
    @Test
    void validTokenForA_withUnderscoreSpellingsOfXCustomerIdB_theCellSeesNoneOfThem() throws Exception {
        String bearer = "Bearer " + token("acme", null);
        RawHttp.Response http1 = RawHttp.exchange(
                router.server().proxyAddress(),
                "GET /hello HTTP/1.1\r\nHost: example.test\r\nAuthorization: " + bearer
                        + "\r\nx_customer_id: globex\r\nX-Customer_Id: globex\r\nx-customer-id: globex"
                        + "\r\nConnection: close\r\n\r\n");
        assertThat(http1.status()).isEqualTo(200);
        try (H2Client client = new H2Client(router.server().proxyAddress())) {
            H2Client.Response h2 = client.send(
                            H2Client.request(
                                    "GET",
                                    "/hello",
                                    "authorization",
                                    bearer,
                                    "x_customer_id",
                                    "globex",
                                    "x-customer_id",
                                    "globex"),
                            null)
                    .get(10, TimeUnit.SECONDS);
            assertThat(h2.status()).isEqualTo("200");
        }

        assertThat(router.cell("cell-2").requestCount()).isZero();
        List<HttpHeaders> received = router.cell("cell-1").receivedHeaders();
        assertThat(received).hasSize(2);
        for (HttpHeaders atCell : received) {
            assertThat(atCell.names())
                    .noneMatch(name ->
                            name.toLowerCase(Locale.ROOT).replace('_', '-').equals("x-customer-id"));
            assertThat(atCell.get("authorization")).isEqualTo(bearer);
        }
    }

    @Test
    void invalidToken_is401InvalidToken_andNeverFallsThroughToTheHeader() throws Exception {
        String[] parts = token("acme", null).split("\\.");
        String tampered = parts[0] + "." + parts[1] + "x." + parts[2];

        HttpResponse<String> response = get(tampered, "acme");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("\"invalid_token\"");
        assertThat(router.cell("cell-1").requestCount() + router.cell("cell-2").requestCount())
                .isZero();
    }

    @Test
    void tokenCellHint_routesACustomerTheRegistryDoesNotKnow() throws Exception {
        assertThat(get(null, "newco").statusCode()).isEqualTo(404);

        HttpResponse<String> response = get(token("newco", "cell-2"), null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-served-by")).hasValue("cell-2");
    }

    @Test
    void registryPlacementElsewhere_winsOverTheTokenHint_andIsCounted() throws Exception {
        HttpResponse<String> response = get(token("acme", "cell-2"), null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-served-by")).hasValue("cell-1");
        assertThat(router.server().metrics().scrape()).contains("cellrouter_token_hint_overruled_total 1.0");
    }

    @Test
    void keyRotation_tokenOfANewKeyIsAcceptedOnceTheJwksFileHasIt_withoutRestart() throws Exception {
        String token = TokenMinter.builder(SigningKey.of(SECOND, null, null))
                .build()
                .mint("globex", null, null, Duration.ofHours(1));
        HttpResponse<String> before = get(token, null);
        assertThat(before.statusCode()).isEqualTo(401);
        assertThat(before.body()).contains("unknown key id");

        writeJwks(FIRST, SECOND);

        await().atMost(Duration.ofSeconds(10)).until(() -> get(token, null).statusCode() == 200);
        assertThat(get(token, null).headers().firstValue("x-served-by")).hasValue("cell-2");
    }

    @Test
    void grpc_bearerTokenInAuthorizationMetadata_routesTheCall_andAnInvalidOneIsUnauthenticated() {
        ManagedChannel channel = NettyChannelBuilder.forAddress(
                        "127.0.0.1", router.server().proxyAddress().getPort())
                .usePlaintext()
                .build();
        try {
            assertThat(stub(channel, token("alpha", null)).unary(request()).getCell())
                    .isEqualTo("grpc-1");
            assertThatThrownBy(() -> stub(channel, token("alpha", null) + "x").unary(request()))
                    .isInstanceOfSatisfying(
                            StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        } finally {
            channel.shutdownNow();
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static EchoGrpc.EchoBlockingStub stub(ManagedChannel channel, String bearer) {
        Metadata metadata = new Metadata();
        metadata.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + bearer);
        return EchoGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static EchoRequest request() {
        return EchoRequest.newBuilder().setText("hi").build();
    }
}
