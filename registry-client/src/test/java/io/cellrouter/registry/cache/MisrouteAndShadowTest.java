package io.cellrouter.registry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.cache.Resolution.Outcome;
import io.cellrouter.registry.cache.Resolution.Source;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import io.cellrouter.registry.store.file.FileRegistryStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resolver after a cell disowned a customer ({@link CachingResolver#misrouted}: one registry read
 * shared by concurrent misroutes, none when the cache already knows better) and its shadows (from the
 * store, through the feed, ending by themselves). The store is changed behind the resolver's back:
 * the follower is not scheduled and the tests do not poll unless they say so.
 */
class MisrouteAndShadowTest {

    private static final Instant START = Instant.parse("2026-06-01T00:00:00Z");
    private static final ResolverConfig CONFIG = ResolverConfig.defaults().withPollInterval(Duration.ofHours(1));

    @TempDir
    Path directory;

    private final FakeTicker ticker = new FakeTicker();
    private final MutableClock clock = new MutableClock(START);
    private FileRegistryStore files;
    private CountingStore store;
    private CachingResolver resolver;

    @BeforeEach
    void start() throws IOException {
        files = TestRegistries.open(
                directory,
                new RegistryDocument(
                        List.of(
                                new Cell("cell-1", URI.create("http://cell-1:8080"), CellState.ACTIVE),
                                new Cell("cell-2", URI.create("http://cell-2:8080"), CellState.ACTIVE)),
                        Map.of("acme", "cell-1", "umbrella", "cell-1"),
                        List.of(RoutingOverride.toCell("umbrella", "cell-2", START.plus(Duration.ofHours(1)), null)),
                        Map.of()),
                clock);
        store = new CountingStore(files);
        resolver = CachingResolver.builder()
                .store(store)
                .config(CONFIG)
                .clock(clock)
                .ticker(ticker)
                .buildCaching();
        join(resolver.start());
    }

    @AfterEach
    void close() {
        resolver.close();
        files.close();
    }

    @Test
    void misrouted_storeMovedTheCustomerBehindTheCache_routesToTheNewCellAfterOneRead_thenFromTheCache() {
        join(files.putPlacement("acme", "cell-2", 1));
        clock.advance(CachingResolverTest.WRITTEN_LONG_AGO); // its read is used at once, no poll first
        assertThat(join(resolver.resolve("acme", null)).cell().name()).isEqualTo("cell-1"); // stale
        store.resetCounts();

        Resolution corrected = join(resolver.misrouted("acme", null, "cell-1"));

        assertThat(corrected.outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(corrected.cell().name()).isEqualTo("cell-2");
        assertThat(corrected.source()).isEqualTo(Source.REGISTRY);
        assertThat(store.calls("placement")).isEqualTo(1);
        Resolution next = join(resolver.resolve("acme", null));
        assertThat(next.cell().name()).isEqualTo("cell-2");
        assertThat(next.source()).isEqualTo(Source.CACHE);
        // Another request that was sent to cell-1 before the correction: the cache knows better, no read.
        assertThat(join(resolver.misrouted("acme", null, "cell-1")).cell().name())
                .isEqualTo("cell-2");
        assertThat(store.calls("placement")).isEqualTo(1);
    }

    @Test
    void misrouted_200ConcurrentMisroutesOfOneCustomer_makeExactlyOneStoreRead() throws Exception {
        join(files.putPlacement("acme", "cell-2", 1));
        clock.advance(CachingResolverTest.WRITTEN_LONG_AGO); // its read is used at once, no poll first
        store.resetCounts();
        CompletableFuture<Void> gate = store.holdPlacementReads();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<CompletableFuture<Resolution>>> submitted = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int n = i;
            submitted.add(callers.submit(() -> {
                go.await();
                // Half of them misrouted, half plain requests arriving while the cache entry is gone.
                return n % 2 == 0 ? resolver.misrouted("acme", null, "cell-1") : resolver.resolve("acme", null);
            }));
        }
        go.countDown();
        List<CompletableFuture<Resolution>> results = new ArrayList<>();
        for (Future<CompletableFuture<Resolution>> future : submitted) {
            results.add(future.get(10, TimeUnit.SECONDS));
        }
        callers.shutdown();
        gate.complete(null);

        for (int i = 0; i < results.size(); i += 2) {
            assertThat(join(results.get(i)).cell().name()).isEqualTo("cell-2");
        }
        assertThat(store.calls("placement")).isEqualTo(1);
    }

    /**
     * A cell that disowns every customer cannot turn its traffic into store reads: at most {@link
     * EntryRefresher#MAX_REREADS_IN_FLIGHT} re-reads are in flight; beyond them a misroute is
     * answered without a read (registry unavailable, counted busy) and the customer's cached
     * placement stays.
     */
    @Test
    void misrouted_manyCustomersAtOnce_atMostTheBoundAreReRead_theRestAnsweredWithoutARead() {
        int customers = EntryRefresher.MAX_REREADS_IN_FLIGHT + 1;
        for (int i = 0; i < customers; i++) {
            join(files.putPlacement("c" + i, "cell-1", 0));
            assertThat(join(resolver.resolve("c" + i, null)).cell().name()).isEqualTo("cell-1");
        }
        clock.advance(CachingResolverTest.WRITTEN_LONG_AGO);
        store.resetCounts();
        CompletableFuture<Void> gate = store.holdPlacementReads();

        List<CompletableFuture<Resolution>> misrouted = new ArrayList<>();
        for (int i = 0; i < customers; i++) {
            misrouted.add(resolver.misrouted("c" + i, null, "cell-1"));
        }

        assertThat(store.calls("placement")).isEqualTo(EntryRefresher.MAX_REREADS_IN_FLIGHT);
        CompletableFuture<Resolution> refused = misrouted.get(customers - 1);
        assertThat(refused).isDone();
        assertThat(refused.join().outcome()).isEqualTo(Outcome.REGISTRY_UNAVAILABLE);
        Resolution cached = join(resolver.resolve("c" + (customers - 1), null));
        assertThat(cached.cell().name()).isEqualTo("cell-1");
        assertThat(cached.source()).as("its entry stayed").isEqualTo(Source.CACHE);
        assertThat(misrouted.subList(0, customers - 1)).noneMatch(CompletableFuture::isDone);
        gate.complete(null);
        for (CompletableFuture<Resolution> read : misrouted.subList(0, customers - 1)) {
            assertThat(join(read).cell().name()).isEqualTo("cell-1");
        }
        assertThat(join(resolver.misrouted("c" + (customers - 1), null, "cell-1"))
                        .cell()
                        .name())
                .as("room again once the reads are answered")
                .isEqualTo("cell-1");
        assertThat(store.calls("placement")).isEqualTo(customers);
    }

    @Test
    void misrouted_storeStillNamesTheDisowningCell_answersIt_andReadsAgainOnlyAfterASecond() {
        store.resetCounts();

        assertThat(join(resolver.misrouted("acme", null, "cell-1")).cell().name())
                .isEqualTo("cell-1");
        assertThat(join(resolver.misrouted("acme", null, "cell-1")).cell().name())
                .isEqualTo("cell-1");
        assertThat(store.calls("placement")).isEqualTo(1);

        ticker.advance(Duration.ofSeconds(1));
        join(resolver.misrouted("acme", null, "cell-1"));

        assertThat(store.calls("placement")).isEqualTo(2);
    }

    @Test
    void misrouted_activeOverride_stillWins_withoutARead() {
        store.resetCounts();

        Resolution resolution = join(resolver.misrouted("umbrella", null, "cell-2"));

        assertThat(resolution.cell().name()).isEqualTo("cell-2");
        assertThat(resolution.source()).isEqualTo(Source.OVERRIDE);
        assertThat(store.totalCalls()).isZero();
    }

    @Test
    void misrouted_storeDown_isRegistryUnavailable_andTheNextResolveReadsAgain() {
        store.down();

        assertThat(join(resolver.misrouted("acme", null, "cell-1")).outcome()).isEqualTo(Outcome.REGISTRY_UNAVAILABLE);

        store.up();
        assertThat(join(resolver.resolve("acme", null)).cell().name()).isEqualTo("cell-1");
    }

    @Test
    void shadow_setThroughTheStore_isSeenAfterAPoll_andEndsByItselfAtItsExpiry() {
        Shadow shadow = new Shadow("acme", "cell-2", 0.5, null, START.plus(Duration.ofMinutes(5)), null);
        join(files.putShadow(shadow));
        assertThat(resolver.shadow("acme")).isNull(); // not polled yet

        join(resolver.catchUp());

        assertThat(resolver.shadow("acme")).isEqualTo(shadow);
        assertThat(resolver.shadow("umbrella")).isNull();
        assertThat(join(resolver.resolve("acme", null)).cell().name()).isEqualTo("cell-1");
        clock.advance(Duration.ofMinutes(5));
        assertThat(resolver.shadow("acme")).isNull();
    }

    @Test
    void shadow_deleted_isGoneAfterAPoll_andAFreshResolverLoadsShadowsAtStart() {
        join(files.putShadow(new Shadow("acme", "cell-2", 1.0, null, START.plus(Duration.ofMinutes(5)), null)));
        CachingResolver fresh = CachingResolver.builder()
                .store(store)
                .config(CONFIG)
                .clock(clock)
                .ticker(ticker)
                .buildCaching();
        try {
            join(fresh.start());
            assertThat(fresh.shadow("acme")).isNotNull();
        } finally {
            fresh.close();
        }

        join(files.deleteShadow("acme"));
        join(resolver.catchUp());

        assertThat(resolver.shadow("acme")).isNull();
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
