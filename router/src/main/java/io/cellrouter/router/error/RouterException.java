package io.cellrouter.router.error;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A failure that the router answers itself: the {@link ErrorCode} fixes status and body, the
 * message is what the client reads (in product terms: never an address, a socket error or a
 * secret), the optional {@link #detail} what the operator reads in the access log. Stack traces are not filled: these are values, not bugs.
 */
public final class RouterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final transient Duration retryAfter;
    private final String detail;

    public RouterException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public RouterException(ErrorCode code, String message, Duration retryAfter) {
        this(code, message, retryAfter, null);
    }

    private RouterException(ErrorCode code, String message, Duration retryAfter, String detail) {
        super(message, null, false, false);
        this.code = requireNonNull(code, "code");
        this.retryAfter = retryAfter;
        this.detail = detail;
    }

    /**
     * The same failure with what the operator should know (a socket error, an address) that the
     * client must not see: it goes to the access log, never into a response body.
     */
    public RouterException withDetail(String operatorDetail) {
        return new RouterException(code, getMessage(), retryAfter, operatorDetail);
    }

    /** The operator's side of the story, or null. */
    public String detail() {
        return detail;
    }

    public ErrorCode code() {
        return code;
    }

    /** How long the client should wait, or null for the default. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
