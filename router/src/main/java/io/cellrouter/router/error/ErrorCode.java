package io.cellrouter.router.error;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Every outcome that the router itself produces, with its HTTP status, its gRPC status code and
 * the {@code error} string of the JSON body (README: How a request is routed). The one table of the product.
 */
public enum ErrorCode {
    MISSING_IDENTITY(HttpResponseStatus.UNAUTHORIZED, GrpcStatus.UNAUTHENTICATED, "missing_identity", false),
    INVALID_TOKEN(HttpResponseStatus.UNAUTHORIZED, GrpcStatus.UNAUTHENTICATED, "invalid_token", false),
    UNKNOWN_CUSTOMER(HttpResponseStatus.NOT_FOUND, GrpcStatus.NOT_FOUND, "unknown_customer", false),
    CUSTOMER_FROZEN(HttpResponseStatus.SERVICE_UNAVAILABLE, GrpcStatus.UNAVAILABLE, "customer_frozen", true),
    CELL_OFFLINE(HttpResponseStatus.SERVICE_UNAVAILABLE, GrpcStatus.UNAVAILABLE, "cell_offline", true),
    REGISTRY_UNAVAILABLE(HttpResponseStatus.SERVICE_UNAVAILABLE, GrpcStatus.UNAVAILABLE, "registry_unavailable", true),
    CELL_UNREACHABLE(HttpResponseStatus.BAD_GATEWAY, GrpcStatus.UNAVAILABLE, "cell_unreachable", false),
    CELL_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, GrpcStatus.DEADLINE_EXCEEDED, "cell_timeout", false),
    /** The cell's answer is not valid HTTP (status out of range, forbidden framing, an unrequested 101...). */
    BAD_CELL_RESPONSE(HttpResponseStatus.BAD_GATEWAY, GrpcStatus.INTERNAL, "bad_cell_response", false),
    RATE_LIMITED(HttpResponseStatus.TOO_MANY_REQUESTS, GrpcStatus.RESOURCE_EXHAUSTED, "rate_limited", true),
    CELL_OVERLOADED(HttpResponseStatus.SERVICE_UNAVAILABLE, GrpcStatus.RESOURCE_EXHAUSTED, "cell_overloaded", true),
    MALFORMED_REQUEST(HttpResponseStatus.BAD_REQUEST, GrpcStatus.INTERNAL, "malformed_request", false),
    /** Two values for what an identity source reads, or a bearer credential that is not well formed: never guessed. */
    AMBIGUOUS_IDENTITY(HttpResponseStatus.BAD_REQUEST, GrpcStatus.INVALID_ARGUMENT, "ambiguous_identity", false),
    /** HTTP/x.y other than 1.0 and 1.1 on an HTTP/1 connection. */
    HTTP_VERSION_NOT_SUPPORTED(
            HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, GrpcStatus.INTERNAL, "http_version_not_supported", false),
    URI_TOO_LONG(HttpResponseStatus.REQUEST_URI_TOO_LONG, GrpcStatus.INTERNAL, "uri_too_long", false),
    HEADERS_TOO_LARGE(
            HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, GrpcStatus.INTERNAL, "headers_too_large", false),
    PAYLOAD_TOO_LARGE(
            HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, GrpcStatus.RESOURCE_EXHAUSTED, "payload_too_large", false),
    REQUEST_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT, GrpcStatus.DEADLINE_EXCEEDED, "request_timeout", false),
    SHUTTING_DOWN(HttpResponseStatus.SERVICE_UNAVAILABLE, GrpcStatus.UNAVAILABLE, "shutting_down", true),
    /** The customer moved to another cell while this exchange ran; the client retries and reaches the new one. */
    CUSTOMER_MOVED(HttpResponseStatus.SERVICE_UNAVAILABLE, GrpcStatus.UNAVAILABLE, "customer_moved", true),
    /** A WebSocket handshake for a cell that cannot take one: only http:// cells speak HTTP/1.1 Upgrade. */
    WEBSOCKET_UNSUPPORTED(HttpResponseStatus.NOT_IMPLEMENTED, GrpcStatus.UNIMPLEMENTED, "websocket_unsupported", false),
    /**
     * The cell answered 421 (this customer is not mine) and the request could not be sent to the
     * cell the registry names now: not replayable, or the registry confirms no other cell.
     */
    MISROUTED(HttpResponseStatus.MISDIRECTED_REQUEST, GrpcStatus.UNAVAILABLE, "misrouted", false),
    /** A path the proxy never forwards: the admin API lives on the admin listener only. */
    NOT_FOUND(HttpResponseStatus.NOT_FOUND, GrpcStatus.UNIMPLEMENTED, "not_found", false),

    // The admin API's refusals (its own listener; never on the proxy port).
    BAD_REQUEST(HttpResponseStatus.BAD_REQUEST, GrpcStatus.INVALID_ARGUMENT, "bad_request", false),
    UNAUTHORIZED(HttpResponseStatus.UNAUTHORIZED, GrpcStatus.UNAUTHENTICATED, "unauthorized", false),
    FORBIDDEN(HttpResponseStatus.FORBIDDEN, GrpcStatus.PERMISSION_DENIED, "forbidden", false),
    METHOD_NOT_ALLOWED(HttpResponseStatus.METHOD_NOT_ALLOWED, GrpcStatus.UNIMPLEMENTED, "method_not_allowed", false),
    VERSION_CONFLICT(HttpResponseStatus.CONFLICT, GrpcStatus.ABORTED, "version_conflict", false),
    ALREADY_THERE(HttpResponseStatus.CONFLICT, GrpcStatus.ALREADY_EXISTS, "already_there", false),
    CELL_NOT_ACTIVE(HttpResponseStatus.UNPROCESSABLE_ENTITY, GrpcStatus.FAILED_PRECONDITION, "cell_not_active", false),
    IDEMPOTENCY_KEY_REUSED(
            HttpResponseStatus.UNPROCESSABLE_ENTITY, GrpcStatus.FAILED_PRECONDITION, "idempotency_key_reused", false),
    INTERNAL(HttpResponseStatus.INTERNAL_SERVER_ERROR, GrpcStatus.INTERNAL, "internal", false);

    @SuppressWarnings("ImmutableEnumChecker") // Netty's statuses are constants, never changed
    private final HttpResponseStatus status;

    private final GrpcStatus grpcCode;
    private final String code;
    private final boolean retryAfter;

    ErrorCode(HttpResponseStatus status, GrpcStatus grpcCode, String code, boolean retryAfter) {
        this.status = status;
        this.grpcCode = grpcCode;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public HttpResponseStatus status() {
        return status;
    }

    /** The gRPC status code used in a trailers-only response. */
    public int grpcCode() {
        return grpcCode.value();
    }

    /** The {@code error} field of the JSON body and the {@code outcome} tag of metrics. */
    public String code() {
        return code;
    }

    /**
     * Whether answering this closes an HTTP/1.1 connection: the request's framing is in doubt, so
     * no later byte on the connection can be trusted to start a new request.
     */
    public boolean closesConnection() {
        return switch (this) {
            case MALFORMED_REQUEST, URI_TOO_LONG, HEADERS_TOO_LARGE, HTTP_VERSION_NOT_SUPPORTED -> true;
            default -> false;
        };
    }

    /** Whether the response carries {@code Retry-After}. */
    public boolean hasRetryAfter() {
        return retryAfter;
    }
}
