package io.cellrouter.registry.store.dynamodb;

import io.cellrouter.registry.store.Change;
import io.cellrouter.registry.store.StoreUnavailableException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Appends to the change feed (layout and proof on the package documentation).
 *
 * <p>A slot is claimed by writing its entry with {@code attribute_not_exists(pk)}: exactly one writer
 * wins a slot, and a writer only tries slot n+1 once it knows slot n exists (it wrote it, lost it in a
 * conditional-check failure, or read it), so the claimed slots are always a prefix 1..head with no
 * hole. The closing slot of every bucket is claimed as a seal, never for changes.
 *
 * <pre>
 *  append(change) ──► queue ──► one claim in flight at a time, taking up to 100 queued changes
 *                                 claim(head + 1)
 *                                   ├─ won ────────► head = n; first slot of a bucket? hint + prune
 *                                   ├─ lost ───────► claim(n + 1)  (re-read the head every 8 losses)
 *                                   └─ seal slot ──► write the seal (won or lost), claim(n + 1)
 * </pre>
 *
 * <p>Concurrency: the queue is guarded by {@code this}; at most one claim chain runs at a time (group
 * commit), so a store never races itself for slots and a burst of writes (an import) shares entries.
 * The chain runs on the SDK's completion threads.
 */
final class FeedWriter {

    private static final Logger log = LoggerFactory.getLogger(FeedWriter.class);

    /** Changes carried by one entry: keeps an entry far below DynamoDB's 400 KB item limit. */
    static final int MAX_CHANGES_PER_ENTRY = 100;

    private static final int REREAD_HEAD_EVERY = 8;
    private static final int MAX_LOST_CLAIMS = 1_000;

    private final DynamoDbAsyncClient client;
    private final String table;
    private final FeedReader reader;
    private final long bucketSize;
    private final long retainBuckets;
    private final Clock clock;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>(); // guarded by this
    private boolean claiming; // guarded by this
    private volatile long head = -1; // the newest slot known to exist; -1: read it first

    FeedWriter(DynamoDbAsyncClient client, String table, FeedReader reader, DynamoDbSettings settings, Clock clock) {
        this.client = client;
        this.table = table;
        this.reader = reader;
        this.bucketSize = settings.feedBucketSize();
        this.retainBuckets = settings.feedRetainBuckets();
        this.clock = clock;
    }

    /** Appends one change; completes with the sequence of the entry that carries it. */
    CompletableFuture<Long> append(Change.Kind kind, String key) {
        Pending pending = new Pending(Items.encode(kind, key), new CompletableFuture<>());
        boolean start;
        synchronized (this) {
            queue.add(pending);
            start = !claiming;
            claiming = true;
        }
        if (start) {
            claimNext();
        }
        return pending.done;
    }

    private void claimNext() {
        List<Pending> batch = new ArrayList<>();
        synchronized (this) {
            while (!queue.isEmpty() && batch.size() < MAX_CHANGES_PER_ENTRY) {
                batch.add(queue.poll());
            }
            if (batch.isEmpty()) {
                claiming = false;
                return;
            }
        }
        List<String> changes = new ArrayList<>(batch.size());
        batch.forEach(pending -> changes.add(pending.change));
        CompletableFuture<Long> known = head >= 0 ? CompletableFuture.completedFuture(head) : reader.latestSequence();
        known.thenCompose(latest -> claim(latest + 1, changes, 0)).whenComplete((sequence, error) -> {
            for (Pending pending : batch) {
                if (error != null) {
                    pending.done.completeExceptionally(Errors.translate(error, table, "append to the change feed"));
                } else {
                    pending.done.complete(sequence);
                }
            }
            claimNext();
        });
    }

    private CompletableFuture<Long> claim(long slot, List<String> changes, int lost) {
        if (slot == 0) {
            slot = 1; // slot 0 is never used: a cursor of 0 means "from the start"
        }
        long n = slot;
        long bucket = reader.bucket(n);
        if (reader.isLastSlot(n)) {
            return put(Items.feedMarker(bucket, n, Items.TYPE_SEAL, clock.instant()))
                    .handle((ignored, error) -> error == null || Errors.isConditionFailure(error)
                            ? claim(n + 1, changes, lost)
                            : CompletableFuture.<Long>failedFuture(error))
                    .thenCompose(Function.identity());
        }
        return put(Items.feedEntry(bucket, n, changes, clock.instant()))
                .handle((ignored, error) -> {
                    if (error == null) {
                        head = n;
                        return afterClaim(n).thenApply(done -> n);
                    }
                    if (!Errors.isConditionFailure(error)) {
                        head = -1; // unknown now: read it again before the next claim
                        return CompletableFuture.<Long>failedFuture(error);
                    }
                    int losses = lost + 1;
                    if (losses >= MAX_LOST_CLAIMS) {
                        head = -1;
                        return CompletableFuture.<Long>failedFuture(new StoreUnavailableException("DynamoDB table '"
                                + table + "': the change feed is too contended (" + losses + " lost claims in a row)"));
                    }
                    if (losses % REREAD_HEAD_EVERY == 0) {
                        // Far behind (a new writer, or a busy feed): jump to the head instead of walking.
                        return reader.headFrom(bucket)
                                .thenCompose(latest -> claim(Math.max(latest, n) + 1, changes, losses));
                    }
                    return claim(n + 1, changes, losses);
                })
                .thenCompose(Function.identity());
    }

    private CompletableFuture<Void> put(Map<String, AttributeValue> item) {
        return Errors.call(
                        table,
                        "append to the change feed",
                        () -> client.putItem(PutItemRequest.builder()
                                .tableName(table)
                                .item(item)
                                .conditionExpression("attribute_not_exists(#pk)")
                                .expressionAttributeNames(Map.of("#pk", Items.PK))
                                .build()))
                .thenApply(response -> null);
    }

    /**
     * The first slot of a bucket moves the head hint and prunes the bucket that fell out of
     * retention. Both are housekeeping: a failure is logged and the append still succeeds (a stale
     * hint only makes finding the head walk further; an unpruned bucket only costs storage).
     */
    private CompletableFuture<Void> afterClaim(long sequence) {
        if (sequence % bucketSize != 0) {
            return CompletableFuture.completedFuture(null);
        }
        long bucket = reader.bucket(sequence);
        CompletableFuture<Void> hint = moveHint(bucket);
        CompletableFuture<Void> prune =
                bucket - retainBuckets >= 0 ? prune(bucket - retainBuckets) : CompletableFuture.completedFuture(null);
        return CompletableFuture.allOf(hint, prune).handle((ignored, error) -> {
            if (error != null) {
                log.warn("DynamoDB table '{}': change feed housekeeping failed: {}", table, Errors.unwrap(error));
            }
            return null;
        });
    }

    private CompletableFuture<Void> moveHint(long bucket) {
        return Errors.call(
                        table,
                        "move the feed head hint",
                        () -> client.updateItem(UpdateItemRequest.builder()
                                .tableName(table)
                                .key(Items.feedHeadKey())
                                .updateExpression("SET #bucket = :bucket")
                                .conditionExpression("attribute_not_exists(#bucket) OR #bucket < :bucket")
                                .expressionAttributeNames(Map.of("#bucket", Items.BUCKET))
                                .expressionAttributeValues(Map.of(":bucket", Items.n(bucket)))
                                .build()))
                .handle((ignored, error) -> {
                    if (error != null && !Errors.isConditionFailure(error)) {
                        throw Errors.translate(error, table, "move the feed head hint");
                    }
                    return null;
                });
    }

    /**
     * Replaces a bucket by its marker: first the marker is written over the bucket's closing slot (so
     * a reader anywhere in the bucket sees it and knows it is behind), then every other entry is
     * deleted.
     */
    private CompletableFuture<Void> prune(long bucket) {
        return reader.query(bucket, 0, Integer.MAX_VALUE).thenCompose(items -> {
            boolean pruned = items.stream().anyMatch(item -> Items.TYPE_PRUNED.equals(Items.type(item)));
            if (pruned || items.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            long marker = reader.lastSlot(bucket);
            List<WriteRequest> deletes = new ArrayList<>();
            for (Map<String, AttributeValue> item : items) {
                if (Items.sequence(item) != marker) {
                    deletes.add(WriteRequest.builder()
                            .deleteRequest(DeleteRequest.builder()
                                    .key(Items.feedKey(bucket, Items.sequence(item)))
                                    .build())
                            .build());
                }
            }
            return Errors.call(
                            table,
                            "prune the change feed",
                            () -> client.putItem(PutItemRequest.builder()
                                    .tableName(table)
                                    .item(Items.feedMarker(bucket, marker, Items.TYPE_PRUNED, clock.instant()))
                                    .build()))
                    .thenCompose(ignored -> delete(deletes, 0, 0));
        });
    }

    private CompletableFuture<Void> delete(List<WriteRequest> deletes, int from, int retries) {
        if (from >= deletes.size()) {
            return CompletableFuture.completedFuture(null);
        }
        List<WriteRequest> chunk = deletes.subList(from, Math.min(from + 25, deletes.size()));
        return Errors.call(
                        table,
                        "prune the change feed",
                        () -> client.batchWriteItem(BatchWriteItemRequest.builder()
                                .requestItems(Map.of(table, chunk))
                                .build()))
                .thenCompose(response -> {
                    List<WriteRequest> unprocessed = response.hasUnprocessedItems()
                            ? response.unprocessedItems().getOrDefault(table, List.of())
                            : List.of();
                    if (!unprocessed.isEmpty() && retries < 3) {
                        List<WriteRequest> rest = new ArrayList<>(unprocessed);
                        rest.addAll(deletes.subList(from + chunk.size(), deletes.size()));
                        return delete(rest, 0, retries + 1);
                    }
                    return delete(deletes, from + chunk.size(), retries);
                });
    }

    private record Pending(String change, CompletableFuture<Long> done) {}
}
