package io.cellrouter.registry.store.dynamodb;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.store.CellPatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The UpdateItem of a cell: {@code SET} the fields written, {@code REMOVE} the optional ones
 * cleared, {@code ADD version 1}, answer with the whole new item. A whole cell ({@link #replace})
 * sets every field; a patch ({@link #patch}) only the fields it gives, on a cell that must exist.
 */
final class CellUpdate {

    private final Map<String, String> names = new HashMap<>();
    private final Map<String, AttributeValue> values = new HashMap<>();
    private final List<String> sets = new ArrayList<>();
    private final List<String> removes = new ArrayList<>();

    private CellUpdate() {}

    static UpdateItemRequest replace(String table, Cell cell, Instant now) {
        CellUpdate update = new CellUpdate();
        update.set(Items.ENDPOINT, Items.s(cell.endpoint().toString()));
        update.set(Items.STATE, Items.s(cell.state().wireName()));
        update.set(Items.LABELS, AttributeValue.fromM(Items.labels(cell)));
        update.set(Items.UPDATED_AT, Items.s(now.toString()));
        update.setOrRemove(Items.REGION, cell.region());
        update.setOrRemove(Items.TIER, cell.tier());
        return update.request(table, cell.name(), false);
    }

    static UpdateItemRequest patch(String table, String name, CellPatch patch, Instant now) {
        CellUpdate update = new CellUpdate();
        if (patch.endpoint() != null) {
            update.set(Items.ENDPOINT, Items.s(patch.endpoint().toString()));
        }
        if (patch.state() != null) {
            update.set(Items.STATE, Items.s(patch.state().wireName()));
        }
        if (patch.labels() != null) {
            Map<String, AttributeValue> labels = new HashMap<>();
            patch.labels().forEach((label, value) -> labels.put(label, Items.s(value)));
            update.set(Items.LABELS, AttributeValue.fromM(labels));
        }
        if (patch.region() != null) {
            update.setOrRemove(Items.REGION, patch.region().orElse(null));
        }
        if (patch.tier() != null) {
            update.setOrRemove(Items.TIER, patch.tier().orElse(null));
        }
        update.set(Items.UPDATED_AT, Items.s(now.toString()));
        return update.request(table, name, true);
    }

    private UpdateItemRequest request(String table, String name, boolean mustExist) {
        names.put("#version", Items.VERSION);
        values.put(":one", Items.n(1));
        String expression = "SET " + String.join(", ", sets) + " ADD #version :one"
                + (removes.isEmpty() ? "" : " REMOVE " + String.join(", ", removes));
        UpdateItemRequest.Builder request = UpdateItemRequest.builder()
                .tableName(table)
                .key(Items.cellKey(name))
                .updateExpression(expression)
                .returnValues(ReturnValue.ALL_NEW);
        if (mustExist) {
            names.put("#pk", Items.PK);
            request.conditionExpression("attribute_exists(#pk)");
        }
        return request.expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .build();
    }

    private void set(String attribute, AttributeValue value) {
        names.put("#" + attribute, attribute);
        values.put(":" + attribute, value);
        sets.add("#" + attribute + " = :" + attribute);
    }

    private void setOrRemove(String attribute, String value) {
        if (value == null) {
            names.put("#" + attribute, attribute);
            removes.add("#" + attribute);
        } else {
            set(attribute, Items.s(value));
        }
    }
}
