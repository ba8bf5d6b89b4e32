package io.cellrouter.registry.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.Endpoints;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks a parsed YAML/JSON tree into a {@link RegistryDocument}, checking every key and value on the
 * way so that an error names the exact key ({@code cells[1].endpoint}) and the value found there.
 * The format is described on {@link RegistryDocuments}.
 */
final class DocumentParser {

    private static final List<String> TOP_KEYS = List.of("cells", "customers", "overrides", "versions", "shadows");
    private static final List<String> CELL_KEYS =
            List.of("name", "endpoint", "state", "region", "tier", "labels", "version");
    private static final List<String> OVERRIDE_KEYS = List.of("customer", "cell", "freeze", "expiresAt", "reason");
    private static final List<String> SHADOW_KEYS =
            List.of("customer", "toCell", "fraction", "methods", "expiresAt", "reason");

    private final String source;
    /** Every problem found so far: parsing goes on after one, item by item, to report them all. */
    private final List<InvalidRegistryException> problems = new ArrayList<>();
    /** A document to be merged: its references to cells are checked against the registry later. */
    private final boolean partial;

    DocumentParser(String source, boolean partial) {
        this.source = source;
        this.partial = partial;
    }

    RegistryDocument parse(JsonNode root) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new InvalidRegistryException(source + ": the document is empty (write {} for an empty registry)");
        }
        if (!root.isObject()) {
            throw error("(document)", "must be a mapping of " + TOP_KEYS, root);
        }
        attempt(() -> checkKeys(root, "", TOP_KEYS));
        List<Cell> cells = cells(root.path("cells"));
        // References are checked against every cell written, even one with a bad endpoint: its
        // problem is reported once, not again for each of its customers.
        Set<String> cellNames = new HashSet<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < root.path("cells").size(); i++) {
            String name = root.path("cells").get(i).path("name").asText(null);
            if (name != null) {
                cellNames.add(name);
                if (!seen.add(name)) {
                    problems.add(error("cells[" + i + "].name", "is a duplicate cell", name));
                }
            }
        }
        Map<String, String> customers = customers(root.path("customers"), cellNames);
        List<RoutingOverride> overrides = overrides(root.path("overrides"), cellNames);
        Map<String, Long> versions = versions(root.path("versions"), customers);
        List<Shadow> shadows = shadows(root.path("shadows"), cellNames);
        if (!problems.isEmpty()) {
            throw InvalidRegistryException.of(problems);
        }
        return new RegistryDocument(cells, customers, overrides, versions, shadows);
    }

    /** Runs one step; its problem is recorded and parsing goes on. */
    private void attempt(Runnable step) {
        try {
            step.run();
        } catch (InvalidRegistryException e) {
            problems.add(e);
        }
    }

    private List<Cell> cells(JsonNode node) {
        List<Cell> cells = new ArrayList<>();
        if (isAbsent(node)) {
            return cells;
        }
        if (!node.isArray()) {
            problems.add(error("cells", "must be a list of cells", node));
            return cells;
        }
        for (int i = 0; i < node.size(); i++) {
            String path = "cells[" + i + "]";
            JsonNode item = node.get(i);
            attempt(() -> cells.add(cell(item, path)));
        }
        return cells;
    }

    private Cell cell(JsonNode node, String path) {
        if (!node.isObject()) {
            throw error(path, "must be a mapping with " + CELL_KEYS, node);
        }
        checkKeys(node, path + ".", CELL_KEYS);
        String name = name(node.path("name"), path + ".name");
        URI endpoint = endpoint(node.path("endpoint"), path + ".endpoint");
        CellState state = isAbsent(node.path("state")) ? CellState.ACTIVE : state(node.path("state"), path + ".state");
        String region = optionalName(node.path("region"), path + ".region");
        String tier = optionalName(node.path("tier"), path + ".tier");
        Map<String, String> labels = labels(node.path("labels"), path + ".labels");
        long version = isAbsent(node.path("version")) ? 0 : number(node.path("version"), path + ".version", 0);
        return new Cell(name, endpoint, state, region, tier, labels, version);
    }

    private Map<String, String> customers(JsonNode node, Set<String> cellNames) {
        Map<String, String> customers = new LinkedHashMap<>();
        if (isAbsent(node)) {
            return customers;
        }
        if (!node.isObject()) {
            problems.add(error("customers", "must be a mapping of customer to cell", node));
            return customers;
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String path = "customers." + entry.getKey();
            attempt(() -> {
                checkName(entry.getKey(), "customers", "customer id");
                String cell = text(entry.getValue(), path);
                checkCellExists(cell, cellNames, path);
                customers.put(entry.getKey(), cell);
            });
        }
        return customers;
    }

    private List<RoutingOverride> overrides(JsonNode node, Set<String> cellNames) {
        List<RoutingOverride> overrides = new ArrayList<>();
        if (isAbsent(node)) {
            return overrides;
        }
        if (!node.isArray()) {
            problems.add(error("overrides", "must be a list of overrides", node));
            return overrides;
        }
        Set<String> customers = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "overrides[" + i + "]";
            JsonNode item = node.get(i);
            attempt(() -> {
                RoutingOverride override = override(item, path, cellNames);
                if (!customers.add(override.customer())) {
                    throw error(path + ".customer", "has a second override (one per customer)", override.customer());
                }
                overrides.add(override);
            });
        }
        return overrides;
    }

    private RoutingOverride override(JsonNode node, String path, Set<String> cellNames) {
        if (!node.isObject()) {
            throw error(path, "must be a mapping with " + OVERRIDE_KEYS, node);
        }
        checkKeys(node, path + ".", OVERRIDE_KEYS);
        String customer = name(node.path("customer"), path + ".customer");
        String cell = isAbsent(node.path("cell")) ? null : name(node.path("cell"), path + ".cell");
        boolean freeze = !isAbsent(node.path("freeze")) && bool(node.path("freeze"), path + ".freeze");
        if (freeze == (cell != null)) {
            throw error(path, "must have either a cell or freeze: true, not both or neither", node);
        }
        if (cell != null) {
            checkCellExists(cell, cellNames, path + ".cell");
        }
        Instant expiresAt = instant(node.path("expiresAt"), path + ".expiresAt");
        String reason = isAbsent(node.path("reason")) ? null : text(node.path("reason"), path + ".reason");
        return new RoutingOverride(customer, cell, freeze, expiresAt, reason);
    }

    private List<Shadow> shadows(JsonNode node, Set<String> cellNames) {
        List<Shadow> shadows = new ArrayList<>();
        if (isAbsent(node)) {
            return shadows;
        }
        if (!node.isArray()) {
            problems.add(error("shadows", "must be a list of shadows", node));
            return shadows;
        }
        Set<String> customers = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "shadows[" + i + "]";
            JsonNode item = node.get(i);
            attempt(() -> {
                Shadow shadow = shadow(item, path, cellNames);
                if (!customers.add(shadow.customer())) {
                    throw error(path + ".customer", "has a second shadow (one per customer)", shadow.customer());
                }
                shadows.add(shadow);
            });
        }
        return shadows;
    }

    private Shadow shadow(JsonNode node, String path, Set<String> cellNames) {
        if (!node.isObject()) {
            throw error(path, "must be a mapping with " + SHADOW_KEYS, node);
        }
        checkKeys(node, path + ".", SHADOW_KEYS);
        String customer = name(node.path("customer"), path + ".customer");
        String toCell = name(node.path("toCell"), path + ".toCell");
        checkCellExists(toCell, cellNames, path + ".toCell");
        JsonNode fractionNode = node.path("fraction");
        if (fractionNode.isMissingNode()) {
            throw new InvalidRegistryException(source + ": " + path + ".fraction: is required");
        }
        if (!fractionNode.isNumber() || !(fractionNode.doubleValue() > 0 && fractionNode.doubleValue() <= 1)) {
            throw error(path + ".fraction", "must be a number above 0 and at most 1", fractionNode);
        }
        List<String> methods = new ArrayList<>();
        JsonNode methodsNode = node.path("methods");
        if (!isAbsent(methodsNode)) {
            if (!methodsNode.isArray() || methodsNode.isEmpty()) {
                throw error(path + ".methods", "must be a non-empty list of HTTP methods", methodsNode);
            }
            for (int i = 0; i < methodsNode.size(); i++) {
                methods.add(text(methodsNode.get(i), path + ".methods[" + i + "]"));
            }
        }
        Instant expiresAt = instant(node.path("expiresAt"), path + ".expiresAt");
        String reason = isAbsent(node.path("reason")) ? null : text(node.path("reason"), path + ".reason");
        try {
            return new Shadow(customer, toCell, fractionNode.doubleValue(), methods, expiresAt, reason);
        } catch (IllegalArgumentException e) {
            throw error(path + ".methods", "must be HTTP method names like GET", methodsNode);
        }
    }

    private Map<String, Long> versions(JsonNode node, Map<String, String> customers) {
        Map<String, Long> versions = new LinkedHashMap<>();
        if (isAbsent(node)) {
            return versions;
        }
        if (!node.isObject()) {
            problems.add(error("versions", "must be a mapping of customer to placement version", node));
            return versions;
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String path = "versions." + entry.getKey();
            attempt(() -> {
                if (!customers.containsKey(entry.getKey())) {
                    throw error(path, "names a customer that is not in customers", entry.getKey());
                }
                versions.put(entry.getKey(), number(entry.getValue(), path, 1));
            });
        }
        return versions;
    }

    private Map<String, String> labels(JsonNode node, String path) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (isAbsent(node)) {
            return labels;
        }
        if (!node.isObject()) {
            throw error(path, "must be a mapping of label to string", node);
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String problem = Cell.labelNameProblem(entry.getKey());
            if (problem != null) {
                throw error(path, problem, entry.getKey());
            }
            labels.put(entry.getKey(), text(entry.getValue(), path + "." + entry.getKey()));
        }
        return labels;
    }

    private URI endpoint(JsonNode node, String path) {
        String value = text(node, path);
        String problem = Endpoints.problem(value, Endpoints.CELL);
        if (problem != null) {
            throw error(path, problem, value);
        }
        return URI.create(value);
    }

    private CellState state(JsonNode node, String path) {
        String value = text(node, path);
        try {
            return CellState.parse(value);
        } catch (IllegalArgumentException e) {
            throw error(path, "must be one of active, draining, offline", value);
        }
    }

    private Instant instant(JsonNode node, String path) {
        String value = text(node, path);
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw error(path, "must be a date-time with a zone, like 2026-12-01T00:00:00Z", value);
        }
    }

    private boolean bool(JsonNode node, String path) {
        if (!node.isBoolean()) {
            throw error(path, "must be true or false", node);
        }
        return node.booleanValue();
    }

    private long number(JsonNode node, String path, long minimum) {
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw error(path, "must be a whole number", node);
        }
        long value = node.longValue();
        if (value < minimum) {
            throw error(path, "must be at least " + minimum, node);
        }
        return value;
    }

    private String name(JsonNode node, String path) {
        String value = text(node, path);
        checkName(value, path, "name");
        return value;
    }

    private String optionalName(JsonNode node, String path) {
        return isAbsent(node) ? null : name(node, path);
    }

    private String text(JsonNode node, String path) {
        if (node.isMissingNode()) {
            throw new InvalidRegistryException(source + ": " + path + ": is required");
        }
        if (!node.isTextual()) {
            throw error(path, "must be a string (quote numbers and booleans)", node);
        }
        return node.textValue();
    }

    private void checkName(String value, String path, String what) {
        String problem = Cell.nameProblem(value);
        if (problem != null) {
            throw error(path, what + " " + problem, value);
        }
    }

    private void checkCellExists(String cell, Set<String> cellNames, String path) {
        if (!partial && !cellNames.contains(cell)) {
            throw error(path, "names a cell that is not in cells", cell);
        }
    }

    private void checkKeys(JsonNode node, String prefix, List<String> allowed) {
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String key = entry.getKey();
            if (!allowed.contains(key)) {
                throw error(prefix + key, "unknown key (allowed: " + String.join(", ", allowed) + ")", key);
            }
        }
    }

    private static boolean isAbsent(JsonNode node) {
        return node.isMissingNode() || node.isNull();
    }

    private InvalidRegistryException error(String path, String problem, Object value) {
        String shown = value instanceof JsonNode node && node.isTextual() ? node.textValue() : String.valueOf(value);
        return new InvalidRegistryException(source + ": " + path + ": " + problem + ", was '" + shown + "'");
    }
}
