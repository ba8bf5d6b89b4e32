package io.cellrouter.registry.store.dynamodb;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;

/**
 * Deletes the items of one partition (the overrides, the shadows) whose {@code expiresAt} has
 * passed, after each write to that partition, as the file store drops them at its next write.
 * Without it every move with a freeze left an item for ever, and every router, reading the
 * partition whole, read them all.
 *
 * <ul>
 *   <li>No TTL and no transactions (dynalite has neither): the partition is read whole, and each
 *       expired item is deleted on the condition that its {@code expiresAt} is still the one read.
 *       A write of the same key since the read (a new override for that customer) carries another
 *       expiry and is kept; one that carries the same expiry is expired as well.
 *   <li>Routers ignore an expired item by their own clock, so a delete changes no routing and
 *       needs no feed entry; the write it rides with is announced as always.
 *   <li>Never fails: a failed read or delete is logged, and the next write tries again.
 * </ul>
 *
 * <p>Thread-safe: no state of its own; callbacks run on the SDK's completion threads.
 */
final class ExpiredItems {

    private static final Logger log = LoggerFactory.getLogger(ExpiredItems.class);

    private final DynamoDbAsyncClient client;
    private final String table;
    private final String partition;
    private final Clock clock;

    ExpiredItems(DynamoDbAsyncClient client, String table, String partition, Clock clock) {
        this.client = client;
        this.table = table;
        this.partition = partition;
        this.clock = clock;
    }

    /**
     * {@code write}'s outcome, once the partition's expired items are dropped too: after a write that
     * succeeded (one that failed, perhaps in an outage, adds no calls). The write itself is not
     * delayed; its caller waits for the one Query and the deletes.
     */
    <T> CompletableFuture<T> after(CompletableFuture<T> write) {
        return write.thenCompose(written -> drop().thenApply(ignored -> written));
    }

    /** Reads the partition and deletes its expired items; completes, never exceptionally, once they are gone. */
    CompletableFuture<Void> drop() {
        return Queries.all(client, table, partition, "read " + partition + " items to drop the expired ones")
                .thenCompose(this::drop)
                .exceptionally(error -> {
                    log.warn(
                            "DynamoDB table '{}': expired {} items were not dropped ({}); the next write tries again",
                            table,
                            partition,
                            Errors.unwrap(error).getMessage());
                    return null;
                });
    }

    /** Deletes those of {@code items} (as read before) that have expired, each only while it is still as read. */
    CompletableFuture<Void> drop(List<Map<String, AttributeValue>> items) {
        Instant now = clock.instant();
        AtomicInteger failed = new AtomicInteger();
        List<CompletableFuture<Void>> deletes = new ArrayList<>();
        for (Map<String, AttributeValue> item : items) {
            String expiresAt = Items.optionalText(item, Items.EXPIRES_AT);
            if (expiresAt != null && isPast(expiresAt, now)) {
                deletes.add(delete(item, expiresAt).exceptionally(error -> {
                    if (!Errors.isConditionFailure(error)) { // written again since the read: kept
                        failed.incrementAndGet();
                    }
                    return null;
                }));
            }
        }
        return CompletableFuture.allOf(deletes.toArray(CompletableFuture<?>[]::new))
                .thenRun(() -> {
                    if (failed.get() > 0) {
                        log.warn(
                                "DynamoDB table '{}': {} of {} expired {} items could not be deleted; the next"
                                        + " write tries again",
                                table,
                                failed.get(),
                                deletes.size(),
                                partition);
                    }
                });
    }

    private CompletableFuture<Void> delete(Map<String, AttributeValue> item, String expiresAt) {
        DeleteItemRequest request = DeleteItemRequest.builder()
                .tableName(table)
                .key(Map.of(Items.PK, item.get(Items.PK), Items.SK, item.get(Items.SK)))
                .conditionExpression("#expiresAt = :expiresAt")
                .expressionAttributeNames(Map.of("#expiresAt", Items.EXPIRES_AT))
                .expressionAttributeValues(Map.of(":expiresAt", Items.s(expiresAt)))
                .build();
        return Errors.call(table, "delete an expired " + partition + " item", () -> client.deleteItem(request))
                .thenApply(response -> null);
    }

    /** An expiry that does not read is not this class's to judge: the item stays (reads skip it with a warning). */
    private static boolean isPast(String expiresAt, Instant now) {
        try {
            return !now.isBefore(Instant.parse(expiresAt));
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
