package io.cellrouter.registry.store.dynamodb;

import io.cellrouter.registry.store.Change;
import io.cellrouter.registry.store.ChangeBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Reads the change feed (layout and proof on the package documentation).
 *
 * <p>{@link #changesSince} is, in the steady state, one strongly consistent Query of one feed
 * partition: {@code pk = FEED#bucket(cursor) AND sk >= cursor}. The first item must be the cursor
 * itself (the anchor): that proves the feed still reaches back to the cursor and that the cursor was
 * issued by this feed; otherwise the answer is a gap. Items are taken while their sequences are
 * contiguous; a hole (an entry whose write is not visible yet) ends the batch before it, so the next
 * poll reads it. Only when the batch reaches a bucket's closing slot (its seal) does it read the next
 * bucket too.
 *
 * <p>An entry that does not read (damaged, written by hand or by a release with another layout)
 * makes the answer a gap: the reader cannot tell what it announced, so the caller reloads everything
 * and goes on from the head, past that entry. Failing the poll instead would fail every poll of
 * every router for ever. The entry is counted and named in a warning ({@link ItemParser#passOver}).
 *
 * <p>Stateless and thread-safe: every call works on its own locals.
 */
final class FeedReader {

    /** Feed entries returned by one {@link #changesSince}; a longer backlog is read over several polls. */
    static final int MAX_ENTRIES = 1_000;

    private final DynamoDbAsyncClient client;
    private final String table;
    private final long bucketSize;
    private final ItemParser parser;

    FeedReader(DynamoDbAsyncClient client, String table, long bucketSize, ItemParser parser) {
        this.client = client;
        this.table = table;
        this.bucketSize = bucketSize;
        this.parser = parser;
    }

    long bucket(long sequence) {
        return sequence / bucketSize;
    }

    /** The closing slot of a bucket: never a change, always a seal (or a pruned bucket's marker). */
    long lastSlot(long bucket) {
        return bucket * bucketSize + bucketSize - 1;
    }

    boolean isLastSlot(long sequence) {
        return sequence % bucketSize == bucketSize - 1;
    }

    CompletableFuture<ChangeBatch> changesSince(long cursor) {
        if (cursor < 0) {
            return gap();
        }
        return read(bucket(cursor), cursor, true, new Batch(cursor));
    }

    /**
     * The newest sequence: the hint names the newest bucket that a writer has reached; the walk goes
     * forward from there, past every sealed bucket, to the last entry. 0 for an empty feed.
     */
    CompletableFuture<Long> latestSequence() {
        return Errors.call(
                        table,
                        "read the feed head",
                        () -> client.getItem(GetItemRequest.builder()
                                .tableName(table)
                                .key(Items.feedHeadKey())
                                .consistentRead(true)
                                .build()))
                .thenCompose(response -> {
                    long bucket = response.hasItem() && response.item().containsKey(Items.BUCKET)
                            ? Items.number(response.item(), Items.BUCKET)
                            : 0;
                    return headFrom(bucket);
                });
    }

    /** The last entry at or after the start of {@code bucket}, following seals forward. */
    CompletableFuture<Long> headFrom(long bucket) {
        return headFrom(bucket, Math.max(0, bucket * bucketSize - 1));
    }

    private CompletableFuture<Long> headFrom(long bucket, long best) {
        return lastItem(bucket).thenCompose(item -> {
            if (item == null) {
                return CompletableFuture.completedFuture(best);
            }
            long sequence = Items.sequence(item);
            if (isLastSlot(sequence)) {
                return headFrom(bucket + 1, sequence);
            }
            return CompletableFuture.completedFuture(sequence);
        });
    }

    private CompletableFuture<ChangeBatch> read(long bucket, long from, boolean anchored, Batch batch) {
        return query(bucket, from, MAX_ENTRIES - batch.entries + 1).thenCompose(items -> {
            Step step = consume(batch, items, anchored, lastSlot(bucket));
            return switch (step) {
                case GAP -> gap();
                case NEXT_BUCKET -> read(bucket + 1, (bucket + 1) * bucketSize, false, batch);
                case DONE -> CompletableFuture.completedFuture(batch.result());
            };
        });
    }

    private Step consume(Batch batch, List<Map<String, AttributeValue>> items, boolean anchored, long lastSlot) {
        try {
            return batch.consume(items, anchored, lastSlot);
        } catch (RuntimeException e) {
            parser.passOver(
                    items.get(batch.reading),
                    "change feed",
                    e,
                    "read as a gap: every router reloads the whole registry");
            return Step.GAP;
        }
    }

    private CompletableFuture<ChangeBatch> gap() {
        return latestSequence().thenApply(head -> new ChangeBatch(List.of(), head, true));
    }

    /** Up to {@code limit} entries of a bucket from {@code from} on, ascending, strongly consistent. */
    CompletableFuture<List<Map<String, AttributeValue>>> query(long bucket, long from, int limit) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        return queryPage(bucket, from, limit, null, items).thenApply(ignored -> items);
    }

    private CompletableFuture<Void> queryPage(
            long bucket,
            long from,
            int limit,
            Map<String, AttributeValue> startKey,
            List<Map<String, AttributeValue>> items) {
        QueryRequest.Builder request = QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("#pk = :pk AND #sk >= :from")
                .expressionAttributeNames(Map.of("#pk", Items.PK, "#sk", Items.SK))
                .expressionAttributeValues(
                        Map.of(":pk", Items.s(Items.FEED_PREFIX + bucket), ":from", Items.s(Items.sequenceKey(from))))
                .consistentRead(true)
                .limit(limit - items.size());
        if (startKey != null) {
            request.exclusiveStartKey(startKey);
        }
        return Errors.call(table, "read the change feed", () -> client.query(request.build()))
                .thenCompose((QueryResponse response) -> {
                    items.addAll(response.items());
                    if (response.hasLastEvaluatedKey()
                            && !response.lastEvaluatedKey().isEmpty()
                            && items.size() < limit) {
                        return queryPage(bucket, from, limit, response.lastEvaluatedKey(), items);
                    }
                    return CompletableFuture.completedFuture(null);
                });
    }

    private CompletableFuture<Map<String, AttributeValue>> lastItem(long bucket) {
        return Errors.call(
                        table,
                        "read the feed head",
                        () -> client.query(QueryRequest.builder()
                                .tableName(table)
                                .keyConditionExpression("#pk = :pk")
                                .expressionAttributeNames(Map.of("#pk", Items.PK))
                                .expressionAttributeValues(Map.of(":pk", Items.s(Items.FEED_PREFIX + bucket)))
                                .scanIndexForward(false)
                                .consistentRead(true)
                                .limit(1)
                                .build()))
                .thenApply(response ->
                        response.items().isEmpty() ? null : response.items().get(0));
    }

    private enum Step {
        DONE,
        NEXT_BUCKET,
        GAP
    }

    /** What one {@link #changesSince} has gathered so far; confined to that call's future chain. */
    private static final class Batch {
        private final long cursor;
        private final List<Change> changes = new ArrayList<>();
        private long position; // the last contiguous sequence read
        private int entries;
        private int reading; // the index, in the items being consumed, of the one being read

        Batch(long cursor) {
            this.cursor = cursor;
            this.position = cursor;
        }

        Step consume(List<Map<String, AttributeValue>> items, boolean anchored, long lastSlot) {
            for (reading = 0; reading < items.size(); reading++) {
                // Read leniently: the anchor (the cursor's own entry) may be one that does not
                // read, already passed over as a gap; it must match by its sequence only.
                if (Items.TYPE_PRUNED.equals(Items.optionalText(items.get(reading), Items.TYPE))) {
                    return Step.GAP; // the reader is behind the retained feed
                }
            }
            reading = 0;
            int i = 0;
            if (anchored && cursor > 0) {
                if (items.isEmpty() || Items.sequence(items.get(0)) != cursor) {
                    return Step.GAP; // the cursor's own entry is gone, or was never issued
                }
                i = 1;
            }
            for (; i < items.size() && entries < MAX_ENTRIES; i++) {
                reading = i;
                Map<String, AttributeValue> item = items.get(i);
                long sequence = Items.sequence(item);
                if (sequence == 0) {
                    continue; // slot 0 is never written; tolerate it
                }
                if (sequence != position + 1) {
                    return Step.DONE; // a hole: that write is not visible yet; read it next time
                }
                if (Items.TYPE_CHANGES.equals(Items.type(item))) {
                    changes.addAll(Items.changes(item));
                }
                position = sequence;
                entries++;
            }
            return position == lastSlot && entries < MAX_ENTRIES ? Step.NEXT_BUCKET : Step.DONE;
        }

        ChangeBatch result() {
            return new ChangeBatch(changes, position, false);
        }
    }
}
