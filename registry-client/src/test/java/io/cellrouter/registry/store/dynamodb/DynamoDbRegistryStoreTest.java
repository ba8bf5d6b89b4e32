package io.cellrouter.registry.store.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import io.cellrouter.registry.store.Change;
import io.cellrouter.registry.store.ChangeBatch;
import io.cellrouter.registry.store.InvalidRegistryException;
import io.cellrouter.registry.store.RegistryDocuments;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.registry.store.RegistryStoreContract;
import io.cellrouter.registry.store.StoreUnavailableException;
import io.cellrouter.registry.testing.DynaliteExtension;
import io.cellrouter.registry.testing.WireProxy;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The store contract against a real dynalite, and what is particular to DynamoDB: the feed, timeouts. */
class DynamoDbRegistryStoreTest extends RegistryStoreContract {

    @RegisterExtension
    static final DynaliteExtension DYNALITE = new DynaliteExtension();

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);

    @java.lang.Override
    protected RegistryStore newStore(RegistryDocument seed) {
        DynamoDbSettings settings = Tables.settings(DYNALITE.endpoint(), Tables.newName());
        Tables.createAndLoad(settings, seed);
        return DynamoDbRegistryStore.open(settings, CLOCK);
    }

    @java.lang.Override
    protected RegistryStore newStoreRetaining(RegistryDocument seed, int changes) {
        // Buckets of 4 slots hold 3 changes and a seal; two buckets are kept: 3 to 6 changes.
        DynamoDbSettings settings =
                Tables.settings(DYNALITE.endpoint(), Tables.newName()).withFeed(Math.max(3, changes), 2);
        Tables.createAndLoad(settings, seed);
        return DynamoDbRegistryStore.open(settings, CLOCK);
    }

    @Test
    void changesSince_writersOnSkewedClocksRacingAcrossBuckets_readerNeverMissesAnEntry() throws Exception {
        DynamoDbSettings settings =
                Tables.settings(DYNALITE.endpoint(), Tables.newName()).withFeed(5, 1_000);
        Tables.createAndLoad(settings, seed());
        // Four writers whose clocks disagree by up to two hours: ordering must not depend on time.
        List<DynamoDbRegistryStore> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            Clock skewed = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(40L * (w - 2)));
            writers.add(DynamoDbRegistryStore.open(settings, skewed));
        }
        DynamoDbRegistryStore reader = DynamoDbRegistryStore.open(settings, Clock.systemUTC());
        try {
            Set<String> written = java.util.concurrent.ConcurrentHashMap.newKeySet();
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Change> read = new ArrayList<>();
            CompletableFuture<Void> follower = CompletableFuture.runAsync(() -> {
                long cursor = 0;
                while (writing.get()) {
                    ChangeBatch batch = reader.changesSince(cursor).join();
                    assertThat(batch.gap()).isFalse();
                    read.addAll(batch.changes());
                    cursor = batch.cursor();
                }
                ChangeBatch last;
                do {
                    last = reader.changesSince(cursor).join();
                    read.addAll(last.changes());
                    cursor = last.cursor();
                } while (!last.changes().isEmpty());
            });
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int w = 0; w < writers.size(); w++) {
                DynamoDbRegistryStore writer = writers.get(w);
                int id = w;
                writes.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 15; i++) {
                        String customer = "w" + id + "-c" + i;
                        writer.putPlacement(customer, "cell-1", 0).join();
                        written.add("PLACEMENT:" + customer);
                        writer.putOverride(RoutingOverride.toCell(customer, "cell-2", EXPIRY, null))
                                .join();
                        written.add("OVERRIDE:" + customer);
                    }
                }));
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
            writing.set(false);
            follower.join();

            Set<String> seen = new HashSet<>();
            read.forEach(change -> seen.add(change.kind() + ":" + change.key()));
            // At least once: every write is read. (A feed claim whose answer was lost to an attempt
            // timeout is claimed again at the next slot: such a change is read twice, harmlessly.)
            assertThat(seen).isEqualTo(written);
            assertThat(read).extracting(Change::sequence).isSorted();
        } finally {
            writers.forEach(RegistryStore::close);
            reader.close();
        }
    }

    @Test
    void changesSince_nothingChanged_isOneQueryAtTheWire() throws Exception {
        try (WireProxy wire = WireProxy.to(DYNALITE.endpoint())) {
            DynamoDbSettings direct = Tables.settings(DYNALITE.endpoint(), Tables.newName());
            Tables.createAndLoad(direct, seed());
            try (DynamoDbRegistryStore store =
                    DynamoDbRegistryStore.open(direct.withEndpoint(wire.endpoint()), CLOCK)) {
                result(store.putPlacement("acme", "cell-2", 1));
                long cursor = result(store.changesSince(0)).cursor();
                wire.resetCounts();

                for (int poll = 0; poll < 10; poll++) {
                    assertThat(result(store.changesSince(cursor)).changes()).isEmpty();
                }

                assertThat(wire.callsByOperation()).isEqualTo(Map.of("Query", 10L));
            }
        }
    }

    @Test
    void placement_throttledAndFailingTwice_isRetriedWithinTheCallTimeout() throws Exception {
        try (WireProxy wire = WireProxy.to(DYNALITE.endpoint());
                RegistryStore store = storeBehind(wire, Duration.ofSeconds(2), Duration.ofMillis(500))) {
            wire.failNext(1, 400, WireProxy.THROTTLING);
            assertThat(cellOf(store, "acme")).contains("cell-1");

            wire.failNext(2, 500, WireProxy.INTERNAL_ERROR);
            assertThat(cellOf(store, "globex")).contains("cell-2");
        }
    }

    @Test
    void placement_storeAnswering500Always_failsAsUnavailableAfterItsRetries() throws Exception {
        try (WireProxy wire = WireProxy.to(DYNALITE.endpoint());
                RegistryStore store = storeBehind(wire, Duration.ofSeconds(2), Duration.ofMillis(500))) {
            wire.resetCounts();
            wire.failNext(100, 500, WireProxy.INTERNAL_ERROR);

            Throwable failure = failureOf(store.placement("acme"));

            assertThat(failure).isInstanceOf(StoreUnavailableException.class).hasMessageContaining("placement");
            assertThat(wire.calls("GetItem")).isEqualTo(3); // RetryMode.STANDARD: three attempts
        }
    }

    /**
     * An override whose change-feed entry cannot be written fails, saying it was written: a move's
     * freeze must reach routers before its placement, so the move has to know (other writes are
     * reported done and picked up later).
     */
    @Test
    void putOverride_feedAppendFailing_failsSayingTheOverrideWasWritten() throws Exception {
        try (WireProxy wire = WireProxy.to(DYNALITE.endpoint());
                RegistryStore store = storeBehind(wire, Duration.ofSeconds(2), Duration.ofMillis(500))) {
            RoutingOverride freeze =
                    RoutingOverride.freeze("feedless", java.time.Instant.now().plusSeconds(600), "moving");
            wire.failAfter(1, 100, 500, WireProxy.INTERNAL_ERROR); // the override's PutItem passes

            Throwable failure = failureOf(store.putOverride(freeze));

            assertThat(failure)
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("override of feedless was written")
                    .hasMessageContaining("change-feed entry was not");
            wire.failNext(0, 500, WireProxy.INTERNAL_ERROR);
            assertThat(store.overrides().get(10, java.util.concurrent.TimeUnit.SECONDS))
                    .contains(freeze);
        }
    }

    /**
     * A write whose every answer is lost after it landed (a timeout or a 5xx: outcome unknown) fails,
     * but is announced anyway: routers that cached the customer re-read it now, not after refreshAfter.
     */
    @Test
    void putPlacement_answersLostAfterTheWriteLanded_failsButAnnouncesTheChange() throws Exception {
        try (WireProxy wire = WireProxy.to(DYNALITE.endpoint());
                RegistryStore store = storeBehind(wire, Duration.ofSeconds(2), Duration.ofMillis(500))) {
            long before = result(store.latestSequence());
            wire.forwardThenFail(100, "PutItem", "CUSTOMER#acme", 500, WireProxy.INTERNAL_ERROR);

            Throwable failure = failureOf(store.putPlacement("acme", "cell-2", 1));

            assertThat(failure).isInstanceOf(StoreUnavailableException.class);
            assertThat(cellOf(store, "acme")).contains("cell-2");
            assertThat(result(store.changesSince(before)).changes())
                    .extracting(Change::kind, Change::key)
                    .containsExactly(tuple(Change.Kind.PLACEMENT, "acme"));
        }
    }

    @Test
    void putOverride_answersLostAfterTheWriteLanded_failsButAnnouncesTheFreeze() throws Exception {
        try (WireProxy wire = WireProxy.to(DYNALITE.endpoint());
                RegistryStore store = storeBehind(wire, Duration.ofSeconds(2), Duration.ofMillis(500))) {
            long before = result(store.latestSequence());
            RoutingOverride freeze = RoutingOverride.freeze("acme", EXPIRY, "moving");
            wire.forwardThenFail(100, "PutItem", "{\"S\":\"OVERRIDE\"}", 500, WireProxy.INTERNAL_ERROR);

            Throwable failure = failureOf(store.putOverride(freeze));

            assertThat(failure).isInstanceOf(StoreUnavailableException.class);
            assertThat(result(store.overrides())).contains(freeze);
            assertThat(result(store.changesSince(before)).changes())
                    .extracting(Change::kind, Change::key)
                    .containsExactly(tuple(Change.Kind.OVERRIDE, "acme"));
        }
    }

    /** The SDK's retry of a delete whose answer was lost finds nothing: still announced, still false. */
    @Test
    void deleteOverride_firstAnswerLostAndTheRetryFindingNothing_announcesTheDelete() throws Exception {
        try (WireProxy wire = WireProxy.to(DYNALITE.endpoint());
                RegistryStore store = storeBehind(wire, Duration.ofSeconds(2), Duration.ofMillis(500))) {
            long before = result(store.latestSequence());
            wire.forwardThenFail(1, "DeleteItem", "initech", 500, WireProxy.INTERNAL_ERROR);

            boolean found = result(store.deleteOverride("initech"));

            assertThat(found).isFalse();
            assertThat(wire.calls("DeleteItem")).isEqualTo(2);
            assertThat(result(store.overrides())).isEmpty();
            assertThat(result(store.changesSince(before)).changes())
                    .extracting(Change::kind, Change::key)
                    .containsExactly(tuple(Change.Kind.OVERRIDE, "initech"));
        }
    }

    /**
     * Items written by hand or damaged: whole reads return every other item (failing them would fail
     * every poll of every router for ever), count the skipped ones and name each in a warning.
     */
    @Test
    void wholeReads_itemsThatDoNotRead_areSkippedCountedAndNamed() {
        DynamoDbSettings settings = Tables.settings(DYNALITE.endpoint(), Tables.newName());
        Tables.createAndLoad(settings, seed());
        Cell cell = new Cell("cell-9", URI.create("http://cell-9:8080"), CellState.ACTIVE);
        Map<String, AttributeValue> maintenance = Items.cellItem(cell, Tables.LOADED_AT);
        maintenance.put(Items.STATE, Items.s("maintenance"));
        Map<String, AttributeValue> badUri = Items.cellItem(cell.withVersion(1), Tables.LOADED_AT);
        badUri.putAll(Items.cellKey("cell-8"));
        badUri.put(Items.ENDPOINT, Items.s("http://cell 8"));
        Map<String, AttributeValue> badExpiry =
                Items.overrideItem(RoutingOverride.freeze("umbrella", EXPIRY, null), Tables.LOADED_AT);
        badExpiry.put(Items.EXPIRES_AT, Items.s("soon"));
        Map<String, AttributeValue> noFraction =
                Items.shadowItem(new Shadow("acme", "cell-2", 0.5, List.of(), EXPIRY, null), Tables.LOADED_AT);
        noFraction.remove(Items.FRACTION);
        Map<String, AttributeValue> noVersion =
                Items.placementItem(new Placement("wayne", "cell-1", 1, Tables.LOADED_AT));
        noVersion.remove(Items.VERSION);
        Map<String, AttributeValue> noUpdatedAt =
                Items.placementItem(new Placement("hooli", "cell-1", 1, Tables.LOADED_AT));
        noUpdatedAt.remove(Items.UPDATED_AT);
        Tables.writeRaw(settings, List.of(maintenance, badUri, badExpiry, noFraction, noVersion, noUpdatedAt));
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(ItemParser.class)).addAppender(logs);

        try (DynamoDbRegistryStore store = DynamoDbRegistryStore.open(settings, CLOCK)) {
            assertThat(result(store.cells()))
                    .extracting(Cell::name)
                    .containsExactlyInAnyOrder("cell-1", "cell-2", "cell-3");
            assertThat(result(store.overrides()))
                    .extracting(RoutingOverride::customer)
                    .containsExactly("initech");
            assertThat(result(store.shadows())).isEmpty();
            assertThat(result(store.placements()))
                    .extracting(Placement::customer)
                    .containsExactlyInAnyOrder("acme", "globex", "hooli");
            assertThat(store.skippedItems()).isEqualTo(5);
            assertThat(result(store.placement("hooli")).orElseThrow().updatedAt())
                    .isEqualTo(Instant.EPOCH);
            assertThat(failureOf(store.placement("wayne")))
                    .isInstanceOf(InvalidRegistryException.class)
                    .hasMessageContaining("CUSTOMER#wayne/PLACEMENT");
        } finally {
            ((Logger) LoggerFactory.getLogger(ItemParser.class)).detachAppender(logs);
        }
        assertThat(logs.list)
                .extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(line -> assertThat(line)
                        .contains(settings.table(), "CELL/cell-9", "maintenance")
                        .doesNotContain("cell-9:8080"))
                .anySatisfy(line -> assertThat(line).contains("CELL/cell-8", "http://cell 8"))
                .anySatisfy(line -> assertThat(line).contains("OVERRIDE/umbrella", "soon"))
                .anySatisfy(line -> assertThat(line).contains("SHADOW/acme", Items.FRACTION))
                .anySatisfy(line -> assertThat(line).contains("CUSTOMER#wayne/PLACEMENT", Items.VERSION));
    }

    /**
     * A feed entry that does not read: the poll is a gap (every router reloads and goes on past it),
     * counted and named, where it used to fail every poll of every router for ever.
     */
    /**
     * A cell item whose region or label name a registry document could not hold (written before the
     * admin API checked them) reads without them: kept, it would make every snapshot unreadable.
     */
    @Test
    void cells_aRegionOrLabelNameADocumentCannotHold_isLeftOut_andTheDocumentReadsBack() {
        DynamoDbSettings settings = Tables.settings(DYNALITE.endpoint(), Tables.newName());
        Tables.createAndLoad(settings, seed());
        Map<String, AttributeValue> item =
                Items.cellItem(new Cell("cell-9", URI.create("http://cell-9:8080"), CellState.ACTIVE), CLOCK.instant());
        item.put("region", AttributeValue.fromS("US East (N. Virginia)"));
        item.put(
                "labels",
                AttributeValue.fromM(Map.of(" ", AttributeValue.fromS("x"), "team", AttributeValue.fromS("a"))));
        Tables.writeRaw(settings, List.of(item));

        try (DynamoDbRegistryStore store = DynamoDbRegistryStore.open(settings, CLOCK)) {
            Cell read = result(store.cells()).stream()
                    .filter(cell -> cell.name().equals("cell-9"))
                    .findFirst()
                    .orElseThrow();

            assertThat(read.region()).isNull();
            assertThat(read.labels()).containsExactly(Map.entry("team", "a"));
            RegistryDocument document = new RegistryDocument(List.of(read), Map.of(), List.of(), Map.of());
            assertThat(RegistryDocuments.parse(RegistryDocuments.toJson(document), "snapshot")
                            .cells())
                    .singleElement()
                    .extracting(Cell::name)
                    .isEqualTo("cell-9");
        }
    }

    @Test
    void changesSince_anEntryThatDoesNotRead_isAGapPastIt() {
        DynamoDbSettings settings = Tables.settings(DYNALITE.endpoint(), Tables.newName());
        Tables.createAndLoad(settings, seed());
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(ItemParser.class)).addAppender(logs);

        try (DynamoDbRegistryStore store = DynamoDbRegistryStore.open(settings, CLOCK)) {
            long before = result(store.latestSequence());
            long damaged = before + 1;
            Tables.writeRaw(
                    settings,
                    List.of(Items.feedEntry(
                            damaged / settings.feedBucketSize(), damaged, List.of("X:acme"), Tables.LOADED_AT)));
            result(store.putPlacement("acme", "cell-2", 1));

            ChangeBatch batch = result(store.changesSince(before));

            assertThat(batch.gap()).isTrue();
            assertThat(batch.cursor()).isGreaterThan(damaged);
            assertThat(store.skippedItems()).isEqualTo(1);
            ChangeBatch next = result(store.changesSince(batch.cursor()));
            assertThat(next.gap()).isFalse();
            assertThat(next.changes()).isEmpty();
        } finally {
            ((Logger) LoggerFactory.getLogger(ItemParser.class)).detachAppender(logs);
        }
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).anySatisfy(line -> assertThat(line)
                .contains(settings.table(), "X:acme", "gap"));
    }

    /** The same entry at the head of the feed: once passed over, it is the anchor, matched by its sequence only. */
    @Test
    void changesSince_anEntryThatDoesNotReadAtTheHead_isOneGapNotAGapEveryPoll() {
        DynamoDbSettings settings = Tables.settings(DYNALITE.endpoint(), Tables.newName());
        Tables.createAndLoad(settings, seed());

        try (DynamoDbRegistryStore store = DynamoDbRegistryStore.open(settings, CLOCK)) {
            long before = result(store.latestSequence());
            long damaged = before + 1;
            Map<String, AttributeValue> typeless =
                    Items.feedEntry(damaged / settings.feedBucketSize(), damaged, List.of("P:acme"), Tables.LOADED_AT);
            typeless.remove(Items.TYPE);
            Tables.writeRaw(settings, List.of(typeless));

            ChangeBatch gap = result(store.changesSince(before));
            ChangeBatch next = result(store.changesSince(gap.cursor()));

            assertThat(gap.gap()).isTrue();
            assertThat(gap.cursor()).isEqualTo(damaged);
            assertThat(next.gap()).as("the next poll reads on from it").isFalse();
            assertThat(next.cursor()).isEqualTo(damaged);
            result(store.putPlacement("acme", "cell-2", 1));
            assertThat(result(store.changesSince(next.cursor())).changes())
                    .extracting(Change::kind, Change::key)
                    .containsExactly(tuple(Change.Kind.PLACEMENT, "acme"));
        }
    }

    @Test
    void placement_storeHanging_failsAsUnavailableWithinTheCallTimeout() throws Exception {
        Duration callTimeout = Duration.ofMillis(600);
        try (WireProxy wire = WireProxy.to(DYNALITE.endpoint());
                RegistryStore store = storeBehind(wire, callTimeout, Duration.ofMillis(200))) {
            wire.hang();
            long start = System.nanoTime();

            Throwable failure = failureOf(store.placement("acme"));

            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(failure).isInstanceOf(StoreUnavailableException.class);
            assertThat(took).isLessThan(callTimeout.plusMillis(400));
        }
    }

    @Test
    void anyCall_tableMissing_failsAsUnavailableSayingHowToCreateIt() {
        try (RegistryStore store =
                DynamoDbRegistryStore.open(Tables.settings(DYNALITE.endpoint(), "no-such-table"), CLOCK)) {
            assertThat(failureOf(store.cells()))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("no-such-table")
                    .hasMessageContaining("create-table");
        }
    }

    @Test
    void createTable_twice_isCreatedThenReportedAsExisting() {
        try (DynamoDbRegistryStore store =
                DynamoDbRegistryStore.open(Tables.settings(DYNALITE.endpoint(), Tables.newName()), CLOCK)) {
            assertThat(result(store.createTable())).isTrue();
            assertThat(result(store.createTable())).isFalse();
            assertThat(result(store.latestSequence())).isZero();
            assertThat(result(store.cells())).isEmpty();
        }
    }

    @Test
    void placements_moreThanOnePageInEverySegment_returnsEveryPlacementOnce() {
        DynamoDbSettings settings =
                Tables.settings(DYNALITE.endpoint(), Tables.newName()).withScanSegments(2);
        // About 2.3 MB of items: each segment reads more than one 1 MB page.
        Map<String, String> customers = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 12_000; i++) {
            customers.put(i + "-" + "x".repeat(110), "cell-1");
        }
        RegistryDocument big = new RegistryDocument(seed().cells(), customers, List.of(), Map.of());
        Tables.createAndLoad(settings, big);
        try (RegistryStore store = DynamoDbRegistryStore.open(settings, CLOCK)) {
            List<Placement> placements = result(store.placements());

            assertThat(placements).hasSize(12_000);
            assertThat(placements).extracting(Placement::customer).doesNotHaveDuplicates();
        }
    }

    private RegistryStore storeBehind(WireProxy wire, Duration callTimeout, Duration attemptTimeout) {
        DynamoDbSettings settings = Tables.settings(DYNALITE.endpoint(), Tables.newName());
        Tables.createAndLoad(settings, seed());
        return DynamoDbRegistryStore.open(
                settings.withEndpoint(wire.endpoint()).withTimeouts(callTimeout, attemptTimeout), CLOCK);
    }
}
