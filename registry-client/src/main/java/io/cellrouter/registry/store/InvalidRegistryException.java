package io.cellrouter.registry.store;

/** A registry document or a write is invalid (bad name, bad endpoint, unknown cell). */
public final class InvalidRegistryException extends RegistryException {
    private static final long serialVersionUID = 1L;

    public InvalidRegistryException(String message) {
        super(message);
    }

    public InvalidRegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
