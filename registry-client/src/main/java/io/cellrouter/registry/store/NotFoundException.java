package io.cellrouter.registry.store;

/** A write referred to an item (a cell, a placement, an override) that does not exist. */
public final class NotFoundException extends RegistryException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }

    public NotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
