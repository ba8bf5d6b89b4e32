package io.cellrouter.router;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.store.dynamodb.Tables;
import io.cellrouter.registry.testing.WireProxy;
import io.cellrouter.router.grpc.test.EchoGrpc;
import io.cellrouter.router.grpc.test.EchoRequest;
import io.cellrouter.router.testing.AdminCalls;
import io.cellrouter.router.testing.DynamoDbRouters;
import io.cellrouter.router.testing.GrpcCell;
import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.H2TestCell;
import io.cellrouter.router.testing.WireMockCell;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Misroute correction end to end: a router on DynamoDB (dynalite behind a call-counting {@link
 * WireProxy}) whose cache goes stale because placements are written straight into the table, with
 * no change-feed entry, as if another control plane had moved the customers behind its back. The
 * old cell answers 421; the router reads the table once and sends the request to the new cell.
 *
 * <p>Cells: cell-1 and cell-2 are WireMock (HTTP/1.1: their journals show what each received);
 * h2-old is an h2c cell that answers 421 on demand, grpc-new a grpc-java cell.
 */
class MisrouteIT {

    private static final String TOKEN = "misroute-admin-token-0123456789";

    private static DynamoDbRouters routers;
    private static WireProxy wire;
    private static WireMockCell cell1;
    private static WireMockCell cell2;
    private static H2TestCell h2Old;
    private static GrpcCell grpcNew;
    private static RouterServer router;

    @TempDir
    static Path files;

    @BeforeAll
    static void start() throws Exception {
        // No change feed is polled within a test (10m): the cache goes stale only by what a test writes.
        routers = DynamoDbRouters.inMemory(files)
                .countingCalls()
                .adminToken(TOKEN)
                .pollInterval(Duration.ofMinutes(10));
        wire = routers.wire();
        cell1 = WireMockCell.start("cell-1");
        cell2 = WireMockCell.start("cell-2");
        h2Old = new H2TestCell("h2-old");
        grpcNew = GrpcCell.start("grpc-new");
        Map<String, String> customers = new java.util.LinkedHashMap<>();
        for (String customer :
                List.of("acme", "umbrella", "globex", "initech", "hooli", "wayne", "stark", "tyrell", "cyberdyne")) {
            customers.put(customer, "cell-1");
        }
        customers.put("solo-h1", "cell-1");
        customers.put("solo-h2", "cell-1");
        customers.put("grpc-moved", "h2-old");
        customers.put("grpc-stays", "h2-old");
        Tables.createAndLoad(
                routers.table(),
                new RegistryDocument(
                        List.of(
                                new Cell("cell-1", URI.create(cell1.endpoint()), CellState.ACTIVE),
                                new Cell("cell-2", URI.create(cell2.endpoint()), CellState.ACTIVE),
                                new Cell("h2-old", URI.create("h2c://127.0.0.1:" + h2Old.port()), CellState.ACTIVE),
                                new Cell(
                                        "grpc-new", URI.create("h2c://127.0.0.1:" + grpcNew.port()), CellState.ACTIVE)),
                        customers,
                        List.of(),
                        Map.of()));
        router = routers.startRouter("identity:\n  - header: x-customer-id\n");
    }

    @AfterAll
    static void stop() {
        routers.close(); // the router, the wire proxy, dynalite
        cell1.close();
        cell2.close();
        h2Old.close();
        grpcNew.close();
    }

    @BeforeEach
    void resetJournals() {
        cell1.server().resetRequests();
        cell2.server().resetRequests();
    }

    @Test
    void customerMovedBehindTheRoutersBack_oldCellAnswers421_clientGets200FromTheNewCell_afterOneStoreRead()
            throws Exception {
        assertThat(get("acme").headers().firstValue("x-served-by")).contains("cell-1");
        moveBehindTheBack("acme", "cell-2");
        disown(cell1, "acme", "cell-2");
        // Reads of acme's placement; a placement written this recently also makes the router read
        // the feed up to its head first (a move's freeze would be there), which is not counted here.
        long reads = wire.calls("GetItem", "CUSTOMER#acme");

        HttpResponse<String> answer = get("acme");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("cell-2");
        assertThat(wire.calls("GetItem", "CUSTOMER#acme") - reads).isEqualTo(1);
        assertThat(received(cell1, "acme")).hasSize(2); // the first request, then the one it disowned
        List<LoggedRequest> atNewCell = received(cell2, "acme");
        assertThat(atNewCell).hasSize(1);
        assertThat(atNewCell.get(0).getHeader("x-cell-router-cell")).isEqualTo("cell-2");
        assertThat(metric("cellrouter_misroutes_total{cell=\"cell-1\",outcome=\"corrected\"}"))
                .isGreaterThanOrEqualTo(1);

        // The cache now says cell-2: the next request goes straight there, without another read.
        assertThat(get("acme").body()).isEqualTo("cell-2");
        assertThat(received(cell1, "acme")).hasSize(2);
        assertThat(wire.calls("GetItem", "CUSTOMER#acme") - reads).isEqualTo(1);
    }

    @Test
    void postWithASmallBody_isSentWholeToTheNewCell() throws Exception {
        moveBehindTheBack("umbrella", "cell-2");
        disown(cell1, "umbrella", "cell-2");
        byte[] body = new byte[20 * 1024];
        Arrays.fill(body, (byte) 'u');

        HttpResponse<String> answer = post("umbrella", body);

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("cell-2");
        List<LoggedRequest> atNewCell = received(cell2, "umbrella");
        assertThat(atNewCell).hasSize(1);
        assertThat(atNewCell.get(0).getMethod().getName()).isEqualTo("POST");
        assertThat(atNewCell.get(0).getBody()).isEqualTo(body);
    }

    @Test
    void requestWithABodyOver64KiB_isNotReplayable_clientGets421Misrouted_andTheNextRequestGoesToTheNewCell()
            throws Exception {
        moveBehindTheBack("globex", "cell-2");
        disown(cell1, "globex", "cell-2");
        byte[] body = new byte[100 * 1024];
        Arrays.fill(body, (byte) 'g');

        HttpResponse<String> answer = post("globex", body);

        assertThat(answer.statusCode()).isEqualTo(421);
        assertThat(answer.body()).contains("\"error\":\"misrouted\"");
        assertThat(received(cell2, "globex")).isEmpty();
        assertThat(metric("cellrouter_misroutes_total{cell=\"cell-1\",outcome=\"not_replayable\"}"))
                .isGreaterThanOrEqualTo(1);
        // The registry was read anyway: the customer's next request goes to its new cell.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> "cell-2".equals(get("globex").body()));
    }

    @Test
    void cellNamingACellTheStoreDoesNotConfirm_isNotFollowed_clientGets421Misrouted() throws Exception {
        disown(cell1, "initech", "cell-2"); // the table still places initech on cell-1
        long reads = wire.calls("GetItem");

        HttpResponse<String> answer = get("initech");

        assertThat(answer.statusCode()).isEqualTo(421);
        assertThat(answer.body()).contains("\"error\":\"misrouted\"");
        assertThat(received(cell2, "initech")).isEmpty();
        assertThat(wire.calls("GetItem") - reads).isEqualTo(1);
        assertThat(metric("cellrouter_misroutes_total{cell=\"cell-1\",outcome=\"unconfirmed\"}"))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void cellNamingItself_isNotFollowedEither() throws Exception {
        disown(cell1, "wayne", "cell-1");

        HttpResponse<String> answer = get("wayne");

        assertThat(answer.statusCode()).isEqualTo(421);
        assertThat(received(cell1, "wayne")).hasSize(1);
        assertThat(received(cell2, "wayne")).isEmpty();
    }

    @Test
    void newCellDisownsTheCustomerToo_isNotFollowedASecondTime() throws Exception {
        moveBehindTheBack("stark", "cell-2");
        disown(cell1, "stark", "cell-2");
        disown(cell2, "stark", "cell-1");

        HttpResponse<String> answer = get("stark");

        assertThat(answer.statusCode()).isEqualTo(421);
        assertThat(received(cell1, "stark")).hasSize(1);
        assertThat(received(cell2, "stark")).hasSize(1);
        assertThat(metric("cellrouter_misroutes_total{cell=\"cell-2\",outcome=\"repeated\"}"))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void http2Client_customerMovedBehindTheBack_isCorrected() throws Exception {
        moveBehindTheBack("hooli", "cell-2");
        disown(cell1, "hooli", "cell-2");

        try (H2Client h2 = new H2Client(router.proxyAddress())) {
            H2Client.Response answer = h2.send(H2Client.request("GET", "/h2", "x-customer-id", "hooli"), null)
                    .get(10, TimeUnit.SECONDS);

            assertThat(answer.status()).isEqualTo("200");
            assertThat(answer.header("x-served-by")).isEqualTo("cell-2");
        }
        assertThat(received(cell1, "hooli")).hasSize(1);
        assertThat(received(cell2, "hooli")).hasSize(1);
    }

    @Test
    void grpcCall_customerMovedBehindTheBack_isCorrected_andAnUnconfirmedOneIsUnavailable() throws Exception {
        moveBehindTheBack("grpc-moved", "grpc-new");
        h2Old.misdirect("grpc-new");
        ManagedChannel channel = NettyChannelBuilder.forAddress(
                        "127.0.0.1", router.proxyAddress().getPort())
                .usePlaintext()
                .build();
        try {
            var reply = EchoGrpc.newBlockingStub(channel)
                    .withInterceptors(customer("grpc-moved"))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .unary(EchoRequest.newBuilder().setText("hi").build());
            assertThat(reply.getCell()).isEqualTo("grpc-new");

            assertThatThrownBy(() -> EchoGrpc.newBlockingStub(channel)
                            .withInterceptors(customer("grpc-stays"))
                            .withDeadlineAfter(10, TimeUnit.SECONDS)
                            .unary(EchoRequest.newBuilder().setText("hi").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getStatus().getDescription()).contains("misrouted");
                    });
        } finally {
            channel.shutdownNow();
            h2Old.misdirect(null);
        }
        assertThat(h2Old.misdirected()).isEqualTo(2);
    }

    /**
     * The correction is the same request sent once more, not another: with one request in flight
     * per customer it is still corrected (not 429 rate_limited), over HTTP/1.1 and HTTP/2.
     */
    @Test
    void oneRequestInFlightPerCustomer_correctionIsNotCountedTwice() throws Exception {
        RouterServer strict =
                routers.startRouter("  maxConcurrentPerCustomer: 1\n", "identity:\n  - header: x-customer-id\n");
        try {
            for (String customer : List.of("solo-h1", "solo-h2")) {
                // strict's cache learns cell-1 first, so the move behind its back makes it stale
                assertThat(routers.get(strict, customer, "/misroute").body()).isEqualTo("cell-1");
                moveBehindTheBack(customer, "cell-2");
                disown(cell1, customer, "cell-2");
            }

            HttpResponse<String> http1 = routers.get(strict, "solo-h1", "/misroute");
            assertThat(http1.statusCode()).as(http1.body()).isEqualTo(200);
            assertThat(http1.body()).isEqualTo("cell-2");
            try (H2Client h2 = new H2Client(strict.proxyAddress())) {
                H2Client.Response answer = h2.send(H2Client.request("GET", "/h2", "x-customer-id", "solo-h2"), null)
                        .get(10, TimeUnit.SECONDS);
                assertThat(answer.status()).as(answer.bodyStart()).isEqualTo("200");
                assertThat(answer.header("x-served-by")).isEqualTo("cell-2");
            }
            assertThat(received(cell1, "solo-h1")).hasSize(2);
            assertThat(received(cell2, "solo-h1")).hasSize(1);
            assertThat(received(cell2, "solo-h2")).hasSize(1);
            // Every permit was given back: one more request each is admitted, as 1 allows.
            assertThat(routers.get(strict, "solo-h1", "/misroute").statusCode()).isEqualTo(200);
            assertThat(routers.get(strict, "solo-h2", "/misroute").statusCode()).isEqualTo(200);
        } finally {
            strict.close();
        }
    }

    // ----- helpers -----

    /**
     * A customer shadowed to cell-2 and moved there behind the router's back: the corrected request
     * reaches cell-2 once, not a second time as its own shadow copy (HTTP/1.1 and HTTP/2 clients).
     */
    @Test
    void shadowOnTheCellTheCorrectionGoesTo_isNotSentThere_theNewCellGetsTheRequestOnce() throws Exception {
        AdminCalls admin = new AdminCalls(
                p -> URI.create("http://127.0.0.1:" + router.adminAddress().getPort() + p), TOKEN);
        for (String customer : List.of("tyrell", "cyberdyne")) {
            assertThat(admin.send(
                                    "PUT",
                                    "/admin/v1/customers/" + customer + "/shadow",
                                    "{\"toCell\":\"cell-2\",\"fraction\":1,\"ttl\":\"10m\"}")
                            .statusCode())
                    .isEqualTo(200);
            // The shadow is on: before the move, a copy of the customer's request goes to cell-2.
            assertThat(get(customer).body()).isEqualTo("cell-1");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> received(cell2, customer).size() == 1);
            moveBehindTheBack(customer, "cell-2");
            disown(cell1, customer, "cell-2");
        }
        cell2.server().resetRequests();

        assertThat(get("tyrell").body()).isEqualTo("cell-2");
        try (H2Client h2 = new H2Client(router.proxyAddress())) {
            assertThat(h2.send(H2Client.request("GET", "/h2", "x-customer-id", "cyberdyne"), null)
                            .get(10, TimeUnit.SECONDS)
                            .header("x-served-by"))
                    .isEqualTo("cell-2");
        }

        // A shadow copy leaves right after its primary: a second for the while would be one.
        for (String customer : List.of("tyrell", "cyberdyne")) {
            await().during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(3))
                    .until(() -> received(cell2, customer).size() == 1);
            assertThat(received(cell2, customer).get(0).getHeader("x-cell-router-shadow"))
                    .isNull();
        }
    }

    private static void moveBehindTheBack(String customer, String cell) {
        Tables.writeBehindTheBack(routers.table(), new Placement(customer, cell, 2, Instant.now()));
    }

    /** {@code cell} answers 421 for {@code customer}, naming {@code owner}. */
    private static void disown(WireMockCell cell, String customer, String owner) {
        cell.stub(any(anyUrl())
                .withHeader("x-customer-id", equalTo(customer))
                .atPriority(1)
                .willReturn(aResponse()
                        .withStatus(421)
                        .withHeader("x-cell-router-owner", owner)
                        .withBody("not mine")));
    }

    private static List<LoggedRequest> received(WireMockCell cell, String customer) {
        return cell.received().stream()
                .filter(r -> customer.equals(r.getHeader("x-customer-id")))
                .toList();
    }

    private HttpResponse<String> get(String customer) throws Exception {
        return routers.client()
                .send(
                        HttpRequest.newBuilder(proxy("/misroute"))
                                .header("x-customer-id", customer)
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String customer, byte[] body) throws Exception {
        return routers.client()
                .send(
                        HttpRequest.newBuilder(proxy("/misroute"))
                                .header("x-customer-id", customer)
                                .timeout(Duration.ofSeconds(10))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static URI proxy(String path) {
        return URI.create("http://127.0.0.1:" + router.proxyAddress().getPort() + path);
    }

    private static double metric(String series) {
        for (String line : router.metrics().scrape().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }

    private static io.grpc.ClientInterceptor customer(String customer) {
        Metadata metadata = new Metadata();
        metadata.put(Metadata.Key.of("x-customer-id", Metadata.ASCII_STRING_MARSHALLER), customer);
        return MetadataUtils.newAttachHeadersInterceptor(metadata);
    }
}
