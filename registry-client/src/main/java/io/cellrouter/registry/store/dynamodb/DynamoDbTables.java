package io.cellrouter.registry.store.dynamodb;

import io.cellrouter.registry.store.StoreUnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * {@code registry create-table}: the table's only schema is its key, {@code pk} (hash) and {@code sk}
 * (range), both strings; on-demand billing (routers' reads are spiky at start, steady after). No
 * index, no stream, no TTL: the design needs none of them.
 */
final class DynamoDbTables {

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

    /** Creates the table and waits until it is active; false when it already existed. */
    static CompletableFuture<Boolean> create(DynamoDbAsyncClient client, String table) {
        CreateTableRequest request = CreateTableRequest.builder()
                .tableName(table)
                .attributeDefinitions(
                        AttributeDefinition.builder()
                                .attributeName(Items.PK)
                                .attributeType(ScalarAttributeType.S)
                                .build(),
                        AttributeDefinition.builder()
                                .attributeName(Items.SK)
                                .attributeType(ScalarAttributeType.S)
                                .build())
                .keySchema(
                        KeySchemaElement.builder()
                                .attributeName(Items.PK)
                                .keyType(KeyType.HASH)
                                .build(),
                        KeySchemaElement.builder()
                                .attributeName(Items.SK)
                                .keyType(KeyType.RANGE)
                                .build())
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
                        .thenApply(active -> created));
    }
}
