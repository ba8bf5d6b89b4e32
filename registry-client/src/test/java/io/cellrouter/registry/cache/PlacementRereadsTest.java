package io.cellrouter.registry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.cache.Resolution.Source;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.store.Change;
import io.cellrouter.registry.store.ChangeBatch;
import io.cellrouter.registry.store.RegistryDocuments;
import io.cellrouter.registry.store.file.FileRegistryStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A feed batch that names many cached customers: their re-reads are bounded, one that fails does
 * not hold the cursor, and an outage keeps the cache as it was.
 */
class PlacementRereadsTest {

    private static final Instant START = Instant.parse("2026-06-01T00:00:00Z");
    private static final ResolverConfig CONFIG = ResolverConfig.defaults().withPollInterval(Duration.ofHours(1));

    @TempDir
    Path directory;

    private final FakeTicker ticker = new FakeTicker();
    private FileRegistryStore files;
    private CountingStore store;
    private CachingResolver resolver;

    @AfterEach
    void closeEverything() {
        if (resolver != null) {
            resolver.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @Test
    void pollOnce_thousandsOfCachedCustomersChanged_rereadsThemAFewAtATimeAndMovesTheCursor() throws IOException {
        List<String> customers = startedWith(5_000);
        store.answerPlacementReadsLater(PlacementRereads.MAX_IN_FLIGHT);
        long cursor = answerNextFeedReadWithMovesOf(customers);

        join(resolver.catchUp());

        assertThat(resolver.health().feedCursor()).isEqualTo(cursor);
        assertThat(store.calls("placement")).isEqualTo(customers.size());
        assertThat(store.maxPlacementReadsInFlight()).isBetween(1, PlacementRereads.MAX_IN_FLIGHT);
        assertThat(resolver.cacheSize()).isEqualTo(customers.size());
    }

    /** The file store answers at once: ten thousand re-reads must not nest ten thousand callbacks. */
    @Test
    void pollOnce_tenThousandChangedCustomersAnsweredAtOnce_isApplied() throws IOException {
        List<String> customers = startedWith(10_000);
        long cursor = answerNextFeedReadWithMovesOf(customers);

        join(resolver.catchUp());

        assertThat(resolver.health().feedCursor()).isEqualTo(cursor);
        assertThat(store.calls("placement")).isEqualTo(customers.size());
    }

    @Test
    void pollOnce_oneRereadFailing_dropsThatCustomerUpdatesTheOthersAndMovesTheCursor() throws IOException {
        startedWith(3);
        join(files.putPlacement("customer-0", "cell-2", 1));
        join(files.putPlacement("customer-1", "cell-2", 1));
        store.failPlacementReadsOf("customer-1");

        join(resolver.catchUp());

        assertThat(resolver.health().feedCursor()).isEqualTo(join(files.latestSequence()));
        assertThat(resolve("customer-0").cell().name()).isEqualTo("cell-2");
        assertThat(resolve("customer-0").source()).isEqualTo(Source.CACHE);
        assertThat(resolver.cacheAge("customer-1")).isEmpty();
        assertThat(resolver.cacheAge("customer-2")).isPresent();
    }

    /** An outage is not a bad customer: the batch is replayed later, the cache keeps routing meanwhile. */
    @Test
    void pollOnce_storeDownDuringTheRereads_failsKeepsTheCursorAndKeepsTheCachedCustomers() throws IOException {
        List<String> customers = startedWith(1_000);
        long before = resolver.health().feedCursor();
        customers.forEach(store::failPlacementReadsOf);
        answerNextFeedReadWithMovesOf(customers);

        assertThat(resolver.catchUp()).failsWithin(Duration.ofSeconds(10));

        assertThat(resolver.health().feedCursor()).isEqualTo(before);
        assertThat(store.calls("placement")).isLessThanOrEqualTo(StoreHealth.THRESHOLD);
        assertThat(resolver.cacheSize()).isEqualTo(customers.size() - (StoreHealth.THRESHOLD - 1));
    }

    /** A started resolver with preload, on a registry of {@code count} customers, all on cell-1. */
    private List<String> startedWith(int count) throws IOException {
        Map<String, String> placements = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            placements.put("customer-" + i, "cell-1");
        }
        RegistryDocument document = new RegistryDocument(
                List.of(
                        new Cell("cell-1", URI.create("http://cell-1:8080"), CellState.ACTIVE),
                        new Cell("cell-2", URI.create("http://cell-2:8080"), CellState.ACTIVE)),
                placements,
                List.of(),
                Map.of());
        Path file = directory.resolve("registry.yaml");
        Files.writeString(file, RegistryDocuments.write(document));
        files = FileRegistryStore.open(file, new MutableClock(START));
        store = new CountingStore(files);
        resolver = CachingResolver.builder()
                .store(store)
                .config(CONFIG)
                .clock(new MutableClock(START))
                .ticker(ticker)
                .buildCaching();
        join(resolver.start());
        assertThat(resolver.cacheSize()).isEqualTo(count);
        store.resetCounts();
        return new ArrayList<>(placements.keySet());
    }

    /** The next feed read names every one of {@code customers} as moved; returns the batch's cursor. */
    private long answerNextFeedReadWithMovesOf(List<String> customers) {
        long sequence = join(files.latestSequence()) + 1;
        List<Change> changes = new ArrayList<>(customers.size());
        customers.forEach(customer -> changes.add(new Change(sequence, Change.Kind.PLACEMENT, customer, START)));
        store.answerNextFeedRead(new ChangeBatch(changes, sequence, false));
        return sequence;
    }

    private Resolution resolve(String customer) {
        return join(resolver.resolve(customer, null));
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("expected success, failed with " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no answer within 30s", e);
        }
    }
}
