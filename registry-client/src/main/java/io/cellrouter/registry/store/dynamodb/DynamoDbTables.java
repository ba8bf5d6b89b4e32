package io.cellrouter.registry.store.dynamodb;

import io.cellrouter.registry.store.StoreUnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateGlobalSecondaryIndexAction;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexUpdate;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.UpdateTableRequest;

/**
 * {@code registry create-table}: the table's key, {@code pk} (hash) and {@code sk} (range), both
 * strings; on-demand billing (routers' reads are spiky at start, steady after); and one global
 * secondary index, {@value #CELL_INDEX} (hash {@code cell}, range {@code pk}, projecting
 * {@code version} and {@code updatedAt}), which only the admin API's listings by cell read
 * ({@link PlacementListing}); routing never does. No stream, no TTL.
 *
 * <p>On a table that exists without the index, the index is added ({@code UpdateTable}; DynamoDB
 * fills it in the background). A DynamoDB-compatible server that cannot add one (dynalite ignores
 * the request) leaves listings by cell on their fallback, a bounded scan; that is logged.
 */
final class DynamoDbTables {

    /** The index of placements by cell. Override items with a cell are in it too; keys tell them apart. */
    static final String CELL_INDEX = "cell-customers";

    private static final Logger log = LoggerFactory.getLogger(DynamoDbTables.class);

    /** Creating a table is not on anybody's hot path: it gets the time it needs. */
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private static final long POLL_MILLIS = 100;

    private DynamoDbTables() {}

    /**
     * Asks for the table every {@value #POLL_MILLIS} ms until it is active. (The SDK's waiter waits
     * 20 s between two questions: right for AWS, where a table takes that long; a DynamoDB-compatible
     * server is usually ready at once.)
     */
    private static CompletableFuture<Void> untilActive(DynamoDbAsyncClient client, String table, long deadline) {
        return client.describeTable(DescribeTableRequest.builder()
                        .tableName(table)
                        .overrideConfiguration(
                                config -> config.apiCallTimeout(ADMIN_TIMEOUT).apiCallAttemptTimeout(ADMIN_TIMEOUT))
                        .build())
                .handle((response, error) -> {
                    if (error == null && response.table().tableStatus() == TableStatus.ACTIVE) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    if (System.nanoTime() - deadline > 0) {
                        return CompletableFuture.<Void>failedFuture(
                                error != null
                                        ? Errors.translate(error, table, "wait for the table to be active")
                                        : new StoreUnavailableException("DynamoDB table '" + table + "' is still "
                                                + response.table().tableStatus() + " after " + ADMIN_TIMEOUT));
                    }
                    Executor later = CompletableFuture.delayedExecutor(POLL_MILLIS, TimeUnit.MILLISECONDS);
                    return CompletableFuture.supplyAsync(() -> null, later)
                            .thenCompose(ignored -> untilActive(client, table, deadline));
                })
                .thenCompose(Function.identity());
    }

    /**
     * Creates the table and waits until it is active; false when it already existed (then adds the
     * cell index when it is missing).
     */
    static CompletableFuture<Boolean> create(DynamoDbAsyncClient client, String table) {
        CreateTableRequest request = CreateTableRequest.builder()
                .tableName(table)
                .attributeDefinitions(stringAttribute(Items.PK), stringAttribute(Items.SK), stringAttribute(Items.CELL))
                .keySchema(key(Items.PK, KeyType.HASH), key(Items.SK, KeyType.RANGE))
                .globalSecondaryIndexes(cellIndex())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .build();
        return client.createTable(request.toBuilder()
                        .overrideConfiguration(
                                config -> config.apiCallTimeout(ADMIN_TIMEOUT).apiCallAttemptTimeout(ADMIN_TIMEOUT))
                        .build())
                .handle((response, error) -> {
                    if (error == null) {
                        return true;
                    }
                    if (Errors.unwrap(error) instanceof ResourceInUseException) {
                        return false;
                    }
                    throw Errors.translate(error, table, "create the table");
                })
                .thenCompose(created -> untilActive(client, table, System.nanoTime() + ADMIN_TIMEOUT.toNanos())
                        .thenCompose(active ->
                                created ? CompletableFuture.completedFuture(null) : ensureCellIndex(client, table))
                        .thenApply(ignored -> created));
    }

    /** Adds the cell index to a table made before it existed; logs what happened. */
    private static CompletableFuture<Void> ensureCellIndex(DynamoDbAsyncClient client, String table) {
        return hasCellIndex(client, table).thenCompose(present -> {
            if (present) {
                return CompletableFuture.completedFuture(null);
            }
            return client.updateTable(UpdateTableRequest.builder()
                            .tableName(table)
                            .attributeDefinitions(
                                    stringAttribute(Items.PK), stringAttribute(Items.SK), stringAttribute(Items.CELL))
                            .globalSecondaryIndexUpdates(GlobalSecondaryIndexUpdate.builder()
                                    .create(CreateGlobalSecondaryIndexAction.builder()
                                            .indexName(CELL_INDEX)
                                            .keySchema(cellIndex().keySchema())
                                            .projection(cellIndex().projection())
                                            .build())
                                    .build())
                            .overrideConfiguration(config ->
                                    config.apiCallTimeout(ADMIN_TIMEOUT).apiCallAttemptTimeout(ADMIN_TIMEOUT))
                            .build())
                    .handle((response, error) -> error)
                    .thenCompose(error -> hasCellIndex(client, table).thenAccept(added -> {
                        if (added) {
                            log.info(
                                    "DynamoDB table '{}': index {} added; DynamoDB fills it in the background",
                                    table,
                                    CELL_INDEX);
                        } else {
                            log.warn(
                                    "DynamoDB table '{}' exists without the index {} and it could not be added ({});"
                                            + " listings by cell will scan the table",
                                    table,
                                    CELL_INDEX,
                                    error == null
                                            ? "the server ignored the request"
                                            : Errors.unwrap(error).getMessage());
                        }
                    }));
        });
    }

    private static CompletableFuture<Boolean> hasCellIndex(DynamoDbAsyncClient client, String table) {
        return client.describeTable(
                        DescribeTableRequest.builder().tableName(table).build())
                .thenApply(response -> response.table().hasGlobalSecondaryIndexes()
                        && response.table().globalSecondaryIndexes().stream()
                                .anyMatch(index -> index.indexName().equals(CELL_INDEX)));
    }

    static GlobalSecondaryIndex cellIndex() {
        return GlobalSecondaryIndex.builder()
                .indexName(CELL_INDEX)
                .keySchema(key(Items.CELL, KeyType.HASH), key(Items.PK, KeyType.RANGE))
                .projection(Projection.builder()
                        .projectionType(ProjectionType.INCLUDE)
                        .nonKeyAttributes(Items.VERSION, Items.UPDATED_AT)
                        .build())
                .build();
    }

    private static AttributeDefinition stringAttribute(String name) {
        return AttributeDefinition.builder()
                .attributeName(name)
                .attributeType(ScalarAttributeType.S)
                .build();
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }
}
