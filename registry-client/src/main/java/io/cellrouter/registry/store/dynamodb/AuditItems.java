package io.cellrouter.registry.store.dynamodb;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * The admin API's audit entries as items of the registry table: one partition per UTC day
 * ({@code AUDIT#2026-05-01}), sorted by instant, each a single-item put. Bounded twice: a day's
 * partition only grows by the admin changes of that day, and every item carries a {@code ttl}
 * ({@link #RETENTION} after it was written) for the table's TTL to delete. The placement scan
 * filters on the placement sort key, so audit items never reach a router's cache.
 */
final class AuditItems {

    /** How long an audit item is kept when the table's TTL is enabled on {@code ttl}. */
    static final Duration RETENTION = Duration.ofDays(400);

    private final DynamoDbAsyncClient client;
    private final String table;

    AuditItems(DynamoDbAsyncClient client, String table) {
        this.client = client;
        this.table = table;
    }

    CompletableFuture<Void> append(Instant at, String entry) {
        // The random suffix keeps two entries of the same instant apart; the instant orders them.
        Map<String, AttributeValue> item = Items.key(partition(at), at + "#" + UUID.randomUUID());
        item.put(Items.ENTRY, Items.s(entry));
        item.put(Items.TTL, Items.n(at.plus(RETENTION).getEpochSecond()));
        return Errors.call(
                        table,
                        "write an audit entry",
                        () -> client.putItem(PutItemRequest.builder()
                                .tableName(table)
                                .item(item)
                                .build()))
                .thenApply(ignored -> null);
    }

    /** The entries of one UTC day, oldest first. */
    CompletableFuture<List<String>> day(LocalDate day) {
        return Queries.all(client, table, Items.AUDIT_PREFIX + day, "read the audit entries of " + day)
                .thenApply(items ->
                        items.stream().map(item -> item.get(Items.ENTRY).s()).toList());
    }

    private static String partition(Instant at) {
        return Items.AUDIT_PREFIX + LocalDate.ofInstant(at, ZoneOffset.UTC);
    }
}
