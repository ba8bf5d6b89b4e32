package io.cellrouter.registry.store;

/** A conditional write lost: the item's version was not the one expected. */
public final class VersionConflictException extends RegistryException {
    private static final long serialVersionUID = 1L;

    public VersionConflictException(String message) {
        super(message);
    }

    public VersionConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
