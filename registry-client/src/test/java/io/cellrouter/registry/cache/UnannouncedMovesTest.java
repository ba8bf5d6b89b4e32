package io.cellrouter.registry.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.store.file.FileRegistryStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moves the change feed did not announce still reach the listener, so that a moved customer's
 * long-lived streams end: after a feed gap (with preload, the customers the reload moved; without,
 * a call to recheck the customers whose streams are open), and when a refresh or a misroute's
 * re-read finds a customer on another cell (a lost feed entry).
 */
class UnannouncedMovesTest {

    private static final Instant START = Instant.parse("2026-06-01T00:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Polled by hand; a placement written longer ago than a poll and the clocks' skew is used as read. */
    private static final ResolverConfig CONFIG = ResolverConfig.defaults().withPollInterval(Duration.ofHours(1));

    private static final Duration WRITTEN_LONG_AGO =
            CONFIG.pollInterval().plus(CachingResolver.CLOCK_SKEW).plusSeconds(1);

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
        RegistryDocument seed = new RegistryDocument(
                List.of(
                        new Cell("cell-1", URI.create("http://cell-1:8080"), CellState.ACTIVE),
                        new Cell("cell-2", URI.create("http://cell-2:8080"), CellState.ACTIVE)),
                Map.of("acme", "cell-1", "globex", "cell-2", "umbrella", "cell-1"),
                List.of(),
                Map.of());
        files = TestRegistries.open(directory, seed, clock);
        store = new CountingStore(files);
    }

    @AfterEach
    void closeEverything() {
        if (resolver != null) {
            resolver.close();
        }
        files.close();
    }

    @Test
    void feedGapWithPreload_tellsTheCustomersTheReloadMoved_andNoOneElse() {
        started(CONFIG);
        join(files.putPlacement("acme", "cell-2", 1));
        store.gapOnNextFeedRead();

        join(resolver.catchUp());

        assertThat(resolve("acme")).isEqualTo("cell-2");
        assertThat(listener.rerouted()).containsExactly("acme");
        assertThat(listener.unknownChanges()).isZero();
    }

    /** A reload that replaced the cache and then failed (the overrides not read) still tells the moves at the next one. */
    @Test
    void feedGapWithPreload_aReloadThatFailsHalfWay_tellsTheMovesWhenTheNextOneCompletes() {
        started(CONFIG);
        store.loseFeedEntries(); // only a reload can find the move
        join(files.putPlacement("acme", "cell-2", 1));
        store.gapOnNextFeedRead();
        store.failNextOverridesRead();

        assertThat(resolver.catchUp()).failsWithin(WAIT);
        assertThat(listener.rerouted()).isEmpty();
        store.gapOnNextFeedRead();
        join(resolver.catchUp());

        assertThat(resolve("acme")).isEqualTo("cell-2");
        assertThat(listener.rerouted()).containsExactly("acme");
    }

    @Test
    void feedGapWithoutPreload_saysAnyoneMayHaveMoved_andRecheckReadsAndTellsTheNamedCustomers() {
        started(CONFIG.withPreload(false));
        assertThat(resolve("acme")).isEqualTo("cell-1");
        assertThat(resolve("globex")).isEqualTo("cell-2");
        join(files.putPlacement("acme", "cell-2", 1));
        clock.advance(WRITTEN_LONG_AGO);
        store.gapOnNextFeedRead();
        int before = listener.unknownChanges(); // the load at start is one too: streams may be routed from a snapshot

        join(resolver.catchUp());

        assertThat(listener.unknownChanges()).isEqualTo(before + 1);
        assertThat(listener.rerouted()).as("who moved is unknown yet").isEmpty();
        store.resetCounts();

        join(resolver.recheck(List.of("acme", "globex", "stranger")));

        assertThat(store.calls("placement"))
                .as("the cached ones are read, a stranger is not")
                .isEqualTo(2);
        assertThat(listener.rerouted()).containsExactlyInAnyOrder("acme", "globex", "stranger");
        store.resetCounts();
        assertThat(resolve("acme"))
                .as("the re-read is cached before the listener hears")
                .isEqualTo("cell-2");
        assertThat(store.calls("placement")).isZero();
    }

    /** Thousands of customers to recheck do not hold the change feed: a poll takes its turn between steps. */
    @Test
    void recheck_ofManyCustomers_letsAPollInBetweenItsSteps() {
        List<String> customers = new java.util.ArrayList<>();
        for (int i = 0; i < RegistrySync.RECHECK_STEP + 10; i++) {
            join(files.putPlacement("c" + i, "cell-1", 0));
            customers.add("c" + i);
        }
        started(CONFIG);
        CompletableFuture<Void> held = store.holdPlacementReads();

        CompletableFuture<Void> recheck = resolver.recheck(customers);
        CompletableFuture<Void> poll = resolver.catchUp();
        held.complete(null);
        join(recheck);
        join(poll);

        List<String> operations = listener.operations();
        int polled = operations.lastIndexOf("changesSince");
        assertThat(operations.subList(polled, operations.size()))
                .as("the second step's reads came after the poll")
                .filteredOn("placement"::equals)
                .hasSize(10);
    }

    @Test
    void refreshFindingAnotherCell_tellsTheCustomer_refreshFindingTheSameCellDoesNot() {
        started(CONFIG);
        store.loseFeedEntries();
        join(files.putPlacement("acme", "cell-2", 1));
        join(resolver.catchUp());
        assertThat(resolve("acme")).as("the feed entry was lost").isEqualTo("cell-1");
        clock.advance(WRITTEN_LONG_AGO);
        ticker.advance(CONFIG.refreshAfter().plusSeconds(1));

        resolve("acme"); // due: served from the cache, read again in the background
        resolve("umbrella");

        await().atMost(WAIT).until(() -> "cell-2".equals(resolve("acme")));
        await().atMost(WAIT).until(() -> store.calls("placement") == 2);
        assertThat(listener.rerouted()).containsExactly("acme");
    }

    @Test
    void misroutesReReadFindingAnotherCell_tellsTheCustomer() {
        started(CONFIG);
        store.loseFeedEntries();
        join(files.putPlacement("acme", "cell-2", 1));
        join(resolver.catchUp());
        clock.advance(WRITTEN_LONG_AGO);

        assertThat(join(resolver.misrouted("acme", null, "cell-1")).cell().name())
                .isEqualTo("cell-2");

        assertThat(listener.rerouted())
                .as("its other exchanges at cell-1 end too")
                .containsExactly("acme");
        join(resolver.misrouted("umbrella", null, "cell-1")); // the registry still says cell-1
        assertThat(listener.rerouted()).containsExactly("acme");
    }

    private void started(ResolverConfig config) {
        resolver = CachingResolver.builder()
                .store(store)
                .config(config)
                .clock(clock)
                .ticker(ticker)
                .listener(listener)
                .buildCaching();
        join(resolver.start());
    }

    private String resolve(String customer) {
        return join(resolver.resolve(customer, null)).cell().name();
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no answer within 10s: " + e, e);
        }
    }
}
