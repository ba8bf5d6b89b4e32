/**
 * The registry's vocabulary: {@link io.cellrouter.registry.model.Cell}s, the
 * {@link io.cellrouter.registry.model.Placement} of each customer in a cell, and temporary
 * {@link io.cellrouter.registry.model.RoutingOverride}s and {@link io.cellrouter.registry.model.Shadow}s.
 * All immutable records.
 */
package io.cellrouter.registry.model;
