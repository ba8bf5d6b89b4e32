package io.cellrouter.registry.token;

/**
 * A token that must not be accepted. The message says why in a few words ("token expired",
 * "unknown key id") and is safe to show to the client: it never contains the token or a key.
 *
 * <p>No stack trace is filled: invalid tokens are what clients (and attackers) send, not bugs, and
 * the router turns this into a 401 on the event loop.
 */
public final class InvalidTokenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidTokenException(String message) {
        super(message, null, false, false);
    }
}
