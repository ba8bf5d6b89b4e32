package io.cellrouter.registry.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.registry.cache.RegistryHealth.Origin;
import io.cellrouter.registry.cache.Resolution.Outcome;
import io.cellrouter.registry.cache.Resolution.Source;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.store.RegistryDocuments;
import io.cellrouter.registry.store.file.FileRegistryStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resolver while the store is down: the miss short-circuit and the last-known-good snapshot. */
class CachingResolverStaticStabilityTest {

    private static final Instant START = Instant.parse("2026-06-01T00:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ResolverConfig MANUAL_POLLS = ResolverConfig.defaults().withPollInterval(Duration.ofHours(1));

    @TempDir
    Path directory;

    private final FakeTicker ticker = new FakeTicker();
    private final MutableClock clock = new MutableClock(START);
    private FileRegistryStore files;
    private CountingStore store;
    private CachingResolver resolver;

    @BeforeEach
    void openRegistry() throws IOException {
        Path file = directory.resolve("registry.yaml");
        Files.writeString(file, RegistryDocuments.write(seed()));
        files = FileRegistryStore.open(file, clock);
        store = new CountingStore(files);
    }

    @AfterEach
    void closeEverything() {
        if (resolver != null) {
            resolver.close();
        }
        files.close();
    }

    private static RegistryDocument seed() {
        return new RegistryDocument(
                List.of(
                        new Cell("cell-1", URI.create("http://cell-1:8080"), CellState.ACTIVE),
                        new Cell("cell-2", URI.create("http://cell-2:8080"), CellState.ACTIVE)),
                Map.of("acme", "cell-1", "globex", "cell-2", "umbrella", "cell-1"),
                List.of(RoutingOverride.freeze("initech", START.plus(Duration.ofHours(1)), "moving data")),
                Map.of("globex", 3L));
    }

    @Test
    void resolve_storeKnownDown_missesFailFastWithoutCallingTheStore() {
        resolver = started(builder(MANUAL_POLLS.withPreload(false)));
        store.down();
        for (int i = 0; i < StoreHealth.THRESHOLD; i++) {
            assertThat(resolve("new-" + i).outcome()).isEqualTo(Outcome.REGISTRY_UNAVAILABLE);
        }
        int callsWhileOpening = store.calls("placement");

        for (int i = 0; i < 50; i++) {
            CompletableFuture<Resolution> answer = resolver.resolve("burst-" + i, null);
            assertThat(answer).isCompleted(); // answered at once, on the caller's thread
            assertThat(answer.join().outcome()).isEqualTo(Outcome.REGISTRY_UNAVAILABLE);
        }

        assertThat(resolver.health().storeDown()).isTrue();
        assertThat(store.calls("placement")).isEqualTo(callsWhileOpening);
    }

    @Test
    void resolve_storeKnownDown_oneMissPerProbeIntervalStillCallsTheStore() {
        resolver = started(builder(MANUAL_POLLS.withPreload(false).withPollInterval(Duration.ofMillis(500))));
        store.down();
        for (int i = 0; i < StoreHealth.THRESHOLD + 1; i++) {
            resolve("new-" + i);
        }
        int before = store.calls("placement");

        ticker.advance(Duration.ofMillis(500));
        resolve("probe-1");
        resolve("probe-2");

        assertThat(store.calls("placement")).isEqualTo(before + 1);
    }

    @Test
    void resolve_storeBackAndAPollSucceeded_missesReadTheStoreAgain() {
        resolver = started(builder(MANUAL_POLLS.withPreload(false)));
        store.down();
        for (int i = 0; i < StoreHealth.THRESHOLD; i++) {
            resolve("new-" + i);
        }
        assertThat(resolver.health().storeDown()).isTrue();

        store.up();
        join(resolver.catchUp());

        assertThat(resolver.health().storeDown()).isFalse();
        Resolution acme = resolve("acme");
        assertThat(acme.outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(acme.source()).isEqualTo(Source.REGISTRY);
    }

    /** A feed gap without preload keeps the cached customers (and reads them again): a later outage finds them there. */
    @Test
    void pollOnce_feedGapWithoutPreloadThenTheStoreGoesDown_cachedCustomerKeepsRouting() {
        resolver = started(builder(MANUAL_POLLS.withPreload(false)));
        assertThat(resolve("acme").outcome()).isEqualTo(Outcome.ROUTE);
        store.gapOnNextFeedRead();
        join(resolver.catchUp());

        store.down();
        Resolution acme = resolve("acme");

        assertThat(acme.outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(acme.source()).isEqualTo(Source.CACHE);
    }

    @Test
    void resolve_storeKnownDownAndCustomerCached_keepsRoutingFromTheCache() {
        resolver = started(builder(MANUAL_POLLS));
        store.down();
        for (int i = 0; i < StoreHealth.THRESHOLD; i++) {
            resolve("new-" + i);
        }
        ticker.advance(Duration.ofHours(1)); // past refreshAfter: refreshes are due and fail

        for (int i = 0; i < 3; i++) {
            Resolution acme = resolve("acme");
            assertThat(acme.outcome()).isEqualTo(Outcome.ROUTE);
            assertThat(acme.cell().name()).isEqualTo("cell-1");
        }
        assertThat(resolve("initech").outcome()).isEqualTo(Outcome.FROZEN); // overrides as last read
    }

    @Test
    void start_withSnapshot_writesItAfterTheLoadAsAnImportableDocument() throws IOException {
        Path snapshot = directory.resolve("state/snapshot.json");
        resolver = started(builder(MANUAL_POLLS).snapshot(snapshot));

        await().atMost(WAIT).until(() -> Files.exists(snapshot));
        RegistryDocument written = RegistryDocuments.read(snapshot);

        assertThat(written.customers()).isEqualTo(seed().customers());
        assertThat(written.versions()).isEqualTo(Map.of("globex", 3L));
        assertThat(written.cells()).extracting(Cell::name).containsExactly("cell-1", "cell-2");
        assertThat(written.overrides()).isEqualTo(seed().overrides());
        assertThat(resolver.health().snapshotWrittenAt()).isPresent();
        assertThat(directory.resolve("state")).isDirectoryNotContaining("glob:**.tmp");
    }

    @Test
    void start_withSnapshot_rewritesItPeriodicallyOnlyAfterAChange() throws Exception {
        Path snapshot = directory.resolve("snapshot.json");
        resolver = started(builder(MANUAL_POLLS).snapshot(snapshot).snapshotInterval(Duration.ofMillis(50)));
        await().atMost(WAIT).until(() -> Files.exists(snapshot));
        var firstWrite = Files.getLastModifiedTime(snapshot);

        join(files.putPlacement("acme", "cell-2", 1));
        join(resolver.catchUp());

        await().atMost(WAIT)
                .until(() -> RegistryDocuments.read(snapshot).customers().get("acme"), "cell-2"::equals);
        assertThat(Files.getLastModifiedTime(snapshot)).isGreaterThanOrEqualTo(firstWrite);
        assertThat(RegistryDocuments.read(snapshot).versions()).containsEntry("acme", 2L);
    }

    @Test
    void routingChangesLearntFromTheFeed_areInTheSnapshotWithinTwoSeconds() throws Exception {
        Path snapshot = directory.resolve("snapshot.json");
        resolver = started(builder(MANUAL_POLLS).snapshot(snapshot)); // the default snapshot schedule
        await().atMost(WAIT).until(() -> Files.exists(snapshot));

        join(files.putPlacement("acme", "cell-2", 1));
        join(files.putOverride(RoutingOverride.toCell("umbrella", "cell-2", START.plus(Duration.ofHours(1)), "test")));
        join(files.putCell(new Cell("cell-3", URI.create("http://cell-3:8080"), CellState.DRAINING)));
        join(resolver.catchUp());

        await().atMost(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> {
                    RegistryDocument written = RegistryDocuments.read(snapshot);
                    assertThat(written.customers()).containsEntry("acme", "cell-2");
                    assertThat(written.overrides())
                            .extracting(RoutingOverride::customer)
                            .contains("umbrella");
                    assertThat(written.cells()).extracting(Cell::name).contains("cell-3");
                });
    }

    /** A move found by a refresh (its feed entry lost) moves neither the cursor nor the cache size. */
    @Test
    void routingChangeFoundByARefresh_isInTheSnapshot() throws Exception {
        Path snapshot = directory.resolve("snapshot.json");
        resolver = started(builder(MANUAL_POLLS).snapshot(snapshot).snapshotInterval(Duration.ofMillis(50)));
        store.loseFeedEntries();
        join(files.putPlacement("acme", "cell-2", 1));
        join(resolver.catchUp());
        await().atMost(WAIT).until(() -> Files.exists(snapshot));
        await().atMost(WAIT).until(() -> resolver.health().snapshotWrittenAt().isPresent());
        clock.advance(CachingResolverTest.WRITTEN_LONG_AGO);
        ticker.advance(MANUAL_POLLS.refreshAfter().plusSeconds(1));

        join(resolver.resolve("acme", null)); // due: read again in the background

        await().atMost(WAIT)
                .until(() -> RegistryDocuments.read(snapshot).customers().get("acme"), "cell-2"::equals);
    }

    @Test
    void close_writesTheSnapshotOfWhatWasLearntSinceTheLastWrite() throws Exception {
        Path snapshot = directory.resolve("snapshot.json");
        resolver = started(builder(MANUAL_POLLS).snapshot(snapshot).snapshotInterval(Duration.ofHours(1)));
        await().atMost(WAIT).until(() -> Files.exists(snapshot));
        join(files.putPlacement("acme", "cell-2", 1));
        join(resolver.catchUp());

        resolver.close();

        assertThat(RegistryDocuments.read(snapshot).customers()).containsEntry("acme", "cell-2");
    }

    @Test
    void start_storeDownWithASnapshot_servesTheSnapshotThenCatchesUpWhenTheStoreReturns() throws Exception {
        Path snapshot = directory.resolve("snapshot.json");
        Files.writeString(snapshot, RegistryDocuments.toJson(seed()));
        join(files.putPlacement("acme", "cell-2", 1)); // the store moved on after the snapshot
        store.down();

        resolver = builder(MANUAL_POLLS.withPollInterval(Duration.ofMillis(20)))
                .snapshot(snapshot)
                .buildCaching();
        resolver.start();

        await().atMost(WAIT).until(resolver::isReady);
        assertThat(resolver.health().origin()).isEqualTo(Origin.SNAPSHOT);
        assertThat(resolver.health().snapshotWrittenAt()).isPresent();
        assertThat(resolve("acme").cell().name()).isEqualTo("cell-1");
        assertThat(resolve("globex").cell().name()).isEqualTo("cell-2");
        assertThat(resolve("initech").outcome()).isEqualTo(Outcome.FROZEN);
        assertThat(resolve("nobody").outcome()).isEqualTo(Outcome.REGISTRY_UNAVAILABLE);

        store.up();

        await().atMost(WAIT).until(() -> resolver.health().origin() == Origin.STORE);
        assertThat(resolve("acme").cell().name()).isEqualTo("cell-2");
        assertThat(resolve("nobody").outcome()).isEqualTo(Outcome.UNKNOWN_CUSTOMER);
    }

    @Test
    void start_storeDownWithoutASnapshot_isNotReady() {
        store.down();
        resolver =
                builder(MANUAL_POLLS).snapshot(directory.resolve("none.json")).buildCaching();

        assertThat(resolver.start()).failsWithin(WAIT);

        assertThat(resolver.isReady()).isFalse();
        assertThat(resolver.health().origin()).isEqualTo(Origin.NONE);
    }

    @Test
    void start_storeDownWithAnInvalidSnapshot_isNotReady() throws IOException {
        Path snapshot = directory.resolve("snapshot.json");
        Files.writeString(snapshot, "{\"cells\": [");
        store.down();
        resolver = builder(MANUAL_POLLS).snapshot(snapshot).buildCaching();

        assertThat(resolver.start()).failsWithin(WAIT);

        assertThat(resolver.isReady()).isFalse();
        assertThat(resolver.health().origin()).isEqualTo(Origin.NONE);
    }

    private ResolverBuilder builder(ResolverConfig config) {
        return CachingResolver.builder()
                .store(store)
                .config(config)
                .clock(clock)
                .ticker(ticker);
    }

    private static CachingResolver started(ResolverBuilder builder) {
        CachingResolver built = builder.buildCaching();
        join(built.start());
        return built;
    }

    private Resolution resolve(String customer) {
        return join(resolver.resolve(customer, null));
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("expected success, failed with " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no answer within 10s", e);
        }
    }
}
