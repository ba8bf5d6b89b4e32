package io.cellrouter.registry.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.cellrouter.registry.cache.Resolution.Outcome;
import io.cellrouter.registry.cache.Resolution.Source;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.store.Change;
import io.cellrouter.registry.store.ChangeBatch;
import io.cellrouter.registry.store.StoreUnavailableException;
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
import org.slf4j.LoggerFactory;

class CachingResolverTest {

    private static final Instant START = Instant.parse("2026-06-01T00:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** The follower is not scheduled within a test: tests poll by hand. */
    private static final ResolverConfig CONFIG = ResolverConfig.defaults().withPollInterval(Duration.ofHours(1));

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
        files = TestRegistries.open(directory, seed(), clock);
        store = new CountingStore(files);
    }

    @AfterEach
    void closeEverything() {
        if (resolver != null) {
            resolver.close();
        }
        files.close();
    }

    /** acme and umbrella on cell-1, globex on cell-2, hooli on offline cell-3; two overrides. */
    private static RegistryDocument seed() {
        return new RegistryDocument(
                List.of(
                        new Cell("cell-1", URI.create("http://cell-1:8080"), CellState.ACTIVE),
                        new Cell("cell-2", URI.create("http://cell-2:8080"), CellState.ACTIVE),
                        new Cell("cell-3", URI.create("http://cell-3:8080"), CellState.OFFLINE)),
                Map.of("acme", "cell-1", "globex", "cell-2", "hooli", "cell-3", "umbrella", "cell-1"),
                List.of(
                        RoutingOverride.freeze("initech", START.plus(Duration.ofHours(1)), "moving data"),
                        RoutingOverride.toCell("umbrella", "cell-2", START.plus(Duration.ofMinutes(10)), "migration")),
                Map.of());
    }

    @Test
    void resolve_200ConcurrentFirstResolvesOfOneCustomer_makeExactlyOneStoreRead() throws Exception {
        started(CONFIG.withPreload(false));
        store.resetCounts();
        CompletableFuture<Void> gate = store.holdPlacementReads();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<CompletableFuture<Resolution>>> submitted = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            submitted.add(callers.submit(() -> {
                go.await();
                return resolver.resolve("acme", null);
            }));
        }
        go.countDown();
        List<CompletableFuture<Resolution>> results = new ArrayList<>();
        for (Future<CompletableFuture<Resolution>> future : submitted) {
            results.add(future.get(10, TimeUnit.SECONDS));
        }
        callers.shutdown();

        assertThat(results).noneMatch(CompletableFuture::isDone);
        gate.complete(null);

        for (CompletableFuture<Resolution> result : results) {
            Resolution resolution = result.get(10, TimeUnit.SECONDS);
            assertThat(resolution.outcome()).isEqualTo(Outcome.ROUTE);
            assertThat(resolution.cell().name()).isEqualTo("cell-1");
            assertThat(resolution.source()).isEqualTo(Source.REGISTRY);
        }
        assertThat(store.calls("placement")).isEqualTo(1);
        assertThat(listener.count(LookupKind.MISS)).isEqualTo(200);
    }

    @Test
    void resolve_cachedCustomer_returnsACompletedFutureWithoutAStoreRead() {
        started(CONFIG);
        store.resetCounts();

        CompletableFuture<Resolution> future = resolver.resolve("acme", null);

        assertThat(future).isDone();
        Resolution resolution = future.join();
        assertThat(resolution.outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(resolution.cell().name()).isEqualTo("cell-1");
        assertThat(resolution.source()).isEqualTo(Source.CACHE);
        assertThat(store.totalCalls()).isZero();
        assertThat(listener.count(LookupKind.HIT)).isEqualTo(1);
    }

    @Test
    void resolve_afterRefreshAfter_servesTheOldValueAndReloadsInTheBackground() {
        started(CONFIG);
        join(files.putPlacement("acme", "cell-2", 1));
        clock.advance(WRITTEN_LONG_AGO); // not a move of the last moment: its read is used at once
        store.resetCounts();
        CompletableFuture<Void> slowRead = store.holdPlacementReads();
        ticker.advance(CONFIG.refreshAfter().plusSeconds(1));

        CompletableFuture<Resolution> served = resolver.resolve("acme", null);

        assertThat(served).isDone();
        assertThat(served.join().cell().name()).isEqualTo("cell-1");
        assertThat(served.join().source()).isEqualTo(Source.CACHE);
        assertThat(listener.count(LookupKind.HIT)).isEqualTo(1); // a due refresh is routine, not stale
        assertThat(listener.count(LookupKind.STALE)).isZero();
        assertThat(store.calls("placement")).isEqualTo(1);
        slowRead.complete(null);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(resolve("acme").cell().name()).isEqualTo("cell-2"));
        assertThat(store.calls("placement")).isEqualTo(1);
    }

    @Test
    void resolve_storeDownDuringRefresh_keepsServingTheOldValueAsStale() {
        started(CONFIG);
        store.down();
        ticker.advance(CONFIG.refreshAfter().plusSeconds(1));

        Resolution first = resolve("acme");
        Resolution second = resolve("acme");

        assertThat(List.of(first, second)).allSatisfy(resolution -> {
            assertThat(resolution.outcome()).isEqualTo(Outcome.ROUTE);
            assertThat(resolution.cell().name()).isEqualTo("cell-1");
        });
        assertThat(store.calls("placement")).isPositive();
        // The first use starts the refresh, whose failure makes the second use stale.
        assertThat(listener.count(LookupKind.HIT)).isEqualTo(1);
        assertThat(listener.count(LookupKind.STALE)).isEqualTo(1);
        assertThat(resolver.cacheAge("acme"))
                .hasValueSatisfying(age -> assertThat(age).isGreaterThan(CONFIG.refreshAfter()));
    }

    @Test
    void resolve_refreshSucceedsAfterAFailure_isNoLongerStale() {
        started(CONFIG);
        store.down();
        ticker.advance(CONFIG.refreshAfter().plusSeconds(1));
        resolve("acme"); // starts the refresh, which fails
        assertThat(resolve("acme").cell().name()).isEqualTo("cell-1");
        assertThat(listener.count(LookupKind.STALE)).isEqualTo(1);

        store.up();
        ticker.advance(CONFIG.refreshAfter().plusSeconds(1));
        resolve("acme"); // stale still, and starts a refresh that succeeds
        await().atMost(WAIT).until(() -> resolver.cacheAge("acme").orElseThrow().compareTo(CONFIG.refreshAfter()) < 0);
        long stale = listener.count(LookupKind.STALE);
        resolve("acme");

        assertThat(listener.count(LookupKind.STALE)).isEqualTo(stale);
    }

    @Test
    void resolve_storeDownAndCustomerCached_keepsRouting() {
        started(CONFIG);
        store.down();

        Resolution resolution = resolve("globex");

        assertThat(resolution.outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(resolution.cell().name()).isEqualTo("cell-2");
    }

    @Test
    void resolve_unknownCustomer_isRememberedForNegativeTtlThenReadAgain() {
        started(CONFIG);
        store.resetCounts();
        assertThat(resolve("newcomer").outcome()).isEqualTo(Outcome.UNKNOWN_CUSTOMER);
        join(files.putPlacement("newcomer", "cell-2", 0));
        clock.advance(WRITTEN_LONG_AGO); // not a move of the last moment: its read is used at once

        ticker.advance(CONFIG.negativeTtl().minusMillis(1));
        assertThat(resolve("newcomer").outcome()).isEqualTo(Outcome.UNKNOWN_CUSTOMER);
        assertThat(store.calls("placement")).isEqualTo(1);

        ticker.advance(Duration.ofMillis(1));
        Resolution after = resolve("newcomer");

        assertThat(after.outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(after.cell().name()).isEqualTo("cell-2");
        assertThat(after.source()).isEqualTo(Source.REGISTRY);
        assertThat(after.cacheAge()).isEqualTo(Duration.ZERO);
        assertThat(store.calls("placement")).isEqualTo(2);
    }

    @Test
    void resolve_activeOverride_winsOverThePlacement() {
        started(CONFIG);

        Resolution resolution = resolve("umbrella");

        assertThat(resolution.outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(resolution.cell().name()).isEqualTo("cell-2");
        assertThat(resolution.source()).isEqualTo(Source.OVERRIDE);
    }

    @Test
    void resolve_expiredOverride_isIgnored() {
        started(CONFIG);
        clock.advance(Duration.ofMinutes(10));

        Resolution resolution = resolve("umbrella");

        assertThat(resolution.cell().name()).isEqualTo("cell-1");
        assertThat(resolution.source()).isEqualTo(Source.CACHE);
    }

    @Test
    void resolve_frozenCustomer_isFrozenWithRetryAfterUntilTheFreezeExpires() {
        started(CONFIG);

        Resolution resolution = resolve("initech");

        assertThat(resolution.outcome()).isEqualTo(Outcome.FROZEN);
        assertThat(resolution.source()).isEqualTo(Source.OVERRIDE);
        assertThat(resolution.retryAfter()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void resolve_freezeAboutToExpire_asksToRetryAfterAtLeastOneSecond() {
        started(CONFIG);
        clock.advance(Duration.ofHours(1).minusMillis(300));

        assertThat(resolve("initech").retryAfter()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void resolve_customerOnOfflineCell_isCellOfflineWithRetryAfter() {
        started(CONFIG);

        Resolution resolution = resolve("hooli");

        assertThat(resolution.outcome()).isEqualTo(Outcome.CELL_OFFLINE);
        assertThat(resolution.cell().name()).isEqualTo("cell-3");
        assertThat(resolution.retryAfter()).isEqualTo(CONFIG.retryAfter());
    }

    @Test
    void resolve_unknownCustomerWithRejectPolicy_isUnknownCustomer() {
        started(CONFIG);

        Resolution resolution = resolve("nobody");

        assertThat(resolution.outcome()).isEqualTo(Outcome.UNKNOWN_CUSTOMER);
        assertThat(resolution.cell()).isNull();
    }

    @Test
    void resolve_unknownCustomerWithDefaultCell_routesToTheDefaultCell() {
        started(CONFIG.withUnknownCustomerCell("cell-2"));

        Resolution resolution = resolve("nobody");

        assertThat(resolution.outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(resolution.cell().name()).isEqualTo("cell-2");
        assertThat(resolution.source()).isEqualTo(Source.DEFAULT);
    }

    @Test
    void resolve_unknownCustomerWithTokenHint_routesToTheHintedCell() {
        started(CONFIG.withUnknownCustomerCell("cell-1"));

        Resolution resolution = resolve("nobody", "cell-2");

        assertThat(resolution.outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(resolution.cell().name()).isEqualTo("cell-2");
        assertThat(resolution.source()).isEqualTo(Source.TOKEN);
    }

    @Test
    void resolve_placedCustomerWithTokenHint_followsThePlacement() {
        started(CONFIG);

        assertThat(resolve("acme", "cell-2").cell().name()).isEqualTo("cell-1");
    }

    @Test
    void resolve_tokenHintNamingAnUnknownCell_isUnknownCell() {
        started(CONFIG);

        Resolution resolution = resolve("nobody", "cell-9");

        assertThat(resolution.outcome()).isEqualTo(Outcome.UNKNOWN_CELL);
        assertThat(resolution.source()).isEqualTo(Source.TOKEN);
    }

    @Test
    void resolve_storeDownAndCustomerNotCachedWithTokenHint_routesToTheHintedCell() {
        started(CONFIG.withPreload(false));
        store.down();

        Resolution resolution = resolve("acme", "cell-2");

        assertThat(resolution.outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(resolution.cell().name()).isEqualTo("cell-2");
        assertThat(resolution.source()).isEqualTo(Source.TOKEN);
        assertThat(listener.count(LookupKind.ERROR)).isEqualTo(1);
    }

    @Test
    void resolve_storeDownAndCustomerNotCached_isRegistryUnavailable() {
        started(CONFIG.withPreload(false).withUnknownCustomerCell("cell-2"));
        store.down();

        Resolution resolution = resolve("acme");

        assertThat(resolution.outcome()).isEqualTo(Outcome.REGISTRY_UNAVAILABLE);
        assertThat(resolution.retryAfter()).isEqualTo(CONFIG.retryAfter());
    }

    @Test
    void resolve_afterTheStoreRecovers_readsAgainBecauseFailuresAreNotCached() {
        started(CONFIG.withPreload(false));
        store.down();
        assertThat(resolve("acme").outcome()).isEqualTo(Outcome.REGISTRY_UNAVAILABLE);

        store.up();
        Resolution resolution = resolve("acme");

        assertThat(resolution.outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(resolution.source()).isEqualTo(Source.REGISTRY);
    }

    @Test
    void resolve_customerOnDrainingCell_isRouted() {
        started(CONFIG);
        join(files.putCell(cell("cell-2").withState(CellState.DRAINING)));
        join(resolver.catchUp());

        Resolution resolution = resolve("globex");

        assertThat(resolution.outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(resolution.cell().state()).isEqualTo(CellState.DRAINING);
    }

    @Test
    void pollOnce_afterAMoveWrittenThroughTheStore_nextResolveReturnsTheNewCell() {
        started(CONFIG);
        assertThat(resolve("acme").cell().name()).isEqualTo("cell-1");
        join(files.putPlacement("acme", "cell-2", 1));
        store.resetCounts();

        join(resolver.catchUp());
        Resolution after = resolve("acme");

        assertThat(after.cell().name()).isEqualTo("cell-2");
        assertThat(after.source()).isEqualTo(Source.CACHE);
        assertThat(store.calls("placement")).isEqualTo(1);
    }

    @Test
    void pollOnce_withoutChanges_makesOneFeedReadAndNoPlacementReads() {
        started(CONFIG);
        resolve("acme");
        resolve("globex");
        resolve("nobody");
        store.resetCounts();

        join(resolver.catchUp());

        assertThat(store.calls("changesSince")).isEqualTo(1);
        assertThat(store.totalCalls()).isEqualTo(1);
    }

    @Test
    void pollOnce_moveOfAnUncachedCustomer_readsNothingMore() {
        started(CONFIG.withPreload(false));
        join(files.putPlacement("globex", "cell-1", 1));
        store.resetCounts();

        join(resolver.catchUp());

        assertThat(store.calls("placement")).isZero();
        assertThat(resolve("globex").cell().name()).isEqualTo("cell-1");
    }

    @Test
    void pollOnce_placementOfACustomerCachedAsUnknown_replacesTheNegativeEntry() {
        started(CONFIG);
        assertThat(resolve("newcomer").outcome()).isEqualTo(Outcome.UNKNOWN_CUSTOMER);
        join(files.putPlacement("newcomer", "cell-1", 0));

        join(resolver.catchUp());

        assertThat(resolve("newcomer").cell().name()).isEqualTo("cell-1");
    }

    @Test
    void pollOnce_overrideWrittenAndDeleted_isAppliedAndThenRemoved() {
        started(CONFIG);
        join(files.putOverride(RoutingOverride.toCell("acme", "cell-2", START.plus(Duration.ofHours(1)), "test")));

        join(resolver.catchUp());
        Resolution overridden = resolve("acme");
        join(files.deleteOverride("acme"));
        join(resolver.catchUp());
        Resolution restored = resolve("acme");

        assertThat(overridden.cell().name()).isEqualTo("cell-2");
        assertThat(overridden.source()).isEqualTo(Source.OVERRIDE);
        assertThat(restored.cell().name()).isEqualTo("cell-1");
        assertThat(restored.source()).isEqualTo(Source.CACHE);
    }

    /**
     * A move writes its freeze, then its placement, both after this router's last poll. A miss
     * reads the new placement: written moments ago, it waits for one poll, so the freeze is in the
     * table first and the customer is frozen, not routed to the new cell.
     */
    @Test
    void resolve_missReadsAPlacementNewerThanTheLastPoll_theMovesFreezeHoldsIt() {
        started(CONFIG.withPreload(false));
        join(files.putOverride(RoutingOverride.freeze("acme", START.plus(Duration.ofHours(1)), "moving data")));
        join(files.putPlacement("acme", "cell-2", 1));
        store.resetCounts();

        Resolution resolution = resolve("acme");

        assertThat(resolution.outcome()).isEqualTo(Outcome.FROZEN);
        assertThat(store.calls("overrides")).isEqualTo(1);
    }

    /**
     * Many misses on recently written placements (customers just imported) while a read of the
     * overrides is under way: they share one more read, queued behind it, not one each.
     */
    @Test
    void resolve_manyMissesOfNewPlacementsAtOnce_shareOneQueuedReadOfTheOverrides() {
        started(CONFIG.withPreload(false));
        for (int i = 0; i < 20; i++) {
            join(files.putPlacement("new-" + i, "cell-1", 0));
        }
        join(files.putOverride(RoutingOverride.freeze("new-7", START.plus(Duration.ofHours(1)), "moving data")));
        CompletableFuture<Void> gate = store.holdOverridesReads();
        store.resetCounts();
        CompletableFuture<Resolution> first = resolver.resolve("new-0", null); // its read of the overrides waits
        await().atMost(WAIT).until(() -> store.calls("overrides") == 1);
        store.resetCounts();

        List<CompletableFuture<Resolution>> others = new ArrayList<>();
        for (int i = 1; i < 20; i++) {
            others.add(resolver.resolve("new-" + i, null));
        }
        await().atMost(WAIT).until(() -> store.calls("placement") == 19);
        gate.complete(null);

        assertThat(join(first).outcome()).isEqualTo(Outcome.ROUTE);
        for (int i = 0; i < others.size(); i++) {
            assertThat(join(others.get(i)).outcome())
                    .as("new-%d", i + 1)
                    .isEqualTo(i + 1 == 7 ? Outcome.FROZEN : Outcome.ROUTE);
        }
        assertThat(store.calls("overrides"))
                .as("one read queued behind the first, shared")
                .isEqualTo(1);
    }

    /** A frozen customer's refusals are counted on its cell, also on a router that had not cached it. */
    @Test
    void resolve_frozenCustomerNotCached_learnsItsCellForTheNextRefusals() {
        started(CONFIG.withPreload(false));
        join(files.putOverride(RoutingOverride.freeze("acme", START.plus(Duration.ofHours(1)), "moving data")));
        join(resolver.catchUp());

        Resolution first = resolve("acme");

        assertThat(first.outcome()).isEqualTo(Outcome.FROZEN);
        await().atMost(WAIT).untilAsserted(() -> assertThat(resolve("acme").cell())
                .isNotNull()
                .extracting(Cell::name)
                .isEqualTo("cell-1"));
        assertThat(resolve("acme").outcome()).isEqualTo(Outcome.FROZEN);
    }

    /** The read of the overrides that would bring the freeze fails: the placement's read fails too, never routes unfrozen. */
    @Test
    void resolve_missReadsANewPlacementButTheOverridesCannotBeRead_isUnavailableNotTheNewCell() {
        started(CONFIG.withPreload(false));
        join(files.putOverride(RoutingOverride.freeze("acme", START.plus(Duration.ofHours(1)), "moving data")));
        join(files.putPlacement("acme", "cell-2", 1));
        store.failNextOverridesRead();

        Resolution resolution = resolve("acme");

        assertThat(resolution.outcome()).isEqualTo(Outcome.REGISTRY_UNAVAILABLE);
        assertThat(resolve("acme").outcome()).as("the next read catches up").isEqualTo(Outcome.FROZEN);
    }

    /** The same with a token naming the new cell: the token does not stand in for the overrides either. */
    @Test
    void resolve_missReadsANewPlacementButTheOverridesCannotBeReadWithATokenHint_isUnavailableNotTheHintedCell() {
        started(CONFIG.withPreload(false));
        join(files.putOverride(RoutingOverride.freeze("acme", START.plus(Duration.ofHours(1)), "moving data")));
        join(files.putPlacement("acme", "cell-2", 1));
        store.failNextOverridesRead();

        Resolution resolution = resolve("acme", "cell-2");

        assertThat(resolution.outcome()).isEqualTo(Outcome.REGISTRY_UNAVAILABLE);
        assertThat(resolve("acme", "cell-2").outcome())
                .as("the next read catches up")
                .isEqualTo(Outcome.FROZEN);
    }

    /**
     * However far behind this router's feed is (a poll reads a bounded batch; after an import it
     * may take many), the freeze is found: the overrides are read whole, not through the feed.
     */
    @Test
    void resolve_missReadsANewPlacementWhileTheFeedDoesNotBringTheFreeze_theFreezeHoldsIt() {
        started(CONFIG.withPreload(false));
        store.loseFeedEntries(); // as if this router's polls were thousands of entries behind
        join(files.putOverride(RoutingOverride.freeze("acme", START.plus(Duration.ofHours(1)), "moving data")));
        join(files.putPlacement("acme", "cell-2", 1));

        Resolution resolution = resolve("acme");

        assertThat(resolution.outcome()).isEqualTo(Outcome.FROZEN);
    }

    /**
     * A poll's batch names an older move of a cached customer; by the time its re-read lands a
     * second move has written its freeze and then its placement, both beyond the batch (the freeze
     * is not in the table). The re-read reads the overrides again before its placement is used, as
     * a miss does: frozen, not routed to the new cell.
     */
    @Test
    void pollOnce_rereadFindsAPlacementNewerThanTheBatch_theMovesFreezeHoldsIt() {
        started(CONFIG);
        join(files.putPlacement("acme", "cell-2", 1));
        long firstMove = join(files.latestSequence());
        join(files.putOverride(RoutingOverride.freeze("acme", START.plus(Duration.ofHours(1)), "moving data")));
        join(files.putPlacement("acme", "cell-1", 2));
        store.answerNextFeedRead(new ChangeBatch(
                List.of(new Change(firstMove, Change.Kind.PLACEMENT, "acme", START)), firstMove, false));

        join(resolver.catchUp());

        assertThat(resolve("acme").outcome()).isEqualTo(Outcome.FROZEN);
    }

    /** The overrides cannot be read after such a re-read: the poll fails, the cached cell stays, the next poll catches up. */
    @Test
    void pollOnce_rereadFindsANewerPlacementButTheOverridesCannotBeRead_keepsTheCachedCellAndTheCursor() {
        started(CONFIG);
        long before = resolver.health().feedCursor();
        join(files.putOverride(RoutingOverride.freeze("acme", START.plus(Duration.ofHours(1)), "moving data")));
        join(files.putPlacement("acme", "cell-2", 1));
        store.answerNextFeedRead(
                new ChangeBatch(List.of(new Change(before, Change.Kind.PLACEMENT, "acme", START)), before + 1, false));
        store.failNextOverridesRead();

        assertThat(resolver.catchUp()).failsWithin(WAIT);

        assertThat(resolver.health().feedCursor()).isEqualTo(before);
        assertThat(resolve("acme").cell().name()).isEqualTo("cell-1");
        join(resolver.catchUp());
        assertThat(resolve("acme").outcome()).isEqualTo(Outcome.FROZEN);
    }

    /** A placement written longer ago than a poll interval (and the clocks' skew) is used at once: no poll. */
    @Test
    void resolve_missReadsAnOlderPlacement_noExtraPoll() {
        started(CONFIG.withPreload(false));
        join(files.putPlacement("acme", "cell-2", 1));
        join(resolver.catchUp());
        clock.advance(CONFIG.pollInterval().plus(CachingResolver.CLOCK_SKEW).plusMillis(1));
        store.resetCounts();

        Resolution resolution = resolve("acme");

        assertThat(resolution.cell().name()).isEqualTo("cell-2");
        assertThat(store.calls("changesSince")).isZero();
    }

    @Test
    void changesWhoseFeedEntriesWereLost_areFollowedAtTheNextTableRefresh() {
        started(CONFIG);
        assertThat(resolve("acme").outcome()).isEqualTo(Outcome.ROUTE);
        store.loseFeedEntries();
        join(files.putOverride(RoutingOverride.freeze("acme", START.plus(Duration.ofHours(1)), "moving data")));
        join(files.patchCell("cell-2", io.cellrouter.registry.store.CellPatch.state(CellState.OFFLINE)));

        join(resolver.catchUp());
        Resolution before = resolve("acme");
        ticker.advance(RegistrySync.TABLE_REFRESH.minusMillis(1));
        join(resolver.catchUp());
        Resolution stillBefore = resolve("acme");
        ticker.advance(Duration.ofMillis(1));
        store.resetCounts();
        join(resolver.catchUp());

        assertThat(before.outcome()).as("no feed entry: not seen yet").isEqualTo(Outcome.ROUTE);
        assertThat(stillBefore.outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(resolve("acme").outcome()).isEqualTo(Outcome.FROZEN);
        assertThat(resolve("globex").outcome()).isEqualTo(Outcome.CELL_OFFLINE);
        assertThat(listener.rerouted())
                .as("moved streams of the customer end as after any change")
                .contains("acme");
        assertThat(store.calls("overrides")).isEqualTo(1);
        assertThat(store.calls("cells")).isEqualTo(1);
        assertThat(store.calls("shadows")).isEqualTo(1);
    }

    @Test
    void pollOnce_cellSetOffline_resolvesItsCustomersAsCellOffline() {
        started(CONFIG);
        join(files.putCell(cell("cell-1").withState(CellState.OFFLINE)));

        join(resolver.catchUp());

        assertThat(resolve("acme").outcome()).isEqualTo(Outcome.CELL_OFFLINE);
        assertThat(resolver.cells())
                .filteredOn(cell -> cell.name().equals("cell-1"))
                .extracting(Cell::state)
                .containsExactly(CellState.OFFLINE);
    }

    /**
     * Before the first load has completed (the cells not read yet, say), no customer is routed: a
     * placement read then would name a cell the router does not know, a 502 blaming the cell, where
     * the truth is that the registry cannot answer yet (503 with Retry-After).
     */
    @Test
    void resolve_beforeTheFirstLoadCompleted_isRegistryUnavailable_withoutARead() {
        CompletableFuture<Void> overrides = store.holdOverridesReads();
        resolver = builder(CONFIG.withPreload(false)).buildCaching();
        CompletableFuture<Void> started = resolver.start();
        store.resetCounts();

        Resolution early = resolve("acme");

        assertThat(started).isNotDone();
        assertThat(early.outcome()).isEqualTo(Outcome.REGISTRY_UNAVAILABLE);
        assertThat(early.retryAfter()).isNotNull();
        assertThat(store.calls("placement")).isZero();
        overrides.complete(null);
        join(started);
        assertThat(resolve("acme").cell().name()).isEqualTo("cell-1");
    }

    @Test
    void pollOnce_feedGap_reloadsEverything() {
        started(CONFIG);
        join(files.putPlacement("acme", "cell-2", 1));
        store.gapOnNextFeedRead();
        store.resetCounts();

        join(resolver.catchUp());

        assertThat(store.calls("cells")).isEqualTo(1);
        assertThat(store.calls("overrides")).isEqualTo(1);
        assertThat(store.calls("placements")).isEqualTo(1);
        assertThat(resolve("acme").cell().name()).isEqualTo("cell-2");
        assertThat(resolver.health().feedCursor()).isEqualTo(join(files.latestSequence()));
    }

    /** Without preload a gap reads the cached customers again, placed or not: changes the feed lost are picked up. */
    @Test
    void pollOnce_feedGapWithoutPreload_cachedCustomersAreReadAgainAtTheirNextUse_notInThePoll() {
        started(CONFIG.withPreload(false));
        assertThat(resolve("acme").cell().name()).isEqualTo("cell-1");
        assertThat(resolve("newcomer").outcome()).isEqualTo(Outcome.UNKNOWN_CUSTOMER);
        join(files.putPlacement("acme", "cell-2", 1));
        join(files.putPlacement("newcomer", "cell-1", 0));
        store.gapOnNextFeedRead();
        store.resetCounts();

        join(resolver.catchUp());

        assertThat(store.calls("placement")).as("the poll reads no placement").isZero();
        resolve("acme"); // due: routes from the cache while its refresh reads it again
        await().atMost(WAIT).until(() -> "cell-2".equals(resolve("acme").cell().name()));
        assertThat(resolve("acme").source()).isEqualTo(Source.CACHE);
        assertThat(resolve("newcomer").cell().name()).isEqualTo("cell-1");
        assertThat(listener.count(LookupKind.STALE)).as("nothing failed").isZero();
    }

    @Test
    void pollOnce_storeDown_countsFailuresLogsOnceAndTheNextPollCatchesUp() {
        started(CONFIG);
        join(files.putPlacement("acme", "cell-2", 1));
        ListAppender<ILoggingEvent> logs = captureLogs(RegistrySync.class);
        store.down();

        for (int i = 0; i < 3; i++) {
            assertThat(resolver.catchUp()).failsWithin(WAIT);
        }
        assertThat(resolver.health().failedPolls()).isEqualTo(3);
        assertThat(logs.list)
                .filteredOn(event -> event.getLevel() == Level.WARN)
                .hasSize(1);
        assertThat(resolve("acme").cell().name()).isEqualTo("cell-1");

        store.up();
        join(resolver.catchUp());

        assertThat(resolve("acme").cell().name()).isEqualTo("cell-2");
    }

    @Test
    void start_withPreload_fillsTheCacheWithEveryPlacement() {
        started(CONFIG);
        store.resetCounts();

        assertThat(resolver.isReady()).isTrue();
        assertThat(resolver.cacheSize()).isEqualTo(4);
        for (String customer : List.of("acme", "globex", "hooli", "umbrella")) {
            resolve(customer);
        }
        assertThat(store.calls("placement")).isZero();
        assertThat(listener.count(LookupKind.MISS)).isZero();
    }

    @Test
    void start_withoutPreload_leavesTheCacheEmpty() {
        started(CONFIG.withPreload(false));

        assertThat(resolver.cacheSize()).isZero();
        assertThat(resolver.cells()).extracting(Cell::name).containsExactly("cell-1", "cell-2", "cell-3");
    }

    @Test
    void start_whileTheStoreIsDown_failsThenBecomesReadyWhenTheStoreRecovers() {
        store.down();
        resolver = builder(CONFIG.withPollInterval(Duration.ofMillis(20))).buildCaching();

        assertThat(resolver.start())
                .failsWithin(WAIT)
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(resolver.isReady()).isFalse();
        store.up();

        await().atMost(WAIT).until(resolver::isReady);
        assertThat(resolver.cacheSize()).isEqualTo(4);
    }

    @Test
    void start_followsTheFeedOnSchedule_movesAreSeenWithoutAManualPoll() {
        started(CONFIG.withPollInterval(Duration.ofMillis(20)));

        join(files.putPlacement("acme", "cell-3", 1));

        await().atMost(WAIT).until(() -> resolve("acme").outcome() == Outcome.CELL_OFFLINE);
    }

    @Test
    void cacheAge_afterTheTickerMoves_isTheTimeSinceTheRead() {
        started(CONFIG);

        ticker.advance(Duration.ofSeconds(42));

        assertThat(resolver.cacheAge("acme")).contains(Duration.ofSeconds(42));
        assertThat(resolver.cacheAge("nobody")).isEmpty();
    }

    @Test
    void invalidate_cachedCustomer_nextResolveReadsTheRegistry() {
        started(CONFIG);
        store.resetCounts();

        resolver.invalidate("acme");

        assertThat(resolve("acme").source()).isEqualTo(Source.REGISTRY);
        assertThat(store.calls("placement")).isEqualTo(1);
    }

    @Test
    void storeCall_everyStoreRead_isReportedToTheListener() {
        List<String> operations = new java.util.concurrent.CopyOnWriteArrayList<>();
        resolver = builder(CONFIG.withPreload(false))
                .listener(new ResolverListener() {
                    @java.lang.Override
                    public void storeCall(String operation, long nanos, boolean success) {
                        operations.add(operation + ":" + success);
                    }
                })
                .buildCaching();
        join(resolver.start());
        store.down();

        resolve("acme");

        assertThat(operations).contains("latestSequence:true", "cells:true", "overrides:true", "placement:false");
    }

    /**
     * Longer than a poll interval and the clocks' skew: a placement written that long ago is used
     * as read, where one written the moment before waits for a poll first (and that poll re-reads it).
     */
    static final Duration WRITTEN_LONG_AGO =
            CONFIG.pollInterval().plus(CachingResolver.CLOCK_SKEW).plusSeconds(1);

    private ResolverBuilder builder(ResolverConfig config) {
        return CachingResolver.builder()
                .store(store)
                .config(config)
                .clock(clock)
                .ticker(ticker)
                .listener(listener);
    }

    /**
     * A move's placement whose feed entry was lost is read when the move's freeze ends, not at
     * refreshAfter; and the end of the freeze reroutes the customer, so its streams are checked.
     */
    @Test
    void aFreezeEnding_rereadsThePlacementWhoseFeedEntryWasLost_andReroutes() {
        started(CONFIG);
        join(files.putOverride(RoutingOverride.freeze("acme", START.plus(Duration.ofMinutes(5)), "moving")));
        join(resolver.catchUp());
        assertThat(resolve("acme").outcome()).isEqualTo(Outcome.FROZEN);
        store.loseFeedEntries();
        join(files.putPlacement("acme", "cell-2", 1));
        join(resolver.catchUp());
        assertThat(resolve("acme").outcome()).isEqualTo(Outcome.FROZEN);
        listener.rerouted().clear();

        clock.advance(Duration.ofMinutes(6));
        join(resolver.catchUp());

        assertThat(resolve("acme").cell().name()).isEqualTo("cell-2");
        assertThat(listener.rerouted()).containsExactly("acme");
        join(resolver.catchUp());
        assertThat(listener.rerouted()).as("an ended override ends once").containsExactly("acme");
    }

    private CachingResolver started(ResolverConfig config) {
        resolver = builder(config).buildCaching();
        join(resolver.start());
        return resolver;
    }

    private Resolution resolve(String customer) {
        return resolve(customer, null);
    }

    private Resolution resolve(String customer, String cellHint) {
        return join(resolver.resolve(customer, cellHint));
    }

    private Cell cell(String name) {
        return join(files.cells()).stream()
                .filter(cell -> cell.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static ListAppender<ILoggingEvent> captureLogs(Class<?> type) {
        Logger logger = (Logger) LoggerFactory.getLogger(type);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        return appender;
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
