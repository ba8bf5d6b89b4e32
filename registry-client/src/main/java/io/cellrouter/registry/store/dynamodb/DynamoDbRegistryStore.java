package io.cellrouter.registry.store.dynamodb;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import io.cellrouter.registry.store.CellPatch;
import io.cellrouter.registry.store.Change;
import io.cellrouter.registry.store.ChangeBatch;
import io.cellrouter.registry.store.InvalidRegistryException;
import io.cellrouter.registry.store.NotFoundException;
import io.cellrouter.registry.store.PlacementPage;
import io.cellrouter.registry.store.PlacementQuery;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.registry.store.VersionConflictException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * The production registry: one DynamoDB table (layout, feed and cost on the package documentation),
 * through the SDK v2 async client ({@link DynamoDbClients}).
 *
 * <ul>
 *   <li>Reads: GetItem for one placement, Query for cells, overrides and shadows, a parallel Scan with
 *       pagination for every placement ({@link PlacementScan}). All strongly consistent: a router
 *       that re-reads an item because the feed said it changed must see the change.
 *   <li>Writes: one single-item write, conditional where the contract asks for it (a placement's
 *       version), then one entry in the change feed ({@link ChangeAnnouncer}: also after a write whose
 *       outcome is unknown). No transactions.
 *   <li>Whole reads skip an item that does not read, with a warning ({@link ItemParser}).
 *   <li>A write of an override or a shadow also deletes those that have expired ({@link ExpiredItems}).
 * </ul>
 *
 * <p>Between the item write and the feed entry there is a window: if the writer dies there (or the
 * feed append fails after its retries), the item is written but no router hears of it through the
 * feed; they pick it up at their next whole read of cells, overrides and shadows (once a minute) or,
 * for a placement they cached, at the next {@code cache.refreshAfter}. The write is then still reported as
 * done (it is), the failure is logged and counted ({@link #lostFeedAppends()}); but an override's write
 * fails, saying it was written, as a move's freeze must reach routers before its placement.
 *
 * <p>Threads: nothing here blocks. Futures complete on the SDK's completion threads.
 */
public final class DynamoDbRegistryStore implements RegistryStore {

    private final DynamoDbAsyncClient client;
    private final DynamoDbSettings settings;
    private final String table;
    private final Clock clock;
    private final DynamoDbClients.Opened opened;
    private final FeedReader feedReader;
    private final ChangeAnnouncer announcer;
    private final ItemParser parser;
    private final PlacementScan scan;
    private final PlacementListing listing;
    private final AuditItems audit;
    private final ExpiredItems expiredOverrides;
    private final ExpiredItems expiredShadows;
    private final Set<String> knownCells = ConcurrentHashMap.newKeySet();

    private DynamoDbRegistryStore(DynamoDbClients.Opened opened, DynamoDbSettings settings, Clock clock) {
        this.opened = opened;
        DynamoDbAsyncClient client = opened.client();
        this.client = client;
        this.settings = settings;
        this.table = settings.table();
        this.clock = clock;
        this.parser = new ItemParser(table);
        this.feedReader = new FeedReader(client, table, settings.feedBucketSize(), parser);
        this.announcer = new ChangeAnnouncer(new FeedWriter(client, table, feedReader, settings, clock), table);
        this.scan = new PlacementScan(client, settings, parser);
        this.listing = new PlacementListing(client, settings, parser);
        this.audit = new AuditItems(client, table);
        this.expiredOverrides = new ExpiredItems(client, table, Items.OVERRIDES_PK, clock);
        this.expiredShadows = new ExpiredItems(client, table, Items.SHADOWS_PK, clock);
    }

    /**
     * Builds the client; does not contact DynamoDB, so a router can start (from its snapshot) while
     * the table is unreachable.
     */
    public static DynamoDbRegistryStore open(DynamoDbSettings settings, Clock clock) {
        return new DynamoDbRegistryStore(DynamoDbClients.create(settings), settings, clock);
    }

    public DynamoDbSettings settings() {
        return settings;
    }

    /** Writes whose feed entry could not be appended (other routers follow them after refreshAfter). */
    @java.lang.Override
    public long lostFeedAppends() {
        return announcer.lost();
    }

    /** Items that whole reads skipped because they do not read (each logged with its key). */
    @java.lang.Override
    public long skippedItems() {
        return parser.skipped();
    }

    /** Creates the table ({@link DynamoDbTables}); completes with false when it already existed. */
    public CompletableFuture<Boolean> createTable() {
        return DynamoDbTables.create(client, table);
    }

    @java.lang.Override
    public CompletableFuture<Optional<Placement>> placement(String customer) {
        if (!DynamoDbSettings.isName(customer)) {
            return CompletableFuture.completedFuture(Optional.empty()); // no such key can exist
        }
        return getItem(Items.placementKey(customer), "read the placement of " + customer)
                .thenApply(item -> item.isEmpty()
                        ? Optional.empty()
                        : Optional.of(parser.one(item, "placement", Items::placement)));
    }

    @java.lang.Override
    public CompletableFuture<List<Placement>> placements() {
        return scan.placements();
    }

    /** One Query of the cell index per page, or a bounded Scan without a cell ({@link PlacementListing}). */
    @java.lang.Override
    public CompletableFuture<PlacementPage> placementPage(PlacementQuery query) {
        return listing.page(query);
    }

    @java.lang.Override
    public CompletableFuture<Long> countPlacements(String cell) {
        return listing.count(cell);
    }

    @java.lang.Override
    public CompletableFuture<List<Cell>> cells() {
        return Queries.all(client, table, Items.CELLS_PK, "read the cells")
                .thenApply(items -> parser.all(items, "cell", Items::cell));
    }

    @java.lang.Override
    public CompletableFuture<List<RoutingOverride>> overrides() {
        return Queries.all(client, table, Items.OVERRIDES_PK, "read the overrides")
                .thenApply(items -> parser.all(items, "override", Items::override));
    }

    @java.lang.Override
    public CompletableFuture<Placement> putPlacement(String customer, String cell, long expectedVersion) {
        if (!DynamoDbSettings.isName(customer)) {
            return CompletableFuture.failedFuture(new InvalidRegistryException(
                    "customer must match " + Cell.NAME.pattern() + ", was '" + customer + "'"));
        }
        Placement placement = new Placement(customer, cell, expectedVersion + 1, clock.instant());
        String writeId = UUID.randomUUID().toString();
        Map<String, AttributeValue> item = Items.placementItem(placement);
        item.put(Items.WRITE_ID, Items.s(writeId));
        PutItemRequest.Builder put = PutItemRequest.builder().tableName(table).item(item);
        if (expectedVersion == 0) {
            put.conditionExpression("attribute_not_exists(#pk)").expressionAttributeNames(Map.of("#pk", Items.PK));
        } else {
            put.conditionExpression("#version = :expected")
                    .expressionAttributeNames(Map.of("#version", Items.VERSION))
                    .expressionAttributeValues(Map.of(":expected", Items.n(expectedVersion)));
        }
        return requireCell(cell)
                .thenCompose(ignored -> announcer.afterWrite(
                        Change.Kind.PLACEMENT,
                        customer,
                        false,
                        Errors.call(table, "write the placement of " + customer, () -> client.putItem(put.build()))
                                .handle((response, error) -> {
                                    if (error == null) {
                                        return CompletableFuture.completedFuture(placement);
                                    }
                                    if (Errors.isConditionFailure(error)) {
                                        return conflictOrOwnRetry(placement, writeId, expectedVersion);
                                    }
                                    return CompletableFuture.<Placement>failedFuture(error);
                                })
                                .thenCompose(Function.identity())));
    }

    /**
     * A lost condition is a conflict, unless the item carries this call's write id: then an attempt
     * succeeded, its answer was lost (a timeout), and the SDK's retry found its own write.
     */
    private CompletableFuture<Placement> conflictOrOwnRetry(Placement written, String writeId, long expectedVersion) {
        return getItem(Items.placementKey(written.customer()), "read the placement of " + written.customer())
                .thenApply(item -> {
                    if (writeId.equals(Items.optionalText(item, Items.WRITE_ID))) {
                        return written;
                    }
                    long current = item.isEmpty() ? 0 : Items.number(item, Items.VERSION);
                    throw new VersionConflictException("placement of '" + written.customer() + "' is at version "
                            + current + ", not " + expectedVersion + (current == 0 ? " (not placed)" : ""));
                });
    }

    @java.lang.Override
    public CompletableFuture<Cell> putCell(Cell cell) {
        return announcer.afterWrite(
                Change.Kind.CELL,
                cell.name(),
                false,
                Errors.call(
                                table,
                                "write cell " + cell.name(),
                                () -> client.updateItem(CellUpdate.replace(table, cell, clock.instant())))
                        .thenApply(response -> parser.one(response.attributes(), "cell", Items::cell)));
    }

    /**
     * One UpdateItem that sets only the given fields (and removes a region or tier given empty),
     * conditional on the cell existing: concurrent patches of different fields both hold.
     */
    @java.lang.Override
    public CompletableFuture<Cell> patchCell(String name, CellPatch patch) {
        if (!DynamoDbSettings.isName(name)) {
            return CompletableFuture.failedFuture(new NotFoundException("cell '" + name + "' does not exist"));
        }
        return announcer.afterWrite(
                Change.Kind.CELL,
                name,
                false,
                Errors.call(
                                table,
                                "patch cell " + name,
                                () -> client.updateItem(CellUpdate.patch(table, name, patch, clock.instant())))
                        .handle((response, error) -> {
                            if (error == null) {
                                return parser.one(response.attributes(), "cell", Items::cell);
                            }
                            if (Errors.isConditionFailure(error)) {
                                throw new NotFoundException("cell '" + name + "' does not exist");
                            }
                            throw Errors.translate(error, table, "patch cell " + name);
                        }));
    }

    @java.lang.Override
    public CompletableFuture<RoutingOverride> putOverride(RoutingOverride override) {
        if (!DynamoDbSettings.isName(override.customer())) {
            return CompletableFuture.failedFuture(new InvalidRegistryException(
                    "customer must match " + Cell.NAME.pattern() + ", was '" + override.customer() + "'"));
        }
        CompletableFuture<Void> cellExists =
                override.cell() == null ? CompletableFuture.completedFuture(null) : requireCell(override.cell());
        return cellExists.thenCompose(ignored -> expiredOverrides.after(announcer.afterWrite(
                Change.Kind.OVERRIDE,
                override.customer(),
                true,
                put("the override of " + override.customer(), Items.overrideItem(override, clock.instant()))
                        .thenApply(response -> override))));
    }

    @java.lang.Override
    public CompletableFuture<Boolean> deleteOverride(String customer) {
        if (!DynamoDbSettings.isName(customer)) {
            return CompletableFuture.completedFuture(false);
        }
        return expiredOverrides.after(announcer.afterDelete(
                Change.Kind.OVERRIDE, customer, delete(Items.overrideKey(customer), "the override of " + customer)));
    }

    @java.lang.Override
    public CompletableFuture<List<Shadow>> shadows() {
        return Queries.all(client, table, Items.SHADOWS_PK, "read the shadows")
                .thenApply(items -> parser.all(items, "shadow", Items::shadow));
    }

    @java.lang.Override
    public CompletableFuture<Shadow> putShadow(Shadow shadow) {
        if (!DynamoDbSettings.isName(shadow.customer())) {
            return CompletableFuture.failedFuture(new InvalidRegistryException(
                    "customer must match " + Cell.NAME.pattern() + ", was '" + shadow.customer() + "'"));
        }
        return requireCell(shadow.toCell())
                .thenCompose(ignored -> expiredShadows.after(announcer.afterWrite(
                        Change.Kind.SHADOW,
                        shadow.customer(),
                        false,
                        put("the shadow of " + shadow.customer(), Items.shadowItem(shadow, clock.instant()))
                                .thenApply(response -> shadow))));
    }

    @java.lang.Override
    public CompletableFuture<Boolean> deleteShadow(String customer) {
        if (!DynamoDbSettings.isName(customer)) {
            return CompletableFuture.completedFuture(false);
        }
        return expiredShadows.after(announcer.afterDelete(
                Change.Kind.SHADOW, customer, delete(Items.shadowKey(customer), "the shadow of " + customer)));
    }

    @java.lang.Override
    public CompletableFuture<ChangeBatch> changesSince(long cursor) {
        return feedReader.changesSince(cursor);
    }

    @java.lang.Override
    public CompletableFuture<Long> latestSequence() {
        return feedReader.latestSequence();
    }

    /** Each entry one item in a per-day partition, time-ordered, with a TTL ({@link AuditItems}). */
    @java.lang.Override
    public CompletableFuture<Void> appendAudit(java.time.Instant at, String entry) {
        return audit.append(at, entry);
    }

    /** The audit entries written on one UTC day, oldest first. */
    public CompletableFuture<List<String>> auditEntries(java.time.LocalDate day) {
        return audit.day(day);
    }

    @java.lang.Override
    public String kind() {
        return "dynamodb";
    }

    @java.lang.Override
    public void close() {
        opened.close();
    }

    /**
     * A write that names a cell needs the cell to exist. The store never deletes a cell, so a cell
     * seen once is remembered: an import of many placements reads each cell once, not once per
     * placement.
     */
    private CompletableFuture<Void> requireCell(String cell) {
        if (!DynamoDbSettings.isName(cell)) {
            return CompletableFuture.failedFuture(new NotFoundException("cell '" + cell + "' does not exist"));
        }
        if (knownCells.contains(cell)) {
            return CompletableFuture.completedFuture(null);
        }
        return getItem(Items.cellKey(cell), "read cell " + cell).thenApply(item -> {
            if (item.isEmpty()) {
                throw new NotFoundException("cell '" + cell + "' does not exist");
            }
            knownCells.add(cell);
            return null;
        });
    }

    /** Deletes one item; completes with whether it was there. */
    private CompletableFuture<Boolean> delete(Map<String, AttributeValue> key, String what) {
        return Errors.call(
                        table,
                        "delete " + what,
                        () -> client.deleteItem(DeleteItemRequest.builder()
                                .tableName(table)
                                .key(key)
                                .returnValues(ReturnValue.ALL_OLD)
                                .build()))
                .thenApply(response ->
                        response.hasAttributes() && !response.attributes().isEmpty());
    }

    /** One unconditional PutItem of {@code item} ({@code what} names it in errors). */
    private CompletableFuture<PutItemResponse> put(String what, Map<String, AttributeValue> item) {
        return Errors.call(
                table,
                "write " + what,
                () -> client.putItem(
                        PutItemRequest.builder().tableName(table).item(item).build()));
    }

    private CompletableFuture<Map<String, AttributeValue>> getItem(Map<String, AttributeValue> key, String what) {
        return Errors.call(
                        table,
                        what,
                        () -> client.getItem(GetItemRequest.builder()
                                .tableName(table)
                                .key(key)
                                .consistentRead(true)
                                .build()))
                .thenApply(response -> response.hasItem() ? response.item() : Map.of());
    }
}
