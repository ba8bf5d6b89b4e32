package io.cellrouter.registry.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A registry file belongs to its operator: the file store's writes change the tree the operator
 * wrote instead of printing a new document. The result reads back as {@code target} and otherwise
 * keeps the document's own form: its keys in their order, fields spelt out although they hold the
 * default ({@code state: active}), the position of every cell, customer and override. Items are
 * changed in place, removed where they were, and added at the end of their list or map.
 *
 * <p>What it does not keep: comments and flow style ({@code {a: b}}), which the YAML tree does not
 * hold. Versions are not written into the document at all (the file store keeps them beside it); a
 * {@code versions:} block or cell {@code version:} left by an older release is dropped at the first
 * write.
 */
public final class DocumentForm {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private DocumentForm() {}

    /** {@code original} (not changed) edited so that it holds {@code target}: a new tree. */
    public static ObjectNode apply(JsonNode original, RegistryDocument target) {
        ObjectNode root = original instanceof ObjectNode object ? object.deepCopy() : NODES.objectNode();
        root.remove("versions");
        cells(root, target.cells());
        customers(root, target.customers());
        overrides(root, target.overrides());
        shadows(root, target.shadows());
        return root;
    }

    private static void cells(ObjectNode root, List<Cell> cells) {
        Map<String, Cell> wanted = new LinkedHashMap<>();
        cells.forEach(cell -> wanted.put(cell.name(), cell));
        ArrayNode out = NODES.arrayNode();
        if (root.get("cells") instanceof ArrayNode existing) {
            for (JsonNode node : existing) {
                Cell cell = wanted.remove(node.path("name").asText(null));
                if (cell != null && node instanceof ObjectNode object) {
                    out.add(patch(object.deepCopy(), cell));
                }
            }
        }
        wanted.values().forEach(cell -> out.add(DocumentWriter.cell(cell.withVersion(0))));
        if (root.has("cells") || !out.isEmpty()) {
            root.set("cells", out);
        }
    }

    /** The operator's cell node, changed only where {@code cell} differs. */
    private static ObjectNode patch(ObjectNode node, Cell cell) {
        node.put("endpoint", cell.endpoint().toString());
        if (node.has("state") || cell.state() != CellState.ACTIVE) {
            node.put("state", cell.state().wireName());
        }
        optional(node, "region", cell.region());
        optional(node, "tier", cell.tier());
        if (!labels(node.get("labels")).equals(cell.labels())) {
            if (cell.labels().isEmpty()) {
                node.remove("labels");
            } else {
                ObjectNode labels = NODES.objectNode();
                JsonNode before = node.get("labels");
                if (before != null) {
                    before.fieldNames().forEachRemaining(name -> {
                        if (cell.labels().containsKey(name)) {
                            labels.put(name, cell.labels().get(name));
                        }
                    });
                }
                new TreeMap<>(cell.labels()).forEach(labels::put); // kept in place, new ones sorted at the end
                node.set("labels", labels);
            }
        }
        node.remove("version");
        return node;
    }

    private static void optional(ObjectNode node, String key, String value) {
        if (value == null) {
            node.remove(key);
        } else {
            node.put(key, value);
        }
    }

    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (node != null) {
            node.properties()
                    .forEach(
                            entry -> labels.put(entry.getKey(), entry.getValue().asText()));
        }
        return labels;
    }

    private static void customers(ObjectNode root, Map<String, String> customers) {
        ObjectNode out = NODES.objectNode();
        if (root.get("customers") instanceof ObjectNode existing) {
            existing.fieldNames().forEachRemaining(customer -> {
                String cell = customers.get(customer);
                if (cell != null) {
                    out.put(customer, cell);
                }
            });
        }
        customers.forEach((customer, cell) -> {
            if (!out.has(customer)) {
                out.put(customer, cell);
            }
        });
        if (root.has("customers") || !out.isEmpty()) {
            root.set("customers", out);
        }
    }

    private static void shadows(ObjectNode root, List<Shadow> shadows) {
        Map<String, Shadow> wanted = new LinkedHashMap<>();
        shadows.forEach(shadow -> wanted.put(shadow.customer(), shadow));
        ArrayNode out = NODES.arrayNode();
        if (root.get("shadows") instanceof ArrayNode existing) {
            for (JsonNode node : existing) {
                Shadow shadow = wanted.remove(node.path("customer").asText(null));
                if (shadow != null) {
                    ObjectNode written = DocumentWriter.shadow(shadow);
                    out.add(written.equals(node) ? node : written);
                }
            }
        }
        wanted.values().forEach(shadow -> out.add(DocumentWriter.shadow(shadow)));
        if (root.has("shadows") || !out.isEmpty()) {
            root.set("shadows", out);
        }
    }

    private static void overrides(ObjectNode root, List<RoutingOverride> overrides) {
        Map<String, RoutingOverride> wanted = new LinkedHashMap<>();
        overrides.forEach(override -> wanted.put(override.customer(), override));
        ArrayNode out = NODES.arrayNode();
        if (root.get("overrides") instanceof ArrayNode existing) {
            for (JsonNode node : existing) {
                RoutingOverride override = wanted.remove(node.path("customer").asText(null));
                if (override != null) {
                    ObjectNode written = DocumentWriter.override(override);
                    out.add(written.equals(node) ? node : written); // the operator's node when it says the same
                }
            }
        }
        wanted.values().forEach(override -> out.add(DocumentWriter.override(override)));
        if (root.has("overrides") || !out.isEmpty()) {
            root.set("overrides", out);
        }
    }
}
