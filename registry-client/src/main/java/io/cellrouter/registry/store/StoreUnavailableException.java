package io.cellrouter.registry.store;

/** The store could not be reached or did not answer in time. */
public final class StoreUnavailableException extends RegistryException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message) {
        super(message);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
