package io.cellrouter.registry.store.dynamodb;

import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.store.PageCursor;
import io.cellrouter.registry.store.PlacementPage;
import io.cellrouter.registry.store.PlacementQuery;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.Select;

/**
 * Placement listings and counts for the admin API, each page one bounded read:
 *
 * <ul>
 *   <li><b>By cell</b>: one Query of the {@value DynamoDbTables#CELL_INDEX} index (hash {@code cell},
 *       range {@code pk}), {@code begins_with(pk, "CUSTOMER#" + prefix)}, {@code limit + 1} items (the
 *       extra one only says whether a next page exists). Customers come in id order; the cursor is
 *       the last customer returned, from which the index's start key is rebuilt. Index reads are
 *       eventually consistent (a move shows in a listing a moment after it is made): a listing is a
 *       view for people, routing never reads it.
 *   <li><b>Every cell</b> (or a table without the index): a Scan filtered to placement items, at most
 *       {@value #MAXIMUM_SCAN_CALLS} calls per page; the cursor is the scan's position. Pages may be
 *       short, or empty with a cursor, where other items (the feed, audit entries) sit between
 *       placements.
 *   <li><b>Count of a cell</b>: the same index Query with {@code Select COUNT}, page after page (each
 *       up to 1 MB of index entries, about 10,000 placements).
 * </ul>
 *
 * <p>An item that does not read is left out of its page ({@link ItemParser}).
 *
 * <p>A table created before the index existed answers the index Query with a validation error:
 * the listing logs it once and falls back to the filtered scan ({@code registry create-table} adds the
 * index to an existing table where the server supports it).
 */
final class PlacementListing {

    private static final Logger log = LoggerFactory.getLogger(PlacementListing.class);

    /** Scan calls per page at most: a page reads a bounded part of the table whatever it finds. */
    static final int MAXIMUM_SCAN_CALLS = 4;

    private static final String SCAN_POSITION = "s";

    private final DynamoDbAsyncClient client;
    private final DynamoDbSettings settings;
    private final ItemParser parser;
    private final AtomicBoolean indexMissing = new AtomicBoolean();

    PlacementListing(DynamoDbAsyncClient client, DynamoDbSettings settings, ItemParser parser) {
        this.client = client;
        this.settings = settings;
        this.parser = parser;
    }

    CompletableFuture<PlacementPage> page(PlacementQuery query) {
        try {
            return unguardedPage(query);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e); // a cursor this listing did not issue
        }
    }

    private CompletableFuture<PlacementPage> unguardedPage(PlacementQuery query) {
        if (query.cell() == null || indexMissing.get()) {
            return scanPage(query);
        }
        return orWithoutIndex(byIndex(query), () -> scanPage(query));
    }

    CompletableFuture<Long> count(String cell) {
        if (indexMissing.get()) {
            return scanCount(cell, null, 0);
        }
        return orWithoutIndex(indexCount(cell, null, 0), () -> scanCount(cell, null, 0));
    }

    // ---- by cell: the index

    private CompletableFuture<PlacementPage> byIndex(PlacementQuery query) {
        QueryRequest.Builder request = indexQuery(query.cell(), query.prefix()).limit(query.limit() + 1);
        if (query.cursor() != null) {
            String after = PageCursor.decode(query.cursor()).single(PageCursor.AFTER_CUSTOMER);
            Map<String, AttributeValue> start = Items.placementKey(after);
            start.put(Items.CELL, Items.s(query.cell()));
            request.exclusiveStartKey(start);
        }
        return call("list the placements of cell " + query.cell(), () -> client.query(request.build()))
                .thenApply(response -> {
                    List<Placement> placements = new ArrayList<>(response.count());
                    for (Map<String, AttributeValue> item : response.items()) {
                        if (placements.size() == query.limit()) {
                            break;
                        }
                        parser.addTo(placements, item, "placement", Items::placement);
                    }
                    boolean more = response.count() > query.limit() || hasMore(response.lastEvaluatedKey());
                    String next = null;
                    if (more && !placements.isEmpty()) {
                        next = PageCursor.afterCustomer(
                                placements.get(placements.size() - 1).customer());
                    } else if (more) {
                        next = PageCursor.afterCustomer(customerOf(response.lastEvaluatedKey()));
                    }
                    return new PlacementPage(placements, next);
                });
    }

    private CompletableFuture<Long> indexCount(String cell, Map<String, AttributeValue> start, long counted) {
        QueryRequest.Builder request = indexQuery(cell, "").select(Select.COUNT);
        if (start != null) {
            request.exclusiveStartKey(start);
        }
        return call("count the placements of cell " + cell, () -> client.query(request.build()))
                .thenCompose(response -> hasMore(response.lastEvaluatedKey())
                        ? indexCount(cell, response.lastEvaluatedKey(), counted + response.count())
                        : CompletableFuture.completedFuture(counted + response.count()));
    }

    private QueryRequest.Builder indexQuery(String cell, String prefix) {
        return QueryRequest.builder()
                .tableName(settings.table())
                .indexName(DynamoDbTables.CELL_INDEX)
                .keyConditionExpression("#cell = :cell AND begins_with(#pk, :prefix)")
                .expressionAttributeNames(Map.of("#cell", Items.CELL, "#pk", Items.PK))
                .expressionAttributeValues(
                        Map.of(":cell", Items.s(cell), ":prefix", Items.s(Items.CUSTOMER_PREFIX + prefix)))
                .overrideConfiguration(this::bulkTimeouts);
    }

    // ---- every cell: a bounded scan

    private CompletableFuture<PlacementPage> scanPage(PlacementQuery query) {
        Map<String, AttributeValue> start = null;
        if (query.cursor() != null) {
            PageCursor cursor = PageCursor.decode(query.cursor());
            if (cursor.kind().equals(PageCursor.AFTER_CUSTOMER)) {
                start = Items.placementKey(cursor.single(PageCursor.AFTER_CUSTOMER));
            } else if (cursor.kind().equals(SCAN_POSITION) && cursor.parts().size() == 2) {
                start = Items.key(cursor.parts().get(0), cursor.parts().get(1));
            } else {
                throw PageCursor.invalid();
            }
        }
        return scanCalls(query, start, new ArrayList<>(), 0);
    }

    private CompletableFuture<PlacementPage> scanCalls(
            PlacementQuery query, Map<String, AttributeValue> start, List<Placement> found, int calls) {
        int wanted = query.limit() - found.size();
        ScanRequest.Builder request = placementScan(query.cell(), query.prefix())
                .limit(Math.min(PlacementQuery.MAXIMUM_LIMIT, Math.max(2 * wanted, 100)));
        if (start != null) {
            request.exclusiveStartKey(start);
        }
        return call("list the placements", () -> client.scan(request.build())).thenCompose(response -> {
            List<Map<String, AttributeValue>> items = response.items();
            for (int i = 0; i < items.size(); i++) {
                if (parser.addTo(found, items.get(i), "placement", Items::placement) && found.size() == query.limit()) {
                    boolean rest = i < items.size() - 1 || hasMore(response.lastEvaluatedKey());
                    return CompletableFuture.completedFuture(
                            new PlacementPage(found, rest ? scanPosition(items.get(i)) : null));
                }
            }
            if (!hasMore(response.lastEvaluatedKey())) {
                return CompletableFuture.completedFuture(new PlacementPage(found, null));
            }
            if (calls + 1 == MAXIMUM_SCAN_CALLS) {
                return CompletableFuture.completedFuture(
                        new PlacementPage(found, scanPosition(response.lastEvaluatedKey())));
            }
            return scanCalls(query, response.lastEvaluatedKey(), found, calls + 1);
        });
    }

    private CompletableFuture<Long> scanCount(String cell, Map<String, AttributeValue> start, long counted) {
        ScanRequest.Builder request = placementScan(cell, "").select(Select.COUNT);
        if (start != null) {
            request.exclusiveStartKey(start);
        }
        return call("count the placements of cell " + cell, () -> client.scan(request.build()))
                .thenCompose(response -> hasMore(response.lastEvaluatedKey())
                        ? scanCount(cell, response.lastEvaluatedKey(), counted + response.count())
                        : CompletableFuture.completedFuture(counted + response.count()));
    }

    private ScanRequest.Builder placementScan(String cell, String prefix) {
        Map<String, String> names = new HashMap<>(Map.of("#pk", Items.PK, "#sk", Items.SK));
        Map<String, AttributeValue> values = new HashMap<>(
                Map.of(":placement", Items.s(Items.PLACEMENT_SK), ":prefix", Items.s(Items.CUSTOMER_PREFIX + prefix)));
        String filter = "#sk = :placement AND begins_with(#pk, :prefix)";
        if (cell != null) {
            names.put("#cell", Items.CELL);
            values.put(":cell", Items.s(cell));
            filter += " AND #cell = :cell";
        }
        return ScanRequest.builder()
                .tableName(settings.table())
                .filterExpression(filter)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .consistentRead(true)
                .overrideConfiguration(this::bulkTimeouts);
    }

    // ---- helpers

    /** Runs {@code first}; when the table has no cell index, remembers it and runs {@code fallback}. */
    private <T> CompletableFuture<T> orWithoutIndex(
            CompletableFuture<T> first, java.util.function.Supplier<CompletableFuture<T>> fallback) {
        return first.handle((value, error) -> {
                    if (error == null) {
                        return CompletableFuture.completedFuture(value);
                    }
                    if (!isMissingIndex(error)) {
                        return CompletableFuture.<T>failedFuture(error);
                    }
                    if (indexMissing.compareAndSet(false, true)) {
                        log.warn(
                                "DynamoDB table '{}' has no index {}: listings by cell scan the table instead;"
                                        + " run `registry create-table` to add the index",
                                settings.table(),
                                DynamoDbTables.CELL_INDEX);
                    }
                    return fallback.get();
                })
                .thenCompose(Function.identity());
    }

    private static boolean isMissingIndex(Throwable error) {
        Throwable cause = Errors.unwrap(error);
        while (cause != null && !(cause instanceof DynamoDbException)) {
            cause = cause.getCause();
        }
        return cause instanceof DynamoDbException dynamo
                && dynamo.awsErrorDetails() != null
                && "ValidationException".equals(dynamo.awsErrorDetails().errorCode())
                && String.valueOf(dynamo.awsErrorDetails().errorMessage()).contains("index");
    }

    private <T> CompletableFuture<T> call(String operation, java.util.function.Supplier<CompletableFuture<T>> call) {
        return Errors.call(settings.table(), operation, call);
    }

    private void bulkTimeouts(software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration.Builder config) {
        config.apiCallTimeout(settings.scanTimeout()).apiCallAttemptTimeout(settings.scanTimeout());
    }

    private static boolean hasMore(Map<String, AttributeValue> lastEvaluatedKey) {
        return lastEvaluatedKey != null && !lastEvaluatedKey.isEmpty();
    }

    private static String customerOf(Map<String, AttributeValue> key) {
        return Items.text(key, Items.PK).substring(Items.CUSTOMER_PREFIX.length());
    }

    private static String scanPosition(Map<String, AttributeValue> key) {
        return PageCursor.encode(SCAN_POSITION, Items.text(key, Items.PK), Items.text(key, Items.SK));
    }
}
