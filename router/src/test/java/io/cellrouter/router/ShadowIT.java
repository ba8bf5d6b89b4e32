package io.cellrouter.router;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.cellrouter.router.testing.AdminCalls;
import io.cellrouter.router.testing.AuditCapture;
import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.WireMockCell;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Shadow traffic through one router (file registry): set and removed through the admin API
 * (audited, shown with the customer), copies of sampled requests reach the shadow's cell marked
 * {@code x-cell-router-shadow: 1} with the client's identity and headers, their answers are
 * compared with the primary's (match, mismatch, error) and never reach the client nor delay it.
 * The shadow's cell is WireMock ("cell-3"): its journal shows every copy.
 */
class ShadowIT {

    static final String VIEWER = "viewer-token-for-shadows-0123";

    static WireMockCell cell3;

    @BeforeAll
    static void startCell() {
        cell3 = WireMockCell.start("cell-3");
    }

    @AfterAll
    static void stopCell() {
        cell3.close();
    }

    // A shadow gets no answer after upstream.responseTimeout; 30 s (instead of the fixture's 5 s) so
    // that shadows a test holds at cell-3 on purpose stay in flight however slow the machine is.
    @RegisterExtension
    final RouterExtension router = new RouterExtension("", r -> cell3.registryYaml(), "")
            .proxy(() -> "  upstream:\n    connectTimeout: 1s\n    responseTimeout: 30s")
            .admin(() -> "  tokens:\n    - {token: " + VIEWER + ", role: viewer}");

    @RegisterExtension
    final AuditCapture audit = new AuditCapture();

    private AdminCalls admin;

    @BeforeEach
    void reset() {
        cell3.server().resetAll();
        cell3.stub(any(anyUrl())
                .atPriority(10)
                .willReturn(aResponse().withStatus(200).withBody("cell-3")));
        admin = AdminCalls.of(router, RouterExtension.ADMIN_TOKEN);
    }

    @AfterEach
    void openTheGate() {
        cell3.openGate();
    }

    @Test
    void putShadow_isShownWithTheCustomer_audited_andDeleteEndsIt() {
        HttpResponse<String> put = shadow("acme", "{\"toCell\":\"cell-3\",\"fraction\":0.25,\"ttl\":\"10m\"}");

        assertThat(put.statusCode()).isEqualTo(200);
        JsonNode shadow = AdminCalls.json(put).get("shadow");
        assertThat(shadow.get("toCell").asText()).isEqualTo("cell-3");
        assertThat(shadow.get("fraction").asDouble()).isEqualTo(0.25);
        assertThat(shadow.get("methods")).extracting(JsonNode::asText).containsExactly("GET", "HEAD");
        assertThat(Instant.parse(shadow.get("expiresAt").asText()))
                .isBetween(Instant.now().plusSeconds(590), Instant.now().plusSeconds(601));
        JsonNode customer = admin.getJson("/admin/v1/customers/acme");
        assertThat(customer.get("shadow").get("toCell").asText()).isEqualTo("cell-3");
        assertThat(customer.get("cell").asText()).isEqualTo("cell-1");
        assertThat(audit.lines()).anySatisfy(line -> assertThat(line)
                .contains("\"action\":\"put_shadow\"", "\"target\":\"shadow/acme\"", "\"result\":\"applied\"")
                .contains("\"toCell\":\"cell-3\"")
                .doesNotContain(RouterExtension.ADMIN_TOKEN));

        assertThat(admin.send("DELETE", "/admin/v1/customers/acme/shadow", null).statusCode())
                .isEqualTo(200);
        assertThat(admin.getJson("/admin/v1/customers/acme").get("shadow").isNull())
                .isTrue();
        assertThat(admin.send("DELETE", "/admin/v1/customers/acme/shadow", null).statusCode())
                .isEqualTo(404);
        assertThat(audit.lines()).anySatisfy(line -> assertThat(line).contains("\"action\":\"delete_shadow\""));
    }

    @Test
    void putShadow_badRequests_areRefusedNamingWhatIsWrong_andAViewerMayNotSetOne() {
        assertRefused(shadow("acme", "{\"toCell\":\"cell-3\",\"fraction\":1.5,\"ttl\":\"10m\"}"), 400, "fraction");
        assertRefused(shadow("acme", "{\"toCell\":\"cell-3\",\"ttl\":\"10m\"}"), 400, "fraction is required");
        assertRefused(shadow("acme", "{\"toCell\":\"cell-3\",\"fraction\":0.5}"), 400, "ttl is required");
        assertRefused(shadow("acme", "{\"toCell\":\"cell-3\",\"fraction\":0.5,\"ttl\":\"30d\"}"), 400, "ttl");
        assertRefused(
                shadow("acme", "{\"toCell\":\"cell-3\",\"fraction\":0.5,\"ttl\":\"1m\",\"methods\":[\"G T\"]}"),
                400,
                "methods");
        assertRefused(
                shadow("acme", "{\"toCell\":\"cell-3\",\"fraction\":0.5,\"ttl\":\"1m\",\"weight\":1}"),
                400,
                "unknown field 'weight'");
        assertRefused(shadow("acme", "{\"toCell\":\"cell-9\",\"fraction\":0.5,\"ttl\":\"1m\"}"), 404, "cell-9");
        assertRefused(shadow("nobody", "{\"toCell\":\"cell-3\",\"fraction\":0.5,\"ttl\":\"1m\"}"), 404, "not placed");
        assertRefused(shadow("acme", "{\"toCell\":\"cell-1\",\"fraction\":0.5,\"ttl\":\"1m\"}"), 409, "already_there");
        HttpResponse<String> viewer = AdminCalls.of(router, VIEWER)
                .send(
                        "PUT",
                        "/admin/v1/customers/acme/shadow",
                        "{\"toCell\":\"cell-3\",\"fraction\":0.5,\"ttl\":\"1m\"}");
        assertThat(viewer.statusCode()).isEqualTo(403);
    }

    @Test
    void shadowedGet_copyReachesTheShadowCellWithTheSameIdentityAndHeaders_andMatches() throws Exception {
        setShadow("acme", 1.0, null);

        HttpResponse<String> answer = router.client()
                .send(
                        HttpRequest.newBuilder(router.proxy("/orders?page=2"))
                                .header("x-customer-id", "acme")
                                .header("x-request-id", "req-shadow-1")
                                .header("x-app", "mobile")
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("x-served-by")).contains("cell-1");
        LoggedRequest copy = awaitCopies(1).get(0);
        assertThat(copy.getUrl()).isEqualTo("/orders?page=2");
        assertThat(copy.getHeader("x-cell-router-shadow")).isEqualTo("1");
        assertThat(copy.getHeader("x-customer-id")).isEqualTo("acme");
        assertThat(copy.getHeader("x-request-id")).isEqualTo("req-shadow-1");
        assertThat(copy.getHeader("x-app")).isEqualTo("mobile");
        assertThat(copy.getHeader("x-cell-router-cell")).isEqualTo("cell-3");
        assertThat(copy.getHeader("x-forwarded-for")).isEqualTo("127.0.0.1");
        await().atMost(Duration.ofSeconds(5)).until(() -> metric("result=\"match\"") == 1);
        assertThat(metric("result=\"mismatch\"")).isZero();
        // The result is counted just before the duration is recorded: a scrape may fall in between.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> metric("cellrouter_shadow_duration_seconds_count{cell=\"cell-3\"}", "") == 1);
    }

    @Test
    void shadowCellAnsweringDifferently_countsMismatches_andAnUnreachableOneErrors_theClientSeesNeither()
            throws Exception {
        setShadow("acme", 1.0, null);
        cell3.stub(any(urlPathEqualTo("/differs"))
                .atPriority(1)
                .willReturn(aResponse().withStatus(404)));

        for (int i = 0; i < 3; i++) {
            assertThat(router.get("acme", "/differs").statusCode()).isEqualTo(200);
        }
        assertThat(router.get("acme", "/same").statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(5)).until(() -> metric("result=\"mismatch\"") == 3);
        await().atMost(Duration.ofSeconds(5)).until(() -> metric("result=\"match\"") == 1);

        cell3.stub(any(urlPathEqualTo("/broken"))
                .atPriority(1)
                .willReturn(
                        aResponse().withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER)));
        HttpResponse<String> primary = router.get("acme", "/broken");
        assertThat(primary.statusCode()).isEqualTo(200);
        assertThat(primary.body()).contains("cell-1");
        await().atMost(Duration.ofSeconds(5)).until(() -> metric("result=\"error\"") == 1);
    }

    @Test
    void postIsNotShadowedByDefault_butIsWithItsBodyWhenTheShadowNamesPost() throws Exception {
        setShadow("acme", 1.0, null);
        assertThat(post("acme", "first").statusCode()).isEqualTo(200);
        assertThat(router.get("acme", "/after-post").statusCode()).isEqualTo(200);
        assertThat(awaitCopies(1)).extracting(r -> r.getMethod().getName()).containsExactly("GET");

        setShadow("acme", 1.0, "[\"POST\"]");
        assertThat(post("acme", "second").statusCode()).isEqualTo(200);

        List<LoggedRequest> copies = awaitCopies(2);
        assertThat(copies.get(1).getMethod().getName()).isEqualTo("POST");
        assertThat(copies.get(1).getBodyAsString()).isEqualTo("second");
        assertThat(copies.get(1).getHeader("content-length")).isEqualTo("6");
    }

    @Test
    void slowShadowCell_neverDelaysThePrimary_andOverItsBudgetShadowsAreShed() throws Exception {
        setShadow("acme", 1.0, null);
        // cell-3 holds every shadow's answer until the test opens the gate: as slow as needed, on any machine.
        cell3.closeGate();
        cell3.stub(any(anyUrl())
                .atPriority(1)
                .willReturn(aResponse().withStatus(200).withBody("cell-3").withTransformers(WireMockCell.GATE)));

        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            answers.add(router.client()
                    .sendAsync(
                            HttpRequest.newBuilder(router.proxy("/slow-shadow/" + i))
                                    .header("x-customer-id", "acme")
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()));
        }
        // Every primary answers while no shadow has had its answer: a primary that waited for its
        // shadow would wait for the gate, which opens only after this.
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            assertThat(answer.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        // 16 in flight (the budget, all held at cell-3), the other 8 shed.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> metric("cellrouter_shadow_shed_total{cell=\"cell-3\"}", "") == 8);
        await().atMost(Duration.ofSeconds(5)).until(() -> cell3.heldAtGate() == 16);
        assertThat(metric("result=\"match\"") + metric("result=\"error\"")).isZero();

        cell3.openGate();
        // The 16 sent end with their answers.
        await().atMost(Duration.ofSeconds(15))
                .until(() -> metric("result=\"match\"") + metric("result=\"error\"") == 16);
        assertThat(metric("result=\"match\"")).isEqualTo(16);
        assertThat(metric("cellrouter_shadow_shed_total{cell=\"cell-3\"}", "")).isEqualTo(8);
    }

    @Test
    void http2Client_isShadowedToo() throws Exception {
        setShadow("acme", 1.0, null);

        try (H2Client h2 = new H2Client(router.server().proxyAddress())) {
            H2Client.Response answer = h2.send(H2Client.request("GET", "/h2-shadow", "x-customer-id", "acme"), null)
                    .get(10, TimeUnit.SECONDS);
            assertThat(answer.status()).isEqualTo("200");
        }

        LoggedRequest copy = awaitCopies(1).get(0);
        assertThat(copy.getUrl()).isEqualTo("/h2-shadow");
        assertThat(copy.getHeader("x-cell-router-shadow")).isEqualTo("1");
        assertThat(copy.getHeader("x-customer-id")).isEqualTo("acme");
        await().atMost(Duration.ofSeconds(5)).until(() -> metric("result=\"match\"") == 1);
    }

    @Test
    void otherCustomers_andExpiredShadows_areNotShadowed() throws Exception {
        setShadow("acme", 1.0, null);
        router.get("globex", "/other-customer");
        router.get("initech", "/other-customer");
        router.get("acme", "/shadowed");
        assertThat(awaitCopies(1)).extracting(LoggedRequest::getUrl).containsExactly("/shadowed");

        Instant expiresAt =
                Instant.parse(AdminCalls.json(shadow("acme", "{\"toCell\":\"cell-3\",\"fraction\":1,\"ttl\":\"1s\"}"))
                        .get("shadow")
                        .get("expiresAt")
                        .asText());
        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(expiresAt));
        for (int i = 0; i < 3; i++) {
            router.get("acme", "/after-expiry");
        }
        // A copy that is still sent marks the end: the copies of earlier requests left before it.
        setShadow("globex", 1.0, null);
        router.get("globex", "/marker");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> cell3.received().stream().anyMatch(r -> r.getUrl().equals("/marker")));

        assertThat(cell3.received()).extracting(LoggedRequest::getUrl).doesNotContain("/after-expiry");
    }

    /**
     * A WebSocket handshake is a GET, but its copy would open a session at the shadow's cell (a side
     * effect) and its 101 would end the comparison as an error: handshakes are not shadowed.
     */
    @Test
    void webSocketHandshake_isNotShadowed() throws Exception {
        setShadow("acme", 1.0, null);
        RawHttp.exchange(
                router.server().proxyAddress(),
                "GET /ws-handshake HTTP/1.1\r\nHost: a\r\nx-customer-id: acme\r\nConnection: Upgrade\r\n"
                        + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        // A copy that is still sent marks the end: a copy of the handshake would have left before it.
        router.get("acme", "/marker");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> cell3.received().stream().anyMatch(r -> r.getUrl().equals("/marker")));

        assertThat(cell3.received()).extracting(LoggedRequest::getUrl).doesNotContain("/ws-handshake");
    }

    /** An HTTP/1.0 request without Host gets a cell's authority as Host: the copy its own cell's. */
    @Test
    void http10RequestWithoutHost_copyCarriesTheShadowCellsAuthority() throws Exception {
        setShadow("acme", 1.0, null);

        RawHttp.Response answer = RawHttp.exchange(
                router.server().proxyAddress(), "GET /old-client HTTP/1.0\r\nx-customer-id: acme\r\n\r\n");

        assertThat(answer.status()).isEqualTo(200);
        LoggedRequest copy = awaitCopies(1).get(0);
        assertThat(copy.getHeader("Host")).isEqualTo("127.0.0.1:" + cell3.port());
    }

    // ----- helpers -----

    private HttpResponse<String> shadow(String customer, String body) {
        return admin.send("PUT", "/admin/v1/customers/" + customer + "/shadow", body);
    }

    private void setShadow(String customer, double fraction, String methods) {
        HttpResponse<String> answer = shadow(
                customer,
                "{\"toCell\":\"cell-3\",\"fraction\":" + fraction + ",\"ttl\":\"10m\""
                        + (methods == null ? "" : ",\"methods\":" + methods) + "}");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }

    private static void assertRefused(HttpResponse<String> answer, int status, String text) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        assertThat(answer.body()).contains(text);
    }

    private HttpResponse<String> post(String customer, String body) throws Exception {
        return router.client()
                .send(
                        HttpRequest.newBuilder(router.proxy("/post"))
                                .header("x-customer-id", customer)
                                .timeout(Duration.ofSeconds(10))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private static List<LoggedRequest> awaitCopies(int count) {
        await().atMost(Duration.ofSeconds(5)).until(() -> cell3.received().size() >= count);
        return cell3.received();
    }

    private double metric(String resultLabel) {
        return metric("cellrouter_shadow_requests_total{cell=\"cell-3\"," + resultLabel + "}", "");
    }

    private double metric(String series, String ignored) {
        for (String line : router.server().metrics().scrape().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }
}
