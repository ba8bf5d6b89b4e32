package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.store.dynamodb.DynamoDbRegistryStore;
import io.cellrouter.registry.store.dynamodb.Tables;
import io.cellrouter.registry.testing.WireProxy;
import io.cellrouter.router.testing.DynamoDbRouters;
import io.cellrouter.router.testing.TestCell;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router on the DynamoDB store (a real dynalite, with a counting pass-through in front of it):
 * routing what {@code registry import} loaded, following changes through the feed, the steady-state
 * cost at the wire, and static stability when dynalite dies.
 */
class DynamoDbRegistryIT {

    private static final Duration POLL = Duration.ofMillis(250);

    @TempDir
    Path dir;

    private DynamoDbRouters routers;
    private WireProxy wire;
    private TestCell cell1;
    private TestCell cell2;
    private DynamoDbRegistryStore admin; // another "instance": the operator's store
    private RouterServer router;

    @BeforeEach
    void startEverything() throws Exception {
        // Persistent: a test stops dynalite and starts it again with the same data.
        routers = DynamoDbRouters.persistent(dir)
                .countingCalls()
                .pollInterval(POLL)
                .registryLines("  snapshot: snapshot.json\n");
        wire = routers.wire();
        cell1 = TestCell.start("cell-1");
        cell2 = TestCell.start("cell-2");
        admin = routers.createTable();
    }

    @AfterEach
    void stopEverything() {
        routers.close(); // the router, the operator's store, the wire proxy, dynalite
        cell1.close();
        cell2.close();
    }

    @Test
    void importedCustomers_areRouted_andAnImportedMoveIsFollowedThroughTheFeed() throws Exception {
        admin.importDocument(document(Map.of("acme", "cell-1", "globex", "cell-2")))
                .join();
        startRouter("cache:\n  refreshAfter: 1h\n");
        assertThat(servedBy("acme")).isEqualTo("cell-1");
        assertThat(servedBy("globex")).isEqualTo("cell-2");

        long start = System.nanoTime();
        admin.importDocument(document(Map.of("acme", "cell-2"))).join();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> "cell-2".equals(servedBy("acme")));
        Duration lag = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf(
                "feed lag: a move imported through another store instance routed after %d ms%n", lag.toMillis());
        assertThat(lag).isLessThan(POLL.multipliedBy(2).plusSeconds(1));

        admin.putOverride(RoutingOverride.freeze("globex", Instant.now().plusSeconds(600), "moving"))
                .join();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> get("globex").statusCode() == 503);
        assertThat(get("globex").body()).contains("customer_frozen");
    }

    @Test
    void placementWrittenBehindTheRoutersBack_isFollowedAfterRefreshAfter() throws Exception {
        admin.importDocument(document(Map.of("acme", "cell-1"))).join();
        startRouter("cache:\n  refreshAfter: 1s\n");
        assertThat(servedBy("acme")).isEqualTo("cell-1");
        long feedBefore = router.resolver().health().feedCursor();

        Tables.writeBehindTheBack(routers.table(), new Placement("acme", "cell-2", 2, Instant.now()));

        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> "cell-2".equals(servedBy("acme")));
        assertThat(router.resolver().health().feedCursor()).isEqualTo(feedBefore); // not through the feed
    }

    @Test
    void steadyStateWith10000CachedCustomers_makesOneFeedReadPerPollAtTheWire() throws Exception {
        Map<String, String> customers = new LinkedHashMap<>();
        for (int i = 0; i < 10_000; i++) {
            customers.put("c" + i, i % 2 == 0 ? "cell-1" : "cell-2");
        }
        admin.importDocument(document(customers)).join();
        startRouter("cache:\n  refreshAfter: 10m\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> router.resolver().cacheSize() == 10_000);
        wire.resetCounts();

        long start = System.nanoTime();
        AtomicInteger failures = new AtomicInteger();
        runConcurrently(8, 10_000, i -> {
            String customer = "c" + i;
            if (!customers.get(customer).equals(servedBy(customer))) {
                failures.incrementAndGet();
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Long> calls = wire.callsByOperation();

        long total = calls.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf(
                "steady state: 10000 requests over 10000 cached customers in %.1f s: %d registry calls at the wire"
                        + " (%.2f/s, poll interval %d ms): %s%n",
                seconds, total, total / seconds, POLL.toMillis(), calls);
        assertThat(failures).hasValue(0);
        assertThat(calls.keySet()).containsOnly("Query");
        assertThat(total).isLessThanOrEqualTo((long) Math.ceil(seconds / (POLL.toMillis() / 1000.0)) + 2);
    }

    @Test
    void dynaliteKilledUnderLoad_cachedCustomersKeepRouting_andNewOnesGet503Fast() throws Exception {
        admin.importDocument(document(Map.of("acme", "cell-1", "globex", "cell-2")))
                .join();
        startRouter("");
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService load = Executors.newFixedThreadPool(2);
        List<Future<?>> loaders = new ArrayList<>();
        for (String customer : List.of("acme", "globex")) {
            loaders.add(load.submit(() -> {
                while (loading.get()) {
                    try {
                        HttpResponse<String> response = get(customer);
                        if (response.statusCode() == 200) {
                            served.incrementAndGet();
                        } else {
                            errors.add(customer + ": " + response.statusCode() + " " + response.body());
                        }
                    } catch (Exception e) {
                        errors.add(customer + ": " + e);
                    }
                }
                return null;
            }));
        }
        await().until(() -> served.get() > 50);

        routers.dynalite().stop();

        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long start = System.nanoTime();
            HttpResponse<String> unknown = get("never-seen-" + i);
            millis.add((System.nanoTime() - start) / 1_000_000);
            assertThat(unknown.statusCode()).isEqualTo(503);
            assertThat(unknown.body()).contains("registry_unavailable");
            assertThat(unknown.headers().firstValue("retry-after")).isPresent();
        }
        int servedDuringOutage = served.get();
        await().until(() -> served.get() > servedDuringOutage + 50);
        System.out.printf(
                "store down: never-seen customers answered 503 registry_unavailable in %s ms (call timeout 1000 ms)%n",
                millis);
        assertThat(millis.subList(StoreHealthThreshold.VALUE, millis.size())).allMatch(ms -> ms < 200);
        assertThat(millis).allMatch(ms -> ms < 2_000);

        routers.dynalite().start();
        admin.putPlacement("hooli", "cell-2", 0).join();
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> get("hooli").statusCode() == 200);
        loading.set(false);
        for (Future<?> loader : loaders) {
            loader.get();
        }
        load.shutdown();
        assertThat(errors).isEmpty();
    }

    /** What the resolver's breaker needs before it opens (StoreHealth.THRESHOLD, package-private). */
    private static final class StoreHealthThreshold {
        static final int VALUE = 3;
    }

    private void startRouter(String extra) throws Exception {
        router = routers.startRouter(extra);
    }

    private RegistryDocument document(Map<String, String> customers) {
        return new RegistryDocument(
                List.of(
                        new Cell("cell-1", URI.create(cell1.endpoint()), CellState.ACTIVE),
                        new Cell("cell-2", URI.create(cell2.endpoint()), CellState.ACTIVE)),
                customers,
                List.of(),
                Map.of());
    }

    private HttpResponse<String> get(String customer) throws Exception {
        return routers.get(router, customer, "/x");
    }

    private String servedBy(String customer) throws Exception {
        return routers.servedBy(router, customer);
    }

    private interface Work {
        void run(int index) throws Exception;
    }

    private static void runConcurrently(int threads, int count, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    work.run(i);
                }
                return null;
            }));
        }
        for (Future<?> future : futures) {
            future.get();
        }
        pool.shutdown();
    }
}
