package io.cellrouter.registry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.cache.Resolution.Outcome;
import io.cellrouter.registry.cache.Resolution.Source;
import io.cellrouter.registry.store.file.FileRegistryStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bound on the store reads of misses ({@link MissReads}), through the resolver. */
class MissReadsTest {

    private static final Instant START = Instant.parse("2026-06-01T00:00:00Z");

    /** The follower is not scheduled within a test: tests poll by hand. */
    private static final ResolverConfig CONFIG =
            ResolverConfig.defaults().withPollInterval(Duration.ofHours(1)).withPreload(false);

    /** The DynamoDB client's default pool. */
    private static final int CONNECTIONS = 50;

    @TempDir
    Path directory;

    private final FakeTicker ticker = new FakeTicker();
    private final MutableClock clock = new MutableClock(START);
    private final CountingListener listener = new CountingListener();
    private FileRegistryStore files;
    private CountingStore store;
    private CachingResolver resolver;

    @BeforeEach
    void openRegistry() throws IOException {
        files = TestRegistries.open(directory, TestRegistries.oneCell(), clock);
        store = new CountingStore(files);
        resolver = CachingResolver.builder()
                .store(store)
                .config(CONFIG)
                .clock(clock)
                .ticker(ticker)
                .listener(listener)
                .buildCaching();
        join(resolver.start());
    }

    @AfterEach
    void closeEverything() {
        resolver.close();
        files.close();
    }

    /**
     * 10,000 never-seen ids while the store does not answer: at most the bound of them reach the
     * store, the next ones wait (a bounded number), the others are answered at once, the feed's poll
     * still gets a connection, and the store is not marked down; once the store answers, the waiting
     * ones are read, and misses are read again.
     */
    @Test
    void resolve_floodOfDistinctUnknownIds_readsAtMostTheBoundAndAnswersTheRestAtOnceAsUnavailable() {
        store.shareConnections(CONNECTIONS);
        CompletableFuture<Void> gate = store.holdPlacementReads();
        store.resetCounts();

        List<CompletableFuture<Resolution>> results = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            results.add(resolver.resolve("random-" + i, null));
        }

        int admitted = MissReads.MAX_IN_FLIGHT + MissReads.MAX_WAITING;
        assertThat(store.calls("placement")).isEqualTo(MissReads.MAX_IN_FLIGHT);
        assertThat(results.subList(0, admitted)).noneMatch(CompletableFuture::isDone);
        List<CompletableFuture<Resolution>> refused = results.subList(admitted, results.size());
        assertThat(refused).allMatch(CompletableFuture::isDone).hasSize(10_000 - admitted);
        for (CompletableFuture<Resolution> result : refused) {
            Resolution resolution = result.join();
            assertThat(resolution.outcome()).isEqualTo(Outcome.REGISTRY_UNAVAILABLE);
            assertThat(resolution.retryAfter()).isEqualTo(CONFIG.retryAfter());
        }
        assertThat(listener.count(LookupKind.BUSY)).isEqualTo(10_000 - admitted);
        join(resolver.catchUp()); // the feed's poll finds a connection while the misses' reads hang
        assertThat(resolver.health().storeDown()).isFalse();
        Resolution withToken = resolve("acme", "cell-1");
        assertThat(withToken.source())
                .as("a miss while the bound is taken, with a token: the token's cell")
                .isEqualTo(Source.TOKEN);

        gate.complete(null);

        for (int i = 0; i < admitted; i++) {
            assertThat(join(results.get(i)).outcome()).as("random-%d", i).isEqualTo(Outcome.UNKNOWN_CUSTOMER);
        }
        assertThat(store.calls("placement")).as("the waiting ones were read").isEqualTo(admitted);
        assertThat(resolver.health().storeDown()).isFalse();
        store.resetCounts();
        Resolution placed = resolve("acme", null);
        assertThat(placed.outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(placed.source()).isEqualTo(Source.REGISTRY);
        assertThat(resolve("random-9999", null).outcome())
                .as("a refused id was not cached as unknown: it is read now")
                .isEqualTo(Outcome.UNKNOWN_CUSTOMER);
        assertThat(store.calls("placement")).isEqualTo(2);
    }

    private Resolution resolve(String customer, String cellHint) {
        return join(resolver.resolve(customer, cellHint));
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
