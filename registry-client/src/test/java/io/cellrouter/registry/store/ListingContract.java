package io.cellrouter.registry.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.Placement;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The listing side of the store contract (the admin API's pages and counts, and partial cell
 * updates), mixed into {@link RegistryStoreContract} so that every store runs it.
 */
interface ListingContract {

    /** A store holding exactly {@code seed}, closed after the test. */
    RegistryStore openStore(io.cellrouter.registry.model.RegistryDocument seed);

    /** The contract's seed plus {@code count} customers {@code c000..} alternating on cell-1 and cell-2. */
    private RegistryStore storeWithCustomers(int count) {
        var seed = RegistryStoreContract.seed();
        Map<String, String> customers = new LinkedHashMap<>(seed.customers());
        for (int i = 0; i < count; i++) {
            customers.put(String.format("c%03d", i), i % 2 == 0 ? "cell-1" : "cell-2");
        }
        return openStore(new io.cellrouter.registry.model.RegistryDocument(
                seed.cells(), customers, seed.overrides(), seed.versions()));
    }

    @Test
    default void placementPage_byCell_pagesThroughItsCustomersInIdOrder() {
        RegistryStore store = storeWithCustomers(25);

        List<String> seen = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        PlacementQuery query = new PlacementQuery("cell-1", "", 5, null);
        PlacementPage page;
        do {
            page = get(store.placementPage(query));
            page.placements().forEach(p -> {
                assertThat(p.cell()).isEqualTo("cell-1");
                assertThat(p.version()).isEqualTo(1);
                seen.add(p.customer());
            });
            sizes.add(page.placements().size());
            query = query.withCursor(page.next());
        } while (page.next() != null);

        List<String> expected = new ArrayList<>(List.of("acme"));
        for (int i = 0; i < 25; i += 2) {
            expected.add(String.format("c%03d", i));
        }
        expected.sort(String::compareTo);
        assertThat(seen).containsExactlyElementsOf(expected); // 14: pages of 5, 5, 4
        assertThat(sizes).containsExactly(5, 5, 4);
    }

    @Test
    default void placementPage_prefix_listsOnlyCustomersWhoseIdStartsWithIt() {
        RegistryStore store = storeWithCustomers(25);

        PlacementPage page = get(store.placementPage(new PlacementQuery("cell-2", "c01", 100, null)));

        assertThat(page.placements())
                .extracting(Placement::customer)
                .containsExactly("c011", "c013", "c015", "c017", "c019");
        assertThat(page.next()).isNull();
    }

    @Test
    default void placementPage_everyCell_returnsEveryPlacementExactlyOnce() {
        RegistryStore store = storeWithCustomers(30);

        List<String> seen = new ArrayList<>();
        PlacementQuery query = new PlacementQuery(null, "", 7, null);
        int pages = 0;
        PlacementPage page;
        do {
            page = get(store.placementPage(query));
            assertThat(page.placements().size()).isLessThanOrEqualTo(7);
            page.placements().forEach(p -> seen.add(p.customer()));
            query = query.withCursor(page.next());
            pages++;
        } while (page.next() != null && pages < 100);

        assertThat(seen).doesNotHaveDuplicates().hasSize(32).contains("acme", "globex", "c000", "c029");
    }

    @Test
    default void placementPage_afterAMove_listsTheCustomerUnderItsNewCell() {
        RegistryStore store = storeWithCustomers(0);

        get(store.putPlacement("acme", "cell-2", 1));

        Set<String> onCell2 = new HashSet<>();
        get(store.placementPage(new PlacementQuery("cell-2", "", 100, null)))
                .placements()
                .forEach(p -> onCell2.add(p.customer() + "@" + p.version()));
        assertThat(onCell2).containsExactlyInAnyOrder("acme@2", "globex@1");
        assertThat(get(store.placementPage(new PlacementQuery("cell-1", "", 100, null)))
                        .placements())
                .isEmpty();
    }

    @Test
    default void placementPage_cursorTheStoreDidNotIssue_failsWithInvalidRegistry() {
        RegistryStore store = storeWithCustomers(3);

        Throwable failure = failure(store.placementPage(new PlacementQuery("cell-1", "", 10, "not-a-cursor")));

        assertThat(failure).isInstanceOf(InvalidRegistryException.class).hasMessageContaining("cursor");
    }

    @Test
    default void countPlacements_countsTheCustomersOfOneCell() {
        RegistryStore store = storeWithCustomers(25);

        assertThat(get(store.countPlacements("cell-1"))).isEqualTo(14L);
        assertThat(get(store.countPlacements("cell-2"))).isEqualTo(13L);
        assertThat(get(store.countPlacements("cell-3"))).isZero();
    }

    @Test
    default void patchCell_givenFields_changesOnlyThemAndIncrementsTheVersion() {
        RegistryStore store = storeWithCustomers(0);
        Cell before = cellNamed(store, "cell-1");

        Cell patched = get(store.patchCell("cell-1", CellPatch.state(CellState.DRAINING)));

        assertThat(patched)
                .isEqualTo(new Cell(
                        "cell-1",
                        before.endpoint(),
                        CellState.DRAINING,
                        "us-east-1",
                        "prod",
                        Map.of("cloud", "aws"),
                        before.version() + 1));
        assertThat(cellNamed(store, "cell-1")).isEqualTo(patched);
    }

    @Test
    @SuppressWarnings("NullOptional") // a null tier: not changed, which is what this test checks
    default void patchCell_emptyRegionAndNewLabels_removesTheRegionAndReplacesTheLabels() {
        RegistryStore store = storeWithCustomers(0);

        Cell patched = get(store.patchCell(
                "cell-1",
                new CellPatch(
                        null,
                        URI.create("http://10.0.1.11:8080"),
                        Optional.empty(),
                        null,
                        Map.of("team", "payments"))));

        assertThat(patched.region()).isNull();
        assertThat(patched.tier()).isEqualTo("prod");
        assertThat(patched.labels()).isEqualTo(Map.of("team", "payments"));
        assertThat(patched.endpoint()).isEqualTo(URI.create("http://10.0.1.11:8080"));
        assertThat(patched.state()).isEqualTo(CellState.ACTIVE);
    }

    @Test
    default void patchCell_unknownCell_failsWithNotFoundAndCreatesNothing() {
        RegistryStore store = storeWithCustomers(0);

        Throwable failure = failure(store.patchCell("cell-9", CellPatch.state(CellState.OFFLINE)));

        assertThat(failure).isInstanceOf(NotFoundException.class);
        assertThat(get(store.cells())).extracting(Cell::name).doesNotContain("cell-9");
    }

    @Test
    default void patchCell_appendsOneCellChangeToTheFeed() {
        RegistryStore store = storeWithCustomers(0);
        long before = get(store.latestSequence());

        get(store.patchCell("cell-2", CellPatch.state(CellState.OFFLINE)));

        ChangeBatch batch = get(store.changesSince(before));
        assertThat(batch.changes())
                .extracting(Change::kind, Change::key)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Change.Kind.CELL, "cell-2"));
    }

    private static Cell cellNamed(RegistryStore store, String name) {
        return get(store.cells()).stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static <T> T get(CompletableFuture<T> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("expected success, failed with " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Throwable failure(CompletableFuture<?> future) {
        try {
            Object value = future.get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, completed with " + value);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError(e);
        }
    }
}
