package io.cellrouter.registry.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.store.RegistryDocuments;
import io.cellrouter.registry.store.file.FileRegistryStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The placement cache on its own: refresh on use, negative expiry, the size bound, reads in flight
 * against the change feed. Time is the fake ticker; Caffeine's maintenance runs on the calling
 * thread, so eviction has happened when a write returns.
 */
class PlacementCacheTest {

    private static final Instant START = Instant.parse("2026-06-01T00:00:00Z");
    private static final ResolverConfig CONFIG = ResolverConfig.defaults();

    @TempDir
    Path directory;

    private final FakeTicker ticker = new FakeTicker();
    private FileRegistryStore files;
    private CountingStore store;

    @BeforeEach
    void openRegistry() throws IOException {
        Path file = directory.resolve("registry.yaml");
        Files.writeString(
                file,
                RegistryDocuments.write(new RegistryDocument(
                        List.of(
                                new Cell("cell-1", URI.create("http://cell-1:8080"), CellState.ACTIVE),
                                new Cell("cell-2", URI.create("http://cell-2:8080"), CellState.ACTIVE)),
                        Map.of("acme", "cell-1", "globex", "cell-2"),
                        List.of(),
                        Map.of())));
        files = FileRegistryStore.open(file, new MutableClock(START));
        store = new CountingStore(files);
    }

    @AfterEach
    void close() {
        files.close();
    }

    @Test
    void ready_dueEntryUsedWhileItsRefreshIsInFlight_makesOneStoreReadAndServesTheOldValue() throws Exception {
        PlacementCache cache = cache(CONFIG);
        cache.put("acme", placement("acme", "cell-1", 1));
        files.putPlacement("acme", "cell-2", 1).get(10, TimeUnit.SECONDS);
        CompletableFuture<Void> slowRead = store.holdPlacementReads();
        ticker.advance(CONFIG.refreshAfter());

        for (int i = 0; i < 10; i++) {
            assertThat(cache.ready("acme", ticker.read()).cell()).isEqualTo("cell-1");
        }
        assertThat(store.calls("placement")).isEqualTo(1);

        slowRead.complete(null);
        CachedPlacement refreshed = cache.ready("acme", ticker.read());
        assertThat(refreshed.cell()).isEqualTo("cell-2");
        assertThat(refreshed.version()).isEqualTo(2);
        assertThat(refreshed.loadedAt()).isEqualTo(ticker.read());
        assertThat(store.calls("placement")).isEqualTo(1);
    }

    /**
     * After a full load every entry falls due in the same instant: the refreshes their next uses
     * start are bounded, and the rest are served as they are and refreshed at a later use.
     */
    @Test
    void ready_manyEntriesDueAtOnce_refreshesAtMostTheBoundAtATime() throws Exception {
        PlacementCache cache = cache(CONFIG);
        List<Placement> loaded = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            loaded.add(placement("c" + i, "cell-1", 1));
        }
        cache.replaceAll(loaded);
        CompletableFuture<Void> slowReads = store.holdPlacementReads();
        ticker.advance(CONFIG.refreshAfter());

        for (int i = 0; i < 1_000; i++) {
            assertThat(cache.ready("c" + i, ticker.read()).cell()).isEqualTo("cell-1");
        }
        assertThat(store.calls("placement")).isEqualTo(EntryRefresher.MAX_REFRESHES_IN_FLIGHT);

        slowReads.complete(null);
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            for (int i = 0; i < 1_000; i++) {
                cache.ready("c" + i, ticker.read());
            }
            return store.calls("placement") == 1_000;
        });
    }

    @Test
    void allDue_placedEntriesRouteOnAndAreRefreshedAtTheirNextUse_notPlacedAnswersAreDropped() throws Exception {
        PlacementCache cache = cache(CONFIG);
        cache.put("acme", placement("acme", "cell-1", 1));
        cache.put("newcomer", null);
        files.putPlacement("acme", "cell-2", 1).get(10, TimeUnit.SECONDS);
        store.resetCounts();

        cache.allDue();

        assertThat(store.calls("placement")).as("nothing is read at once").isZero();
        assertThat(cache.ready("newcomer", ticker.read()))
                .as("the not-placed answer is gone")
                .isNull();
        assertThat(cache.ready("acme", ticker.read()).cell())
                .as("routes on while due")
                .isEqualTo("cell-1");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> "cell-2".equals(cache.ready("acme", ticker.read()).cell()));
        assertThat(store.calls("placement")).isEqualTo(1);
    }

    @Test
    void putUnlessReadSince_aNewerReadStays_anOlderEntryIsReplaced() {
        PlacementCache cache = cache(CONFIG);
        cache.put("acme", placement("acme", "cell-1", 1));
        long batchBegan = ticker.read();
        ticker.advance(Duration.ofSeconds(1));
        cache.put("acme", placement("acme", "cell-2", 2)); // read while the batch ran: newer
        cache.put("globex", placement("globex", "cell-2", 1));
        cache.putUnlessReadSince("acme", placement("acme", "cell-1", 1), batchBegan);
        cache.putUnlessReadSince("globex", placement("globex", "cell-1", 2), ticker.read());

        assertThat(cache.ready("acme", ticker.read()).cell()).isEqualTo("cell-2");
        assertThat(cache.ready("globex", ticker.read()).cell()).isEqualTo("cell-1");
    }

    @Test
    void ready_beforeRefreshAfter_readsNothing() {
        PlacementCache cache = cache(CONFIG);
        cache.put("acme", placement("acme", "cell-1", 1));
        ticker.advance(CONFIG.refreshAfter().minusNanos(1));

        assertThat(cache.ready("acme", ticker.read()).cell()).isEqualTo("cell-1");

        assertThat(store.calls("placement")).isZero();
    }

    @Test
    void ready_failedRefresh_keepsTheOldValueAndTriesAgainOnlyAfterAnotherRefreshAfter() {
        PlacementCache cache = cache(CONFIG);
        cache.put("acme", placement("acme", "cell-1", 1));
        long readAt = ticker.read();
        store.down();
        ticker.advance(CONFIG.refreshAfter());

        CachedPlacement first = cache.ready("acme", ticker.read());
        ticker.advance(CONFIG.refreshAfter().minusNanos(1));
        CachedPlacement second = cache.ready("acme", ticker.read());

        assertThat(List.of(first, second)).allSatisfy(value -> {
            assertThat(value.cell()).isEqualTo("cell-1");
            assertThat(value.loadedAt()).isEqualTo(readAt); // still counts as stale, its age keeps growing
        });
        assertThat(store.calls("placement")).isEqualTo(1);

        ticker.advance(Duration.ofNanos(1));
        cache.ready("acme", ticker.read());
        assertThat(store.calls("placement")).isEqualTo(2);

        store.up();
        ticker.advance(CONFIG.refreshAfter());
        cache.ready("acme", ticker.read());
        assertThat(store.calls("placement")).isEqualTo(3);
        assertThat(cache.ready("acme", ticker.read()).loadedAt()).isEqualTo(ticker.read());
    }

    @Test
    void ready_negativeEntry_expiresNegativeTtlAfterItsReadWhateverTheUses() {
        PlacementCache cache = cache(CONFIG);
        assertThat(join(cache.load("newcomer")).isPlaced()).isFalse();

        for (int i = 0; i < 5; i++) {
            ticker.advance(CONFIG.negativeTtl().dividedBy(5).minusMillis(1));
            assertThat(cache.ready("newcomer", ticker.read())).isNotNull();
        }
        assertThat(cache.contains("newcomer")).isTrue();
        ticker.advance(Duration.ofMillis(5));

        assertThat(cache.ready("newcomer", ticker.read())).isNull();
        assertThat(cache.contains("newcomer")).isFalse();
        assertThat(cache.age("newcomer")).isEmpty();
        assertThat(store.calls("placement")).isEqualTo(1);
    }

    @Test
    void ready_zeroNegativeTtl_neverServesANegativeEntry() {
        PlacementCache cache = cache(CONFIG.withNegativeTtl(Duration.ZERO));

        join(cache.load("newcomer"));
        assertThat(cache.ready("newcomer", ticker.read())).isNull();
        join(cache.load("newcomer"));

        assertThat(store.calls("placement")).isEqualTo(2);
    }

    @Test
    void load_concurrentMisses_shareOneReadThatIsCached() {
        PlacementCache cache = cache(CONFIG);
        CompletableFuture<Void> slowRead = store.holdPlacementReads();

        List<CompletableFuture<CachedPlacement>> loads = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            loads.add(cache.load("acme"));
        }
        assertThat(loads).noneMatch(CompletableFuture::isDone);
        assertThat(cache.contains("acme")).isTrue(); // being read
        slowRead.complete(null);

        assertThat(loads).allSatisfy(load -> assertThat(join(load).cell()).isEqualTo("cell-1"));
        assertThat(store.calls("placement")).isEqualTo(1);
        assertThat(cache.ready("acme", ticker.read()).cell()).isEqualTo("cell-1");
    }

    @Test
    void load_failedRead_isSeenByEveryWaiterAndNotCached() {
        PlacementCache cache = cache(CONFIG);
        store.down();

        assertThat(join(cache.load("acme"))).isNull();

        assertThat(cache.contains("acme")).isFalse();
        store.up();
        assertThat(join(cache.load("acme")).cell()).isEqualTo("cell-1");
        assertThat(store.calls("placement")).isEqualTo(2);
    }

    @Test
    void load_answerOfAReadOvertakenByTheFeed_goesToItsWaitersButNotIntoTheCache() {
        PlacementCache cache = cache(CONFIG);
        CompletableFuture<Void> slowRead = store.holdPlacementReads();
        CompletableFuture<CachedPlacement> read = cache.load("acme"); // the store still says cell-1

        cache.put("acme", placement("acme", "cell-2", 2)); // the feed applies a move meanwhile
        slowRead.complete(null);

        assertThat(join(read).cell()).isEqualTo("cell-1");
        assertThat(cache.ready("acme", ticker.read()).cell()).isEqualTo("cell-2");
    }

    @Test
    void load_readInFlightWhenInvalidated_isNotCached() {
        PlacementCache cache = cache(CONFIG);
        CompletableFuture<Void> slowRead = store.holdPlacementReads();
        CompletableFuture<CachedPlacement> read = cache.load("acme");

        cache.invalidate("acme");
        slowRead.complete(null);

        assertThat(join(read).cell()).isEqualTo("cell-1");
        assertThat(cache.contains("acme")).isFalse();
    }

    @Test
    void ready_refreshOvertakenByTheFeed_leavesTheFeedsValue() {
        PlacementCache cache = cache(CONFIG);
        cache.put("acme", placement("acme", "cell-1", 1));
        CompletableFuture<Void> slowRead = store.holdPlacementReads();
        ticker.advance(CONFIG.refreshAfter());
        cache.ready("acme", ticker.read()); // starts the refresh; the store still says cell-1

        cache.put("acme", placement("acme", "cell-2", 2));
        slowRead.complete(null);

        assertThat(cache.ready("acme", ticker.read()).cell()).isEqualTo("cell-2");
    }

    @Test
    void put_moreCustomersThanMaximumSize_keepsAtMostMaximumSize() {
        PlacementCache cache = cache(CONFIG.withMaximumSize(100));

        for (int i = 0; i < 1_000; i++) {
            cache.put("customer-" + i, placement("customer-" + i, "cell-1", 1));
        }

        assertThat(cache.size()).isLessThanOrEqualTo(100);
        assertThat(cache.placed()).hasSizeLessThanOrEqualTo(100);
    }

    /**
     * A client sending random customer ids, each a few times: each is read once and remembered as
     * "not placed", but those answers live apart from the placements and never evict a placed
     * customer that nobody asked for lately (a cold, preloaded one).
     */
    @Test
    void load_floodOfUnknownIds_neverEvictsAPlacedCustomer() {
        PlacementCache cache = cache(CONFIG.withMaximumSize(100));
        for (int i = 0; i < 90; i++) {
            cache.put("placed-" + i, placement("placed-" + i, "cell-1", 1));
        }

        for (int i = 0; i < 5_000; i++) {
            assertThat(join(cache.load("unknown-" + i)).isPlaced()).isFalse();
            for (int repeat = 0; repeat < 3; repeat++) { // each id sent a few times: frequent in the sketch
                assertThat(cache.ready("unknown-" + i, ticker.read()).isPlaced())
                        .isFalse();
            }
        }

        for (int i = 0; i < 90; i++) {
            assertThat(cache.ready("placed-" + i, ticker.read()))
                    .as("placed-" + i)
                    .isNotNull();
        }
        assertThat(cache.size()).isEqualTo(90);
        assertThat(store.calls("placement")).isEqualTo(5_000);
    }

    @Test
    void put_cellNamesHandedOutAsNewStrings_areSharedByTheEntries() {
        PlacementCache cache = cache(CONFIG);

        cache.put("acme", placement("acme", new String("cell-1".toCharArray()), 1));
        cache.put("initech", placement("initech", new String("cell-1".toCharArray()), 1));

        assertThat(cache.ready("acme", ticker.read()).cell())
                .isSameAs(cache.ready("initech", ticker.read()).cell());
    }

    @Test
    void replaceAll_dropsEverythingElseAndReadsInFlight() {
        PlacementCache cache = cache(CONFIG);
        cache.put("gone", placement("gone", "cell-1", 1));
        CompletableFuture<Void> slowRead = store.holdPlacementReads();
        CompletableFuture<CachedPlacement> read = cache.load("acme");

        cache.replaceAll(List.of(placement("globex", "cell-2", 4)));
        slowRead.complete(null);
        join(read);

        assertThat(cache.contains("gone")).isFalse();
        assertThat(cache.contains("acme")).isFalse();
        assertThat(cache.placed()).containsExactly(new PlacementCache.Placed("globex", "cell-2", 4));
    }

    @Test
    void age_isTheTimeSinceTheReadAndDoesNotCountAsAUse() {
        PlacementCache cache = cache(CONFIG);
        cache.put("acme", placement("acme", "cell-1", 1));

        ticker.advance(CONFIG.refreshAfter().plusSeconds(1));

        assertThat(cache.age("acme")).contains(CONFIG.refreshAfter().plusSeconds(1));
        assertThat(store.calls("placement")).isZero(); // no refresh started by looking
    }

    private PlacementCache cache(ResolverConfig config) {
        StoreHealth health = new StoreHealth(ticker, Duration.ofSeconds(1).toNanos());
        return new PlacementCache(
                config, new MeteredStore(store, ResolverListener.NO_OP, ticker, health), ticker, Runnable::run);
    }

    private static Placement placement(String customer, String cell, long version) {
        return new Placement(customer, cell, version, START);
    }

    /** The value of a future that must already be complete: nothing here waits. */
    private static <T> T join(CompletableFuture<T> future) {
        assertThat(future).isDone();
        return future.join();
    }
}
