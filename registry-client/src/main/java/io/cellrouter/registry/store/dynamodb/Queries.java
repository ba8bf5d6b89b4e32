package io.cellrouter.registry.store.dynamodb;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/** Every item of one partition (the cells, the overrides), page by page, strongly consistent. */
final class Queries {

    private Queries() {}

    static CompletableFuture<List<Map<String, AttributeValue>>> all(
            DynamoDbAsyncClient client, String table, String partition, String operation) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        return page(client, table, partition, operation, null, items).thenApply(ignored -> items);
    }

    private static CompletableFuture<Void> page(
            DynamoDbAsyncClient client,
            String table,
            String partition,
            String operation,
            Map<String, AttributeValue> startKey,
            List<Map<String, AttributeValue>> items) {
        QueryRequest.Builder request = QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("#pk = :pk")
                .expressionAttributeNames(Map.of("#pk", Items.PK))
                .expressionAttributeValues(Map.of(":pk", Items.s(partition)))
                .consistentRead(true);
        if (startKey != null) {
            request.exclusiveStartKey(startKey);
        }
        return Errors.call(table, operation, () -> client.query(request.build()))
                .thenCompose(response -> {
                    items.addAll(response.items());
                    if (response.hasLastEvaluatedKey()
                            && !response.lastEvaluatedKey().isEmpty()) {
                        return page(client, table, partition, operation, response.lastEvaluatedKey(), items);
                    }
                    return CompletableFuture.completedFuture(null);
                });
    }
}
