package io.cellrouter.router.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** How the admin API shows the registry's records as JSON (answers and audit entries alike). */
final class Views {

    private Views() {}

    static ObjectNode cell(Cell cell) {
        ObjectNode node = JsonBody.JSON
                .createObjectNode()
                .put("name", cell.name())
                .put("endpoint", cell.endpoint().toString())
                .put("state", cell.state().wireName())
                .put("version", cell.version());
        if (cell.region() != null) {
            node.put("region", cell.region());
        }
        if (cell.tier() != null) {
            node.put("tier", cell.tier());
        }
        ObjectNode labels = node.putObject("labels");
        cell.labels().forEach(labels::put);
        return node;
    }

    static ObjectNode placement(Placement p) {
        return p == null
                ? null
                : JsonBody.JSON
                        .createObjectNode()
                        .put("cell", p.cell())
                        .put("version", p.version())
                        .put("updatedAt", p.updatedAt().toString());
    }

    static ObjectNode override(RoutingOverride o) {
        if (o == null) {
            return null;
        }
        ObjectNode node = JsonBody.JSON.createObjectNode();
        if (o.freeze()) {
            node.put("freeze", true);
        } else {
            node.put("cell", o.cell());
        }
        node.put("expiresAt", o.expiresAt().toString());
        if (o.reason() != null) {
            node.put("reason", o.reason());
        }
        return node;
    }

    static ObjectNode shadow(Shadow s) {
        if (s == null) {
            return null;
        }
        ObjectNode node =
                JsonBody.JSON.createObjectNode().put("toCell", s.toCell()).put("fraction", s.fraction());
        var methods = node.putArray("methods");
        s.methods().forEach(methods::add);
        node.put("expiresAt", s.expiresAt().toString());
        if (s.reason() != null) {
            node.put("reason", s.reason());
        }
        return node;
    }

    /** The customer's override if it has one that has not expired. */
    static Optional<RoutingOverride> active(List<RoutingOverride> overrides, String customer, Instant now) {
        return overrides.stream()
                .filter(o -> o.customer().equals(customer) && o.isActiveAt(now))
                .findFirst();
    }

    static Optional<Shadow> activeShadow(List<Shadow> shadows, String customer, Instant now) {
        return shadows.stream()
                .filter(s -> s.customer().equals(customer) && s.isActiveAt(now))
                .findFirst();
    }
}
