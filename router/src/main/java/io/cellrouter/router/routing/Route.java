package io.cellrouter.router.routing;

import io.cellrouter.registry.cache.Resolution;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.identity.Identity;

/** A routing decision that forwards: who the customer is and which cell serves it. */
public record Route(Identity identity, Cell cell, Resolution.Source source) {}
