package io.cellrouter.registry.store.dynamodb;

import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RegistryDocument;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Test tables: each test gets a table of its own (dynalite creates one at once), filled with a
 * document's items directly, without feed entries, as an operator's bulk load would.
 */
public final class Tables {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    static final Instant LOADED_AT = Instant.parse("2026-01-01T00:00:00Z");

    private Tables() {}

    public static String newName() {
        return "registry-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    }

    public static DynamoDbSettings settings(URI endpoint, String table) {
        return DynamoDbSettings.of(table).withEndpoint(endpoint);
    }

    /** Creates the table and loads {@code seed} into it, placements at version 1 (or their version). */
    public static void createAndLoad(DynamoDbSettings settings, RegistryDocument seed) {
        try (DynamoDbClients.Opened opened = DynamoDbClients.create(settings.forBulkWork())) {
            DynamoDbAsyncClient client = opened.client();
            DynamoDbTables.create(client, settings.table()).join();
            List<Map<String, AttributeValue>> items = new ArrayList<>();
            seed.cells().forEach(cell -> items.add(Items.cellItem(cell, LOADED_AT)));
            seed.customers()
                    .forEach((customer, cell) -> items.add(Items.placementItem(
                            new Placement(customer, cell, seed.versions().getOrDefault(customer, 1L), LOADED_AT))));
            seed.overrides().forEach(override -> items.add(Items.overrideItem(override, LOADED_AT)));
            seed.shadows().forEach(shadow -> items.add(Items.shadowItem(shadow, LOADED_AT)));
            for (int from = 0; from < items.size(); from += 25) {
                List<WriteRequest> chunk = items.subList(from, Math.min(from + 25, items.size())).stream()
                        .map(item -> WriteRequest.builder()
                                .putRequest(PutRequest.builder().item(item).build())
                                .build())
                        .toList();
                var response = client.batchWriteItem(BatchWriteItemRequest.builder()
                                .requestItems(Map.of(settings.table(), chunk))
                                .build())
                        .join();
                if (response.hasUnprocessedItems()
                        && !response.unprocessedItems().isEmpty()) {
                    throw new IllegalStateException("dynalite left items unprocessed");
                }
            }
        }
    }

    /** Writes a placement straight into the table, behind the store's back: no feed entry. */
    public static void writeBehindTheBack(DynamoDbSettings settings, Placement placement) {
        writeRaw(settings, List.of(Items.placementItem(placement)));
    }

    /**
     * Writes a feed entry that does not read at {@code sequence} (the next one a writer would take,
     * say): a reader whose cursor is before it sees a gap there and reloads everything.
     */
    public static void damageFeedEntry(DynamoDbSettings settings, long sequence) {
        writeRaw(
                settings,
                List.of(Items.feedEntry(
                        sequence / settings.feedBucketSize(), sequence, List.of("X:damaged"), LOADED_AT)));
    }

    /** Writes items as they are (a hand-made or damaged item, say), behind the store's back. */
    static void writeRaw(DynamoDbSettings settings, List<Map<String, AttributeValue>> items) {
        try (DynamoDbClients.Opened opened = DynamoDbClients.create(settings.forBulkWork())) {
            DynamoDbAsyncClient client = opened.client();
            for (Map<String, AttributeValue> item : items) {
                client.putItem(PutItemRequest.builder()
                                .tableName(settings.table())
                                .item(item)
                                .build())
                        .join();
            }
        }
    }
}
