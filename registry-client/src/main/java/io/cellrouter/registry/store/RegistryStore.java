package io.cellrouter.registry.store;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The source of truth for cells, placements, overrides and shadows.
 *
 * <p>Every method is asynchronous and never blocks its caller: the router calls it from event
 * loops. Failures complete the future exceptionally: {@link VersionConflictException} for a
 * conditional write that lost, {@link NotFoundException} for a missing item a write depends on,
 * and {@link StoreUnavailableException} when the store cannot be reached.
 *
 * <p>Every write is a single-item write that is either fully done or not at all, and also appends
 * a {@link Change} to the store's change feed, which routers follow with {@link #changesSince}.
 */
public interface RegistryStore extends AutoCloseable {

    /** The placement of one customer, empty when the customer is not placed. */
    CompletableFuture<Optional<Placement>> placement(String customer);

    /** Every placement, for preloading a cache at start. */
    CompletableFuture<List<Placement>> placements();

    /**
     * One page of placements, filtered by cell and customer-id prefix ({@link PlacementQuery}). A
     * page is a bounded read of the store, never the whole registry: the file store walks a sorted
     * index in memory; the DynamoDB store queries an index by cell, or scans a bounded number of
     * items when no cell is given. The default reads every placement (for small test stores).
     */
    default CompletableFuture<PlacementPage> placementPage(PlacementQuery query) {
        return placements().thenApply(all -> SortedPlacements.of(all).page(query));
    }

    /** How many customers are placed in {@code cell}. The default reads every placement. */
    default CompletableFuture<Long> countPlacements(String cell) {
        return placements().thenApply(all -> SortedPlacements.of(all).count(cell));
    }

    /** Every cell. */
    CompletableFuture<List<Cell>> cells();

    /** Every override that is stored, expired or not; callers ignore the expired ones. */
    CompletableFuture<List<RoutingOverride>> overrides();

    /**
     * Places or moves a customer, conditional on the version the caller read: {@code
     * expectedVersion} 0 means "the customer must not be placed yet". Completes with the new
     * placement (version + 1), or with {@link VersionConflictException}.
     */
    CompletableFuture<Placement> putPlacement(String customer, String cell, long expectedVersion);

    /** Creates or replaces a cell; completes with the stored cell and its new version. */
    CompletableFuture<Cell> putCell(Cell cell);

    /**
     * Changes only the fields the patch gives, in one write that no concurrent write of another
     * field can undo; completes with the stored cell and its new version, or with {@link
     * NotFoundException} when the cell does not exist (a patch never creates a cell). The default
     * reads the cells and writes the whole cell back (not atomic: for small test stores).
     */
    default CompletableFuture<Cell> patchCell(String name, CellPatch patch) {
        return cells().thenCompose(cells -> {
            Cell current = cells.stream()
                    .filter(c -> c.name().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new NotFoundException("cell '" + name + "' does not exist"));
            return putCell(patch.applyTo(current));
        });
    }

    /**
     * Creates or replaces the override of {@code override.customer()}. Completes with {@link
     * StoreUnavailableException} when the override was written but routers could not be told through
     * the change feed (its message says so): an override's order in the feed matters (a move's
     * freeze must reach routers before its placement).
     */
    CompletableFuture<RoutingOverride> putOverride(RoutingOverride override);

    /** Removes the override of a customer; completes with {@code false} when there was none. */
    CompletableFuture<Boolean> deleteOverride(String customer);

    /** Every shadow that is stored, expired or not; callers ignore the expired ones. */
    CompletableFuture<List<Shadow>> shadows();

    /**
     * Creates or replaces the shadow of {@code shadow.customer()}; completes with {@link
     * NotFoundException} when its {@code toCell} does not exist.
     */
    CompletableFuture<Shadow> putShadow(Shadow shadow);

    /** Removes the shadow of a customer; completes with {@code false} when there was none. */
    CompletableFuture<Boolean> deleteShadow(String customer);

    /**
     * The changes after {@code cursor} (0 to start), oldest first. A router keeps the returned
     * {@link ChangeBatch#cursor()} for the next call. When the feed no longer reaches back to
     * {@code cursor}, the batch says {@link ChangeBatch#gap()} and the caller reloads everything.
     */
    CompletableFuture<ChangeBatch> changesSince(long cursor);

    /**
     * The sequence of the newest change in the feed (0 when there is none): where a reader that has
     * just loaded everything starts following. Read it <em>before</em> the full load, so that
     * changes made during the load are replayed rather than missed. The default asks the feed from
     * the start; stores whose feed is long should answer it more cheaply.
     */
    default CompletableFuture<Long> latestSequence() {
        return changesSince(0).thenApply(ChangeBatch::cursor);
    }

    /**
     * Writes a registry document into the store ({@code registry import}): an upsert of its cells,
     * placements, overrides and shadows, each write also a change in the feed; items the document does not
     * name are kept. The default goes through the store's own writes ({@link RegistryImport}).
     */
    default CompletableFuture<ImportResult> importDocument(RegistryDocument document) {
        return RegistryImport.upsert(this, document);
    }

    /**
     * Keeps one audit entry (a JSON object, as the admin API writes it to its audit log) in the
     * store itself, where the store has room for it: the DynamoDB store writes it as one item of a
     * time-ordered, bounded partition; the default keeps nothing (the audit log line is the record).
     */
    default CompletableFuture<Void> appendAudit(Instant at, String entry) {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * The last edit of the registry that the store refused, if it refuses edits at all: the file
     * store refuses an edit on disk that is invalid or would remove too much (the last good document
     * stays in force). Stores written only through their own API refuse nothing here.
     */
    default Optional<RejectedEdit> lastRejectedEdit() {
        return Optional.empty();
    }

    /**
     * Writes whose change-feed entry could not be appended since the store opened: other routers
     * follow those within a minute (cells, overrides, shadows) or at {@code refreshAfter}. 0 for a
     * store without a feed of its own.
     */
    default long lostFeedAppends() {
        return 0;
    }

    /** Items that whole reads skipped since the store opened because they do not read (each logged). */
    default long skippedItems() {
        return 0;
    }

    /** A short name for logs and metrics: {@code file} or {@code dynamodb}. */
    String kind();

    @java.lang.Override
    void close();
}
