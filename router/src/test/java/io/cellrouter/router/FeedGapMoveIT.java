package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.store.dynamodb.DynamoDbRegistryStore;
import io.cellrouter.registry.store.dynamodb.Tables;
import io.cellrouter.router.testing.DynamoDbRouters;
import io.cellrouter.router.testing.TestCell;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A move the change feed never announced (the feed has a gap: an entry that does not read, and
 * the placement written behind the store's back) still ends the moved customer's exchanges at
 * its old cell after the grace period, with preload (the reload says who moved) and without (the
 * customers with exchanges in flight are read again); another customer's exchange is not touched.
 * On a real dynalite.
 */
class FeedGapMoveIT {

    /**
     * Far longer than the grace period, the poll and the re-read together; shorter than the response
     * timeout (5 s). Without the fix the held request is answered 200 when the cell lets it go.
     */
    private static final int HELD_MILLIS = 4_500;

    @TempDir
    Path dir;

    private DynamoDbRouters routers;
    private TestCell cell1;
    private TestCell cell2;
    private DynamoDbRegistryStore admin;
    private RouterServer router;

    @BeforeEach
    void startEverything() throws Exception {
        routers = DynamoDbRouters.inMemory(dir)
                .pollInterval(Duration.ofMillis(100))
                .adminLines("  moveGracePeriod: 200ms\n");
        cell1 = TestCell.start("cell-1");
        cell2 = TestCell.start("cell-2");
        admin = routers.createTable();
        admin.importDocument(new RegistryDocument(
                        List.of(
                                new Cell("cell-1", URI.create(cell1.endpoint()), CellState.ACTIVE),
                                new Cell("cell-2", URI.create(cell2.endpoint()), CellState.ACTIVE)),
                        Map.of("acme", "cell-1", "globex", "cell-1"),
                        List.of(),
                        Map.of()))
                .join();
    }

    @AfterEach
    void stopEverything() {
        routers.close();
        cell1.close();
        cell2.close();
    }

    @ParameterizedTest(name = "preload: {0}")
    @ValueSource(booleans = {true, false})
    void aMoveBehindAFeedGap_endsTheMovedCustomersExchangeAtItsOldCell(boolean preload) throws Exception {
        router = routers.startRouter("cache:\n  preload: " + preload + "\n");
        CompletableFuture<HttpResponse<String>> moved = held("acme");
        CompletableFuture<HttpResponse<String>> stayed = held("globex");
        // Both are at cell-1 once it has counted them (the router forwards each as soon as it is routed).
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> cell1.requestCount() == 2);
        long latest = admin.latestSequence().join();

        Tables.damageFeedEntry(routers.table(), latest + 1);
        Tables.writeBehindTheBack(routers.table(), new Placement("acme", "cell-2", 2, Instant.now()));

        HttpResponse<String> movedAnswer = moved.get(10, TimeUnit.SECONDS);
        assertThat(movedAnswer.statusCode()).isEqualTo(503);
        assertThat(movedAnswer.body()).contains("customer_moved");
        HttpResponse<String> stayedAnswer = stayed.get(10, TimeUnit.SECONDS);
        assertThat(stayedAnswer.statusCode()).isEqualTo(200);
        assertThat(stayedAnswer.headers().firstValue("x-served-by")).hasValue("cell-1");
        assertThat(routers.servedBy(router, "acme")).isEqualTo("cell-2");
    }

    /** A request that the cell holds for {@link #HELD_MILLIS} before it answers. */
    private CompletableFuture<HttpResponse<String>> held(String customer) {
        return routers.client()
                .sendAsync(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                        + router.proxyAddress().getPort() + "/slow?ms=" + HELD_MILLIS))
                                .header("x-customer-id", customer)
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
