package io.cellrouter.registry.store;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code registry import} through any store's own writes, so that every change also reaches its
 * feed: an upsert. Cells, placements and overrides of the document are written when they differ from
 * the store's; what the document does not name is left alone (the store interface deletes nothing
 * but overrides and shadows). Cells go first (placements and overrides refer to them), then
 * overrides, then placements (a document that moves customers under a freeze has the freeze in
 * force before the move, as a move does), then shadows, at most {@code parallelism} writes in
 * flight. A placement is moved conditionally on the version just read; one that moved meanwhile is
 * counted as failed, and the rest goes on. A store that becomes unavailable stops the import; the
 * failure says what was written until then, and importing the same document again writes only
 * what still differs.
 */
public final class RegistryImport {

    private static final Logger log = LoggerFactory.getLogger(RegistryImport.class);

    static final int PARALLELISM = 16;

    private RegistryImport() {}

    /**
     * Checks that every cell a document to be merged names (its customers' and overrides') is in
     * the document or already in the registry; {@code source} names the document in the message.
     *
     * @throws InvalidRegistryException naming the key and the cell
     */
    public static void checkReferences(RegistryDocument document, List<Cell> existing, String source) {
        checkTiers(document, source);
        java.util.Set<String> cells = new java.util.HashSet<>();
        existing.forEach(cell -> cells.add(cell.name()));
        document.cells().forEach(cell -> cells.add(cell.name()));
        document.customers().forEach((customer, cell) -> {
            if (!cells.contains(cell)) {
                throw new InvalidRegistryException(source + ": customers." + customer
                        + ": names a cell that is neither in the document nor in the registry, was '" + cell + "'");
            }
        });
        for (int i = 0; i < document.overrides().size(); i++) {
            RoutingOverride override = document.overrides().get(i);
            if (override.cell() != null && !cells.contains(override.cell())) {
                throw new InvalidRegistryException(source + ": overrides[" + i + "].cell: names a cell that is"
                        + " neither in the document nor in the registry, was '" + override.cell() + "'");
            }
        }
        for (int i = 0; i < document.shadows().size(); i++) {
            Shadow shadow = document.shadows().get(i);
            if (!cells.contains(shadow.toCell())) {
                throw new InvalidRegistryException(source + ": shadows[" + i + "].toCell: names a cell that is"
                        + " neither in the document nor in the registry, was '" + shadow.toCell() + "'");
            }
        }
    }

    /**
     * Checks that every cell of a document to be imported has one of {@link Cell#TIERS}, or none.
     * Only what is written anew is checked: a stored document, a snapshot or a store holding an
     * older tier still loads (refusing it there would stop a router from starting).
     *
     * @throws InvalidRegistryException naming the cell and the tiers
     */
    public static void checkTiers(RegistryDocument document, String source) {
        for (int i = 0; i < document.cells().size(); i++) {
            Cell cell = document.cells().get(i);
            String problem = Cell.tierProblem(cell.tier());
            if (problem != null) {
                throw new InvalidRegistryException(
                        source + ": cells[" + i + "].tier: " + problem + ", was '" + cell.tier() + "'");
            }
        }
    }

    public static CompletableFuture<ImportResult> upsert(RegistryStore store, RegistryDocument document) {
        Counts counts = new Counts();
        return store.cells()
                .thenCompose(existing -> writeCells(store, document.cells(), existing, counts))
                .thenCompose(ignored -> store.overrides())
                .thenCompose(existing -> writeOverrides(store, document.overrides(), existing, counts))
                .thenCompose(ignored -> store.placements())
                .thenCompose(existing -> writePlacements(store, document.customers(), existing, counts))
                .thenCompose(ignored -> document.shadows().isEmpty()
                        ? CompletableFuture.<Void>completedFuture(null)
                        : store.shadows()
                                .thenCompose(existing -> writeShadows(store, document.shadows(), existing, counts)))
                .handle((ignored, error) -> {
                    if (error == null) {
                        return counts.result();
                    }
                    if (isUnavailable(error)) {
                        throw new StoreUnavailableException(
                                cause(error).getMessage() + "; written before it stopped: " + counts.describe()
                                        + "; importing the document again writes only what still differs",
                                cause(error));
                    }
                    throw error instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(error);
                });
    }

    private static CompletableFuture<Void> writeCells(
            RegistryStore store, List<Cell> cells, List<Cell> existing, Counts counts) {
        Map<String, Cell> byName = new HashMap<>();
        existing.forEach(cell -> byName.put(cell.name(), cell.withVersion(0)));
        List<Cell> changed = new ArrayList<>();
        for (Cell cell : cells) {
            if (cell.withVersion(0).equals(byName.get(cell.name()))) {
                counts.unchanged.incrementAndGet();
            } else {
                changed.add(cell);
            }
        }
        return forEach(changed, cell -> store.putCell(cell.withVersion(0)), counts.cells, counts);
    }

    private static CompletableFuture<Void> writePlacements(
            RegistryStore store, Map<String, String> customers, List<Placement> existing, Counts counts) {
        Map<String, Placement> byCustomer = new HashMap<>(Math.max(16, existing.size() * 4 / 3));
        existing.forEach(placement -> byCustomer.put(placement.customer(), placement));
        List<Map.Entry<String, String>> changed = new ArrayList<>();
        for (Map.Entry<String, String> entry : customers.entrySet()) {
            Placement current = byCustomer.get(entry.getKey());
            if (current != null && current.cell().equals(entry.getValue())) {
                counts.unchanged.incrementAndGet();
            } else {
                changed.add(entry);
            }
        }
        return forEach(
                changed,
                entry -> {
                    Placement current = byCustomer.get(entry.getKey());
                    return store.putPlacement(
                            entry.getKey(), entry.getValue(), current == null ? 0 : current.version());
                },
                counts.placements,
                counts);
    }

    private static CompletableFuture<Void> writeOverrides(
            RegistryStore store, List<RoutingOverride> overrides, List<RoutingOverride> existing, Counts counts) {
        List<RoutingOverride> changed = new ArrayList<>();
        for (RoutingOverride override : overrides) {
            if (existing.contains(override)) {
                counts.unchanged.incrementAndGet();
            } else {
                changed.add(override);
            }
        }
        return forEach(changed, store::putOverride, counts.overrides, counts);
    }

    private static CompletableFuture<Void> writeShadows(
            RegistryStore store, List<Shadow> shadows, List<Shadow> existing, Counts counts) {
        List<Shadow> changed = new ArrayList<>();
        for (Shadow shadow : shadows) {
            if (existing.contains(shadow)) {
                counts.unchanged.incrementAndGet();
            } else {
                changed.add(shadow);
            }
        }
        return forEach(changed, store::putShadow, counts.shadows, counts);
    }

    /** Runs {@code write} for every item, {@value #PARALLELISM} at a time; failures are counted. */
    private static <T> CompletableFuture<Void> forEach(
            List<T> items, Function<T, CompletableFuture<?>> write, AtomicInteger written, Counts counts) {
        AtomicInteger next = new AtomicInteger();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int i = 0; i < Math.min(PARALLELISM, items.size()); i++) {
            workers.add(worker(items, next, write, written, counts));
        }
        return CompletableFuture.allOf(workers.toArray(CompletableFuture<?>[]::new));
    }

    private static <T> CompletableFuture<Void> worker(
            List<T> items,
            AtomicInteger next,
            Function<T, CompletableFuture<?>> write,
            AtomicInteger written,
            Counts counts) {
        int index = next.getAndIncrement();
        if (index >= items.size()) {
            return CompletableFuture.completedFuture(null);
        }
        T item = items.get(index);
        CompletableFuture<?> done;
        try {
            done = write.apply(item);
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        return done.handle((ignored, error) -> {
                    if (error == null) {
                        written.incrementAndGet();
                    } else if (isUnavailable(error)) {
                        throw new StoreUnavailableException(
                                "import stopped: " + cause(error).getMessage(), cause(error));
                    } else {
                        counts.failed.incrementAndGet();
                        log.warn(
                                "import: {} not written: {}", item, cause(error).getMessage());
                    }
                    return null;
                })
                .thenCompose(ignored -> worker(items, next, write, written, counts));
    }

    private static boolean isUnavailable(Throwable error) {
        return cause(error) instanceof StoreUnavailableException;
    }

    private static Throwable cause(Throwable error) {
        return error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
    }

    private static final class Counts {
        final AtomicInteger cells = new AtomicInteger();
        final AtomicInteger placements = new AtomicInteger();
        final AtomicInteger overrides = new AtomicInteger();
        final AtomicInteger shadows = new AtomicInteger();
        final AtomicInteger unchanged = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();

        String describe() {
            return cells.get() + " cells, " + overrides.get() + " overrides, " + placements.get() + " placements, "
                    + shadows.get() + " shadows; " + unchanged.get() + " unchanged; " + failed.get() + " failed";
        }

        ImportResult result() {
            return new ImportResult(
                    cells.get(), placements.get(), overrides.get(), shadows.get(), unchanged.get(), failed.get());
        }
    }
}
