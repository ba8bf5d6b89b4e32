package io.cellrouter.router.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.token.SigningKey;
import io.cellrouter.registry.token.TokenMinter;
import io.cellrouter.router.grpc.test.EchoGrpc;
import io.cellrouter.router.grpc.test.EchoRequest;
import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.WireMockCell;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Identity is never guessed: two values for what a source reads, or a bearer credential that is
 * not well formed, is {@code 400 ambiguous_identity} and nothing reaches any cell. Alice lives on
 * cell wm-a, Bob on wm-b; both cells are WireMock, whose journals show what a cell received.
 */
@Timeout(60)
class IdentityAmbiguityIT {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-ambiguity";

    private WireMockCell alicesCell;
    private WireMockCell bobsCell;

    @RegisterExtension
    final RouterExtension router = new RouterExtension("", r -> startCells(), "  alice: wm-a\n  bob: wm-b\n")
            .identityFirst(() -> "  - jwt:\n      hmacSecret: " + SECRET + "\n");

    private final TokenMinter minter = TokenMinter.builder(
                    SigningKey.hmac(SECRET.getBytes(StandardCharsets.UTF_8), null, null))
            .build();

    private String startCells() {
        alicesCell = WireMockCell.start("wm-a");
        bobsCell = WireMockCell.start("wm-b");
        return alicesCell.registryYaml() + bobsCell.registryYaml();
    }

    @AfterEach
    void stopCells() {
        alicesCell.close();
        bobsCell.close();
    }

    private String aliceToken() {
        return minter.mint("alice", null, null, Duration.ofMinutes(5));
    }

    private RawHttp.Response send(String headers) throws Exception {
        return RawHttp.exchange(router.server().proxyAddress(), "GET /x HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n");
    }

    private void assertRefusedAndNothingForwarded(RawHttp.Response response) {
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("\"error\":\"ambiguous_identity\"");
        assertThat(alicesCell.received()).isEmpty();
        assertThat(bobsCell.received()).isEmpty();
    }

    @Test
    void validBearer_alone_routesToTheTokensCustomer_andIdentityHeadersAreDropped() throws Exception {
        RawHttp.Response response = send("Authorization: Bearer " + aliceToken() + "\r\nx-customer-id: bob\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("wm-a");
        assertThat(alicesCell.received()).singleElement().satisfies(r -> {
            assertThat(r.containsHeader("x-customer-id")).isFalse();
            assertThat(r.getHeader("authorization")).startsWith("Bearer ");
        });
        assertThat(bobsCell.received()).isEmpty();
    }

    @Test
    void bearerThenBasic_withAnotherCustomersHeader_isRefused() throws Exception {
        assertRefusedAndNothingForwarded(send("Authorization: Bearer " + aliceToken()
                + "\r\nAuthorization: Basic Ym9iOnB3\r\nx-customer-id: bob\r\n"));
    }

    @Test
    void basicThenBearer_withAnotherCustomersHeader_isRefused() throws Exception {
        assertRefusedAndNothingForwarded(send("Authorization: Basic Ym9iOnB3\r\nAuthorization: Bearer " + aliceToken()
                + "\r\nx-customer-id: bob\r\n"));
    }

    @Test
    void bearerThenEmptyAuthorization_isRefused() throws Exception {
        assertRefusedAndNothingForwarded(
                send("Authorization: Bearer " + aliceToken() + "\r\nAuthorization:\r\nx-customer-id: bob\r\n"));
    }

    @Test
    void bearerThenTabSeparatedBearer_isRefused() throws Exception {
        assertRefusedAndNothingForwarded(send(
                "Authorization: Bearer " + aliceToken() + "\r\nAuthorization: Bearer\tx\r\nx-customer-id: bob\r\n"));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"Bearer\t%s", "bearer\t%s", "BEARER", "Bearer ", "Bearer %s extra", "Bearer %s,Bearer x"})
    void singleMalformedBearer_withAnotherCustomersHeader_isRefused(String form) throws Exception {
        String value = form.contains("%s") ? form.formatted(aliceToken()) : form;
        assertRefusedAndNothingForwarded(send("Authorization: " + value + "\r\nx-customer-id: bob\r\n"));
    }

    @Test
    void basicAlone_fallsThroughToTheHeaderSource() throws Exception {
        RawHttp.Response response = send("Authorization: Basic Ym9iOnB3\r\nx-customer-id: bob\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("wm-b");
    }

    @Test
    void twoCustomerHeaders_areRefused() throws Exception {
        assertRefusedAndNothingForwarded(send("x-customer-id: alice\r\nx-customer-id: bob\r\n"));
    }

    @Test
    void twoCustomerHeaders_evenWhenEqual_areRefused() throws Exception {
        assertRefusedAndNothingForwarded(send("x-customer-id: alice\r\nx-customer-id: alice\r\n"));
    }

    @Test
    void customerHeaderWithAList_isRefused() throws Exception {
        assertRefusedAndNothingForwarded(send("x-customer-id: alice, bob\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "/x?customer=alice&customer=bob",
                "/x?customer=alice&%63ustomer=bob",
                "/x?customer=alice;customer=bob",
                "/x?customer=alice&customer="
            })
    void repeatedQueryParameter_isRefused(String target) throws Exception {
        assertRefusedAndNothingForwarded(
                RawHttp.exchange(router.server().proxyAddress(), "GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n"));
    }

    @Test
    void http2_twoAuthorizationFields_areRefused() throws Exception {
        try (H2Client h2 = new H2Client(router.server().proxyAddress())) {
            H2Client.Response response = h2.send(
                            H2Client.request(
                                    "GET",
                                    "/x",
                                    "authorization",
                                    "Bearer " + aliceToken(),
                                    "authorization",
                                    "Basic Ym9iOnB3",
                                    "x-customer-id",
                                    "bob"),
                            null)
                    .get(10, TimeUnit.SECONDS);

            assertThat(response.status()).isEqualTo("400");
            assertThat(response.bodyStart()).contains("ambiguous_identity");
        }
        assertThat(alicesCell.received()).isEmpty();
        assertThat(bobsCell.received()).isEmpty();
    }

    @Test
    void grpc_twoCustomerIdsInMetadata_isInvalidArgument() throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress(
                        "127.0.0.1", router.server().proxyAddress().getPort())
                .usePlaintext()
                .build();
        try {
            Metadata metadata = new Metadata();
            Metadata.Key<String> key = Metadata.Key.of("x-customer-id", Metadata.ASCII_STRING_MARSHALLER);
            metadata.put(key, "alice");
            metadata.put(key, "bob");
            EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata))
                    .withDeadlineAfter(10, TimeUnit.SECONDS);

            StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    StatusRuntimeException.class,
                    () -> stub.unary(EchoRequest.newBuilder().setText("hi").build()));

            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(refused.getStatus().getDescription()).contains("ambiguous_identity");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertThat(alicesCell.received()).isEmpty();
        assertThat(bobsCell.received()).isEmpty();
    }
}
