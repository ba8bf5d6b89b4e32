package io.cellrouter.registry.token;

/** A key or key file that cannot be used: unreadable, not PEM/JWK/JWKS, or a key unfit for tokens. */
public final class KeyFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KeyFileException(String message) {
        super(message);
    }

    public KeyFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
