package io.cellrouter.registry.store;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import java.util.TreeMap;

/**
 * Turns a {@link RegistryDocument} into the tree that {@link DocumentParser} reads back. Optional
 * keys that hold their default are left out, so that a written file looks like a hand-written one.
 */
final class DocumentWriter {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private DocumentWriter() {}

    static ObjectNode toTree(RegistryDocument document) {
        ObjectNode root = NODES.objectNode();
        ArrayNode cells = root.putArray("cells");
        document.cells().forEach(cell -> cells.add(cell(cell)));
        ObjectNode customers = root.putObject("customers");
        document.customers().forEach(customers::put);
        if (!document.overrides().isEmpty()) {
            ArrayNode overrides = root.putArray("overrides");
            document.overrides().forEach(override -> overrides.add(override(override)));
        }
        if (!document.versions().isEmpty()) {
            ObjectNode versions = root.putObject("versions");
            document.versions().forEach(versions::put);
        }
        if (!document.shadows().isEmpty()) {
            ArrayNode shadows = root.putArray("shadows");
            document.shadows().forEach(shadow -> shadows.add(shadow(shadow)));
        }
        return root;
    }

    static ObjectNode cell(Cell cell) {
        ObjectNode node = NODES.objectNode();
        node.put("name", cell.name());
        node.put("endpoint", cell.endpoint().toString());
        if (cell.state() != CellState.ACTIVE) {
            node.put("state", cell.state().wireName());
        }
        if (cell.region() != null) {
            node.put("region", cell.region());
        }
        if (cell.tier() != null) {
            node.put("tier", cell.tier());
        }
        if (!cell.labels().isEmpty()) {
            ObjectNode labels = node.putObject("labels");
            // Cell copies its labels into an unordered map: sort them so that a write is stable.
            new TreeMap<>(cell.labels()).forEach(labels::put);
        }
        if (cell.version() != 0) {
            node.put("version", cell.version());
        }
        return node;
    }

    /** A shadow; {@code methods} only when they are not the default ones. */
    static ObjectNode shadow(Shadow shadow) {
        ObjectNode node = NODES.objectNode();
        node.put("customer", shadow.customer());
        node.put("toCell", shadow.toCell());
        node.put("fraction", shadow.fraction());
        if (!shadow.methods().equals(Shadow.DEFAULT_METHODS)) {
            ArrayNode methods = node.putArray("methods");
            shadow.methods().forEach(methods::add);
        }
        node.put("expiresAt", shadow.expiresAt().toString());
        if (shadow.reason() != null) {
            node.put("reason", shadow.reason());
        }
        return node;
    }

    static ObjectNode override(RoutingOverride override) {
        ObjectNode node = NODES.objectNode();
        node.put("customer", override.customer());
        if (override.freeze()) {
            node.put("freeze", true);
        } else {
            node.put("cell", override.cell());
        }
        node.put("expiresAt", override.expiresAt().toString());
        if (override.reason() != null) {
            node.put("reason", override.reason());
        }
        return node;
    }
}
