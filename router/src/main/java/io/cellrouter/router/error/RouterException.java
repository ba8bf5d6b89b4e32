package io.cellrouter.router.error;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A failure that the router answers itself: the {@link ErrorCode} fixes status and body, the
 * message is what the client reads. Stack traces are not filled: these are values, not bugs.
 */
public final class RouterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final transient Duration retryAfter;

    public RouterException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public RouterException(ErrorCode code, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.code = requireNonNull(code, "code");
        this.retryAfter = retryAfter;
    }

    public ErrorCode code() {
        return code;
    }

    /** How long the client should wait, or null for the default. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
