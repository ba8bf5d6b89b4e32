package io.cellrouter.router.error;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/** What a request the decoder (or a validator in front of the router) refused is answered with. */
public final class RequestErrors {

    private RequestErrors() {}

    /** The router's answer to an undecodable request: 414, 431 or 400, or a validator's own error. */
    public static RouterException decoding(Throwable cause) {
        if (cause instanceof RouterException routerException) {
            return routerException; // from a validator (Http1RequestValidator)
        }
        if (cause instanceof TooLongHttpLineException) {
            return new RouterException(ErrorCode.URI_TOO_LONG, "request line too long");
        } else if (cause instanceof TooLongHttpHeaderException) {
            return new RouterException(ErrorCode.HEADERS_TOO_LARGE, "request headers too large");
        } else if (cause instanceof TooLongFrameException) {
            return new RouterException(ErrorCode.MALFORMED_REQUEST, "request too large");
        }
        return new RouterException(
                ErrorCode.MALFORMED_REQUEST, "malformed request: " + (cause == null ? "unknown" : cause.getMessage()));
    }

    /** A failure nobody expected while routing: answered as a registry problem, logged in full by the caller. */
    public static RouterException routingFailed(Throwable cause) {
        return new RouterException(ErrorCode.REGISTRY_UNAVAILABLE, "routing failed; retry shortly")
                .withDetail(String.valueOf(cause));
    }

    /** A failure nobody expected while reading who a request is for: a bug, answered 500 and logged in full by the caller. */
    public static RouterException identifyingFailed(Throwable cause) {
        return new RouterException(ErrorCode.INTERNAL, "the router failed to read this request's identity")
                .withDetail(String.valueOf(cause));
    }
}
