package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.router.testing.DynamoDbRouters;
import io.cellrouter.router.testing.TestCell;
import io.cellrouter.router.testing.WireMockCell;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shadow set through one router of a two-router fleet on DynamoDB (dynalite): both routers shadow
 * the customer (the shadow is in the table and its change feed), and both stop by themselves at
 * its expiry, with nobody removing it.
 */
class ShadowFleetIT {

    private static final Duration POLL = Duration.ofMillis(250);
    private static final String TOKEN = "shadow-fleet-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private DynamoDbRouters fleet;
    private TestCell cell1;
    private WireMockCell cell2;
    private RouterServer a;
    private RouterServer b;

    @BeforeEach
    void startFleet() throws Exception {
        fleet = DynamoDbRouters.inMemory(dir).adminToken(TOKEN).pollInterval(POLL);
        cell1 = TestCell.start("cell-1");
        cell2 = WireMockCell.start("cell-2");
        fleet.createTable()
                .importDocument(new RegistryDocument(
                        List.of(
                                new Cell("cell-1", URI.create(cell1.endpoint()), CellState.ACTIVE),
                                new Cell("cell-2", URI.create(cell2.endpoint()), CellState.ACTIVE)),
                        Map.of("acme", "cell-1", "globex", "cell-1"),
                        List.of(),
                        Map.of()))
                .join();
        a = fleet.startRouter("");
        b = fleet.startRouter("");
    }

    @AfterEach
    void stopFleet() {
        fleet.close(); // both routers, the operator's store, dynalite
        cell1.close();
        cell2.close();
    }

    @Test
    void shadowSetThroughOneRouter_isFollowedByBoth_andStopsByItselfAtItsTtlOnBoth() throws Exception {
        HttpResponse<String> set = fleet.admin(a)
                .send(
                        "PUT",
                        "/admin/v1/customers/acme/shadow",
                        "{\"toCell\":\"cell-2\",\"fraction\":1,\"ttl\":\"3s\",\"reason\":\"fleet test\"}");
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        Instant expiresAt = Instant.parse(
                JSON.readTree(set.body()).get("shadow").get("expiresAt").asText());

        // Both routers copy acme's requests: the taker at once, the other within a poll.
        fleet.get(a, "acme", "/via-a");
        await().atMost(Duration.ofSeconds(2)).until(() -> copied("/via-a"));
        await().atMost(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    fleet.get(b, "acme", "/via-b");
                    return copied("/via-b");
                });
        assertThat(Instant.now()).isBefore(expiresAt);
        assertThat(fleet.get(b, "acme", "/primary").headers().firstValue("x-served-by"))
                .contains("cell-1");
        await().atMost(Duration.ofSeconds(2)).until(() -> copied("/primary"));

        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(expiresAt));
        for (int i = 0; i < 3; i++) {
            assertThat(fleet.get(a, "acme", "/after-a").statusCode()).isEqualTo(200);
            assertThat(fleet.get(b, "acme", "/after-b").statusCode()).isEqualTo(200);
        }
        // Markers: copies that are still sent, after those that must not be (same client connection,
        // same event loop, sent in order).
        assertThat(fleet.admin(b)
                        .send(
                                "PUT",
                                "/admin/v1/customers/globex/shadow",
                                "{\"toCell\":\"cell-2\",\"fraction\":1,\"ttl\":\"10m\"}")
                        .statusCode())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(2)).until(() -> a.resolver().shadow("globex") != null);
        fleet.get(a, "globex", "/marker-a");
        fleet.get(b, "globex", "/marker-b");
        await().atMost(Duration.ofSeconds(5)).until(() -> copied("/marker-a") && copied("/marker-b"));

        assertThat(cell2.received())
                .extracting(LoggedRequest::getUrl)
                .doesNotContain("/after-a", "/after-b")
                .allMatch(url -> url.startsWith("/via-") || url.equals("/primary") || url.startsWith("/marker-"));
        assertThat(cell2.received())
                .allSatisfy(r -> assertThat(r.getHeader("x-cell-router-shadow")).isEqualTo("1"));
    }

    private boolean copied(String path) {
        return cell2.received().stream().anyMatch(r -> r.getUrl().equals(path));
    }
}
