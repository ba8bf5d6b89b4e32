package io.cellrouter.loadtest.load;

/** Which method of {@code cellrouter.loadtest.Echo} a gRPC load calls. */
public enum GrpcCall {
    /** One call per request: {@code Echo/Unary}. */
    UNARY,
    /** One call per request, answered by several messages: {@code Echo/ServerStream}. */
    SERVER_STREAM,
    /** One long-lived {@code Echo/Bidi} stream per connection; a request is one message and its echo. */
    BIDI
}
