package io.cellrouter.registry.store.dynamodb;

import io.cellrouter.registry.model.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * Reads every placement for a preload: a parallel Scan of {@code scanSegments} segments, each read
 * page by page (up to 1 MB a page) with its own, longer call timeout. Only placement items are
 * returned (a filter on the sort key) and only the attributes a placement needs. Strongly
 * consistent, so that a load that starts after reading the feed head misses no write before it.
 *
 * <p>An item that does not read is skipped ({@link ItemParser}): one bad item must not stop every
 * new router from loading.
 *
 * <p>Each segment's pages are read one after the other; the segments run concurrently. Results are
 * gathered per segment (each list touched only by its own chain) and joined at the end.
 */
final class PlacementScan {

    private final DynamoDbAsyncClient client;
    private final DynamoDbSettings settings;
    private final ItemParser parser;

    PlacementScan(DynamoDbAsyncClient client, DynamoDbSettings settings, ItemParser parser) {
        this.client = client;
        this.settings = settings;
        this.parser = parser;
    }

    CompletableFuture<List<Placement>> placements() {
        int segments = settings.scanSegments();
        List<List<Placement>> results = new ArrayList<>(segments);
        List<CompletableFuture<Void>> reads = new ArrayList<>(segments);
        for (int segment = 0; segment < segments; segment++) {
            List<Placement> found = new ArrayList<>();
            results.add(found);
            reads.add(page(segment, null, found));
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture<?>[]::new))
                .thenApply(ignored -> {
                    List<Placement> all = new ArrayList<>(
                            results.stream().mapToInt(List::size).sum());
                    results.forEach(all::addAll);
                    return all;
                });
    }

    private CompletableFuture<Void> page(int segment, Map<String, AttributeValue> startKey, List<Placement> found) {
        ScanRequest.Builder request = ScanRequest.builder()
                .tableName(settings.table())
                .segment(segment)
                .totalSegments(settings.scanSegments())
                .filterExpression("#sk = :placement")
                .projectionExpression("#pk, #sk, #cell, #version, #updatedAt")
                .expressionAttributeNames(Map.of(
                        "#pk", Items.PK,
                        "#sk", Items.SK,
                        "#cell", Items.CELL,
                        "#version", Items.VERSION,
                        "#updatedAt", Items.UPDATED_AT))
                .expressionAttributeValues(Map.of(":placement", Items.s(Items.PLACEMENT_SK)))
                .consistentRead(true)
                .overrideConfiguration(config ->
                        config.apiCallTimeout(settings.scanTimeout()).apiCallAttemptTimeout(settings.scanTimeout()));
        if (startKey != null) {
            request.exclusiveStartKey(startKey);
        }
        return Errors.call(settings.table(), "scan the placements", () -> client.scan(request.build()))
                .thenCompose(response -> {
                    response.items().forEach(item -> parser.addTo(found, item, "placement", Items::placement));
                    if (response.hasLastEvaluatedKey()
                            && !response.lastEvaluatedKey().isEmpty()) {
                        return page(segment, response.lastEvaluatedKey(), found);
                    }
                    return CompletableFuture.completedFuture(null);
                });
    }
}
