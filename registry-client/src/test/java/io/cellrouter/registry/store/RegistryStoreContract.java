package io.cellrouter.registry.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RegistryStore} must do, whatever it stores in. An implementation's test extends
 * this class and says how to make a store holding a given document; the contract runs against it.
 */
public abstract class RegistryStoreContract implements ListingContract {

    protected static final Instant EXPIRY = Instant.parse("2030-01-01T00:00:00Z");

    /** Before the clock of every store the contract opens. */
    protected static final Instant EXPIRED = Instant.parse("2026-01-01T00:00:00Z");

    private final List<RegistryStore> opened = new ArrayList<>();

    /** A new store holding exactly {@code seed} (placements at version 1), with an empty feed. */
    protected abstract RegistryStore newStore(RegistryDocument seed);

    /**
     * Like {@link #newStore}, but the store's change feed forgets old changes once about {@code
     * changes} newer ones exist, so that the contract can outrun it and expect a gap.
     */
    protected abstract RegistryStore newStoreRetaining(RegistryDocument seed, int changes);

    /** Two active cells with metadata, one offline cell, two customers, one freeze. */
    protected static RegistryDocument seed() {
        return new RegistryDocument(
                List.of(
                        new Cell(
                                "cell-1",
                                URI.create("http://10.0.1.10:8080"),
                                CellState.ACTIVE,
                                "us-east-1",
                                "prod",
                                Map.of("cloud", "aws"),
                                0),
                        new Cell("cell-2", URI.create("https://cell-2.internal:443"), CellState.ACTIVE),
                        new Cell("cell-3", URI.create("h2c://cell-3:8080"), CellState.OFFLINE)),
                Map.of("acme", "cell-1", "globex", "cell-2"),
                List.of(RoutingOverride.freeze("initech", EXPIRY, "moving data")),
                Map.of());
    }

    @AfterEach
    void closeStores() {
        opened.forEach(RegistryStore::close);
    }

    @Test
    void placement_placedCustomer_returnsItsCellAtVersionOne() {
        RegistryStore store = open(seed());

        Placement placement = result(store.placement("acme")).orElseThrow();

        assertThat(placement.customer()).isEqualTo("acme");
        assertThat(placement.cell()).isEqualTo("cell-1");
        assertThat(placement.version()).isEqualTo(1);
    }

    @Test
    void placement_unplacedCustomer_isEmpty() {
        RegistryStore store = open(seed());

        assertThat(result(store.placement("nobody"))).isEmpty();
    }

    @Test
    void placements_returnsEveryPlacement() {
        RegistryStore store = open(seed());

        assertThat(result(store.placements()))
                .extracting(Placement::customer, Placement::cell)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("acme", "cell-1"),
                        org.assertj.core.groups.Tuple.tuple("globex", "cell-2"));
    }

    @Test
    void cells_returnsEveryCellWithItsMetadata() {
        RegistryStore store = open(seed());

        List<Cell> cells = result(store.cells());

        assertThat(cells).extracting(Cell::name).containsExactlyInAnyOrder("cell-1", "cell-2", "cell-3");
        Cell first = cells.stream()
                .filter(c -> c.name().equals("cell-1"))
                .findFirst()
                .orElseThrow();
        assertThat(first.region()).isEqualTo("us-east-1");
        assertThat(first.tier()).isEqualTo("prod");
        assertThat(first.labels()).containsEntry("cloud", "aws");
        assertThat(first.endpoint()).isEqualTo(URI.create("http://10.0.1.10:8080"));
    }

    @Test
    void overrides_returnsStoredOverrides() {
        RegistryStore store = open(seed());

        assertThat(result(store.overrides())).containsExactly(RoutingOverride.freeze("initech", EXPIRY, "moving data"));
    }

    @Test
    void putPlacement_newCustomerWithVersionZero_placesItAtVersionOne() {
        RegistryStore store = open(seed());

        Placement placement = result(store.putPlacement("hooli", "cell-2", 0));

        assertThat(placement.version()).isEqualTo(1);
        assertThat(result(store.placement("hooli"))).contains(placement);
    }

    @Test
    void putPlacement_currentVersion_movesTheCustomerAndIncrementsTheVersion() {
        RegistryStore store = open(seed());

        Placement moved = result(store.putPlacement("acme", "cell-2", 1));

        assertThat(moved.cell()).isEqualTo("cell-2");
        assertThat(moved.version()).isEqualTo(2);
        assertThat(result(store.placement("acme"))).contains(moved);
    }

    @Test
    void putPlacement_staleVersion_failsWithVersionConflict() {
        RegistryStore store = open(seed());
        result(store.putPlacement("acme", "cell-2", 1));

        Throwable failure = failureOf(store.putPlacement("acme", "cell-1", 1));

        assertThat(failure).isInstanceOf(VersionConflictException.class).hasMessageContaining("acme");
        assertThat(result(store.placement("acme")).map(Placement::cell)).contains("cell-2");
    }

    @Test
    void putPlacement_versionZeroForPlacedCustomer_failsWithVersionConflict() {
        RegistryStore store = open(seed());

        Throwable failure = failureOf(store.putPlacement("acme", "cell-2", 0));

        assertThat(failure).isInstanceOf(VersionConflictException.class);
        assertThat(result(store.placement("acme")).map(Placement::cell)).contains("cell-1");
    }

    @Test
    void putPlacement_versionForUnplacedCustomer_failsWithVersionConflict() {
        RegistryStore store = open(seed());

        assertThat(failureOf(store.putPlacement("hooli", "cell-1", 3))).isInstanceOf(VersionConflictException.class);
        assertThat(result(store.placement("hooli"))).isEmpty();
    }

    @Test
    void putPlacement_unknownCell_failsWithNotFound() {
        RegistryStore store = open(seed());

        Throwable failure = failureOf(store.putPlacement("acme", "cell-9", 1));

        assertThat(failure).isInstanceOf(NotFoundException.class).hasMessageContaining("cell-9");
        assertThat(result(store.placement("acme")).map(Placement::cell)).contains("cell-1");
    }

    @Test
    void putPlacement_invalidCustomerId_failsWithInvalidRegistry() {
        RegistryStore store = open(seed());

        assertThat(failureOf(store.putPlacement("no spaces", "cell-1", 0)))
                .isInstanceOf(InvalidRegistryException.class)
                .hasMessageContaining("no spaces");
    }

    @Test
    void putPlacement_concurrentMovesFromTheSameVersion_exactlyOneWins() {
        RegistryStore store = open(seed());
        List<CompletableFuture<Placement>> moves = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            moves.add(store.putPlacement("acme", i % 2 == 0 ? "cell-2" : "cell-3", 1));
        }

        long won = moves.stream().filter(move -> outcome(move) == null).count();
        long conflicted = moves.stream()
                .filter(move -> outcome(move) instanceof VersionConflictException)
                .count();

        assertThat(won).isEqualTo(1);
        assertThat(conflicted).isEqualTo(7);
        assertThat(result(store.placement("acme")).map(Placement::version)).contains(2L);
    }

    @Test
    void putCell_newCell_storesItAtVersionOne() {
        RegistryStore store = open(seed());
        Cell cell = new Cell(
                "cell-4",
                URI.create("http://cell-4:8080"),
                CellState.DRAINING,
                "eu-west-1",
                "dev",
                Map.of("k", "v"),
                0);

        Cell stored = result(store.putCell(cell));

        assertThat(stored).isEqualTo(cell.withVersion(1));
        assertThat(result(store.cells())).contains(stored);
    }

    @Test
    void putCell_existingCell_replacesItAndIncrementsTheVersion() {
        RegistryStore store = open(seed());
        Cell current = cell(store, "cell-1");

        Cell offline = result(store.putCell(current.withState(CellState.OFFLINE)));
        Cell draining = result(store.putCell(offline.withState(CellState.DRAINING)));

        assertThat(offline.version()).isEqualTo(current.version() + 1);
        assertThat(draining.version()).isEqualTo(current.version() + 2);
        assertThat(cell(store, "cell-1")).isEqualTo(draining);
    }

    @Test
    void putOverride_toCell_isReturnedWithTheOtherOverrides() {
        RegistryStore store = open(seed());
        RoutingOverride override = RoutingOverride.toCell("acme", "cell-2", EXPIRY, "migration");

        assertThat(result(store.putOverride(override))).isEqualTo(override);

        assertThat(result(store.overrides()))
                .containsExactlyInAnyOrder(override, RoutingOverride.freeze("initech", EXPIRY, "moving data"));
    }

    @Test
    void putOverride_forCustomerWithAnOverride_replacesIt() {
        RegistryStore store = open(seed());
        RoutingOverride unfrozen = RoutingOverride.toCell("initech", "cell-2", EXPIRY.plusSeconds(60), null);

        result(store.putOverride(unfrozen));

        assertThat(result(store.overrides())).containsExactly(unfrozen);
    }

    /** Routers ignore an expired override by their own clock; the store drops it at its next write, so none pile up. */
    @Test
    void putOverride_alreadyExpired_isGoneAfterTheNextWrite() {
        RegistryStore store = open(seed());
        result(store.putOverride(RoutingOverride.freeze("acme", EXPIRED, "moved")));
        RoutingOverride active = RoutingOverride.toCell("globex", "cell-1", EXPIRY, null);

        result(store.putOverride(active));

        assertThat(result(store.overrides()))
                .containsExactlyInAnyOrder(active, RoutingOverride.freeze("initech", EXPIRY, "moving data"));
    }

    @Test
    void putOverride_unknownCell_failsWithNotFound() {
        RegistryStore store = open(seed());

        Throwable failure = failureOf(store.putOverride(RoutingOverride.toCell("acme", "cell-9", EXPIRY, null)));

        assertThat(failure).isInstanceOf(NotFoundException.class).hasMessageContaining("cell-9");
        assertThat(result(store.overrides())).hasSize(1);
    }

    @Test
    void deleteOverride_existingOverride_removesItAndReturnsTrue() {
        RegistryStore store = open(seed());

        assertThat(result(store.deleteOverride("initech"))).isTrue();

        assertThat(result(store.overrides())).isEmpty();
    }

    /**
     * A store may announce a delete that found nothing (DynamoDB does: its retried delete cannot
     * tell "nothing there" from "my lost first attempt deleted it"); the feed is at least once, so
     * such an entry is harmless, but it names nothing else.
     */
    @Test
    void deleteOverride_noOverride_returnsFalseAndChangesNothingElse() {
        RegistryStore store = open(seed());
        long before = result(store.latestSequence());

        assertThat(result(store.deleteOverride("acme"))).isFalse();

        assertThat(result(store.overrides())).containsExactly(RoutingOverride.freeze("initech", EXPIRY, "moving data"));
        assertThat(result(store.changesSince(before)).changes())
                .allMatch(change ->
                        change.kind() == Change.Kind.OVERRIDE && change.key().equals("acme"));
    }

    @Test
    void putShadow_isReturnedByShadows_andRecordedInTheFeedAsAShadowChange() {
        RegistryStore store = open(seed());
        long start = result(store.latestSequence());
        Shadow shadow = new Shadow("acme", "cell-2", 0.25, List.of("get", "OPTIONS"), EXPIRY, "check cell-2");

        assertThat(result(store.putShadow(shadow))).isEqualTo(shadow);

        assertThat(result(store.shadows())).containsExactly(shadow);
        assertThat(result(store.shadows()).get(0).methods()).containsExactly("GET", "OPTIONS");
        assertThat(result(store.changesSince(start)).changes())
                .extracting(Change::kind, Change::key)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Change.Kind.SHADOW, "acme"));
        assertThat(result(store.overrides())).containsExactly(RoutingOverride.freeze("initech", EXPIRY, "moving data"));
    }

    @Test
    void putShadow_forCustomerWithAShadow_replacesIt_andKeepsItsOverride() {
        RegistryStore store = open(seed());
        result(store.putShadow(new Shadow("initech", "cell-2", 0.5, null, EXPIRY, null)));
        Shadow replacement = new Shadow("initech", "cell-1", 1.0, null, EXPIRY.plusSeconds(60), null);

        result(store.putShadow(replacement));

        assertThat(result(store.shadows())).containsExactly(replacement);
        assertThat(result(store.shadows()).get(0).methods()).isEqualTo(Shadow.DEFAULT_METHODS);
        assertThat(result(store.overrides())).hasSize(1);
    }

    @Test
    void putShadow_alreadyExpired_isGoneAfterTheNextWrite() {
        RegistryStore store = open(seed());
        result(store.putShadow(new Shadow("acme", "cell-2", 0.5, null, EXPIRED, null)));
        Shadow active = new Shadow("globex", "cell-1", 0.5, null, EXPIRY, null);

        result(store.putShadow(active));

        assertThat(result(store.shadows())).containsExactly(active);
    }

    @Test
    void putShadow_unknownCell_failsWithNotFound() {
        RegistryStore store = open(seed());
        long start = result(store.latestSequence());

        Throwable failure = failureOf(store.putShadow(new Shadow("acme", "cell-9", 0.5, null, EXPIRY, null)));

        assertThat(failure).isInstanceOf(NotFoundException.class).hasMessageContaining("cell-9");
        assertThat(result(store.shadows())).isEmpty();
        assertThat(result(store.changesSince(start)).changes()).isEmpty();
    }

    @Test
    void deleteShadow_existingShadow_removesItAndRecordsAChange_noShadow_returnsFalse() {
        RegistryStore store = open(seed());
        result(store.putShadow(new Shadow("acme", "cell-2", 0.5, null, EXPIRY, null)));
        long start = result(store.latestSequence());

        assertThat(result(store.deleteShadow("acme"))).isTrue();
        assertThat(result(store.deleteShadow("acme"))).isFalse();

        assertThat(result(store.shadows())).isEmpty();
        assertThat(result(store.changesSince(start)).changes())
                .isNotEmpty() // the second delete may be announced too (see deleteOverride_noOverride_...)
                .extracting(Change::kind, Change::key)
                .containsOnly(org.assertj.core.groups.Tuple.tuple(Change.Kind.SHADOW, "acme"));
    }

    @Test
    void importDocument_withAShadow_writesIt_andAgainWritesNothing() {
        RegistryStore store = open(seed());
        Shadow shadow = new Shadow("globex", "cell-1", 0.1, List.of("GET"), EXPIRY, null);
        RegistryDocument document = seed().withShadows(List.of(shadow));

        ImportResult imported = result(store.importDocument(document));
        ImportResult again = result(store.importDocument(document));

        assertThat(imported.shadowsWritten()).isEqualTo(1);
        assertThat(result(store.shadows())).containsExactly(shadow);
        assertThat(again.written()).isZero();
    }

    @Test
    void changesSince_eachWrite_appendsOneChangeNamingWhatChanged() {
        RegistryStore store = open(seed());
        long start = result(store.latestSequence());

        result(store.putPlacement("acme", "cell-2", 1));
        result(store.putCell(cell(store, "cell-3").withState(CellState.ACTIVE)));
        result(store.putOverride(RoutingOverride.toCell("globex", "cell-1", EXPIRY, null)));
        result(store.deleteOverride("initech"));

        ChangeBatch batch = result(store.changesSince(start));
        assertThat(batch.gap()).isFalse();
        assertThat(batch.changes())
                .extracting(Change::kind, Change::key)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Change.Kind.PLACEMENT, "acme"),
                        org.assertj.core.groups.Tuple.tuple(Change.Kind.CELL, "cell-3"),
                        org.assertj.core.groups.Tuple.tuple(Change.Kind.OVERRIDE, "globex"),
                        org.assertj.core.groups.Tuple.tuple(Change.Kind.OVERRIDE, "initech"));
        assertThat(batch.changes()).extracting(Change::sequence).isSorted().doesNotHaveDuplicates();
        assertThat(batch.cursor()).isEqualTo(batch.changes().get(3).sequence());
    }

    @Test
    void changesSince_cursorOfTheLastBatch_returnsOnlyNewerChanges() {
        RegistryStore store = open(seed());
        result(store.putPlacement("acme", "cell-2", 1));
        ChangeBatch first = result(store.changesSince(0));

        result(store.putPlacement("globex", "cell-1", 1));
        ChangeBatch second = result(store.changesSince(first.cursor()));

        assertThat(second.changes()).extracting(Change::key).containsExactly("globex");
        assertThat(result(store.changesSince(second.cursor())).changes()).isEmpty();
    }

    @Test
    void changesSince_failedWrite_appendsNothing() {
        RegistryStore store = open(seed());
        long start = result(store.latestSequence());

        failureOf(store.putPlacement("acme", "cell-2", 7));
        failureOf(store.putPlacement("acme", "cell-9", 1));

        ChangeBatch batch = result(store.changesSince(start));
        assertThat(batch.changes()).isEmpty();
        assertThat(batch.gap()).isFalse();
    }

    @Test
    void changesSince_cursorOlderThanTheRetainedFeed_reportsAGap() {
        RegistryStore store = opened(newStoreRetaining(seed(), 4));
        long start = result(store.latestSequence());
        long version = 1;
        for (int i = 0; i < 12; i++) {
            version = result(store.putPlacement("acme", i % 2 == 0 ? "cell-2" : "cell-1", version))
                    .version();
        }

        ChangeBatch batch = result(store.changesSince(start));

        assertThat(batch.gap()).isTrue();
        assertThat(batch.cursor()).isEqualTo(result(store.latestSequence()));
        assertThat(result(store.changesSince(batch.cursor())).gap()).isFalse();
    }

    @Test
    void changesSince_cursorTheFeedNeverIssued_reportsAGap() {
        RegistryStore store = open(seed());
        result(store.putPlacement("acme", "cell-2", 1));
        long latest = result(store.latestSequence());

        ChangeBatch batch = result(store.changesSince(latest + 1000));

        assertThat(batch.gap()).isTrue();
        assertThat(batch.cursor()).isEqualTo(latest);
    }

    @Test
    void latestSequence_afterWrites_isTheSequenceOfTheLastChange() {
        RegistryStore store = open(seed());
        long start = result(store.latestSequence());

        result(store.putPlacement("acme", "cell-2", 1));
        result(store.putPlacement("globex", "cell-1", 1));

        List<Change> changes = result(store.changesSince(start)).changes();
        assertThat(result(store.latestSequence()))
                .isEqualTo(changes.get(changes.size() - 1).sequence());
    }

    @Test
    void importDocument_newAndChangedItems_areWrittenAndEachRecordedInTheFeed() {
        RegistryStore store = open(seed());
        long start = result(store.latestSequence());
        RegistryDocument document = new RegistryDocument(
                List.of(new Cell("cell-4", URI.create("http://cell-4:8080"), CellState.ACTIVE)),
                Map.of("acme", "cell-2", "globex", "cell-2", "hooli", "cell-4"),
                List.of(RoutingOverride.toCell("globex", "cell-1", EXPIRY, "drill")),
                Map.of());

        ImportResult imported = result(store.importDocument(document));

        assertThat(imported.cellsWritten()).isEqualTo(1);
        assertThat(imported.placementsWritten()).isEqualTo(2);
        assertThat(imported.overridesWritten()).isEqualTo(1);
        assertThat(imported.failed()).isZero();
        assertThat(result(store.placement("acme"))).hasValueSatisfying(p -> {
            assertThat(p.cell()).isEqualTo("cell-2");
            assertThat(p.version()).isEqualTo(2);
        });
        assertThat(result(store.placement("globex")).map(Placement::version)).contains(1L);
        assertThat(cellOf(store, "hooli")).contains("cell-4");
        assertThat(result(store.cells())).extracting(Cell::name).contains("cell-1", "cell-4");
        assertThat(result(store.overrides()))
                .containsExactlyInAnyOrder(
                        RoutingOverride.freeze("initech", EXPIRY, "moving data"),
                        RoutingOverride.toCell("globex", "cell-1", EXPIRY, "drill"));
        assertThat(result(store.changesSince(start)).changes())
                .extracting(Change::kind, Change::key)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(Change.Kind.CELL, "cell-4"),
                        org.assertj.core.groups.Tuple.tuple(Change.Kind.PLACEMENT, "acme"),
                        org.assertj.core.groups.Tuple.tuple(Change.Kind.PLACEMENT, "hooli"),
                        org.assertj.core.groups.Tuple.tuple(Change.Kind.OVERRIDE, "globex"));
    }

    @Test
    void importDocument_sameDocumentAgain_writesNothing() {
        RegistryStore store = open(seed());
        result(store.importDocument(seed()));
        long after = result(store.latestSequence());

        ImportResult again = result(store.importDocument(seed()));

        assertThat(again.written()).isZero();
        assertThat(result(store.changesSince(after)).changes()).isEmpty();
        assertThat(result(store.placement("acme")).map(Placement::version)).contains(1L);
    }

    @Test
    void kind_isAShortName() {
        assertThat(open(seed()).kind()).matches("[a-z0-9]+");
    }

    @java.lang.Override
    public RegistryStore openStore(RegistryDocument seed) {
        return open(seed);
    }

    protected RegistryStore open(RegistryDocument seed) {
        return opened(newStore(seed));
    }

    private RegistryStore opened(RegistryStore store) {
        opened.add(store);
        return store;
    }

    protected static Cell cell(RegistryStore store, String name) {
        return result(store.cells()).stream()
                .filter(cell -> cell.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    protected static <T> T result(CompletableFuture<T> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("expected success, failed with " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no answer within 10s", e);
        }
    }

    /** The exception the future failed with (unwrapped), or an assertion error if it succeeded. */
    protected static Throwable failureOf(CompletableFuture<?> future) {
        Throwable failure = outcome(future);
        if (failure == null) {
            throw new AssertionError("expected a failure, completed with " + future.join());
        }
        return failure;
    }

    private static Throwable outcome(CompletableFuture<?> future) {
        try {
            future.get(10, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no answer within 10s", e);
        }
    }

    protected static Optional<String> cellOf(RegistryStore store, String customer) {
        return result(store.placement(customer)).map(Placement::cell);
    }
}
