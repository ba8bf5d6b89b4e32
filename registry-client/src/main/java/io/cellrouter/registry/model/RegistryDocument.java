package io.cellrouter.registry.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole registry as one document: the file store's format and what {@code registry import}
 * and {@code registry export} read and write (README: The registry document). {@code customers}
 * maps customer to cell; {@code versions} (optional, written by the file store) keeps each
 * placement's version so that conditional moves survive a reload; {@code shadows} are the
 * customers' shadow traffic (README: Migration runbook).
 */
public record RegistryDocument(
        List<Cell> cells,
        Map<String, String> customers,
        List<RoutingOverride> overrides,
        Map<String, Long> versions,
        List<Shadow> shadows) {

    public RegistryDocument {
        cells = cells == null ? List.of() : List.copyOf(cells);
        customers =
                customers == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(customers));
        overrides = overrides == null ? List.of() : List.copyOf(overrides);
        versions = versions == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(versions));
        shadows = shadows == null ? List.of() : List.copyOf(shadows);
    }

    /** A document without shadows. */
    public RegistryDocument(
            List<Cell> cells,
            Map<String, String> customers,
            List<RoutingOverride> overrides,
            Map<String, Long> versions) {
        this(cells, customers, overrides, versions, List.of());
    }

    public static RegistryDocument empty() {
        return new RegistryDocument(List.of(), Map.of(), List.of(), Map.of(), List.of());
    }

    /** This document with {@code newShadows} instead of its shadows. */
    public RegistryDocument withShadows(List<Shadow> newShadows) {
        return new RegistryDocument(cells, customers, overrides, versions, newShadows);
    }
}
