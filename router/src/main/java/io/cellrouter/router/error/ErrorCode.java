package io.cellrouter.router.error;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Every outcome that the router itself produces, with its HTTP status, its gRPC status code and
 * the {@code error} string of the JSON body (README "Answers the router gives itself"). The one
 * table of the product.
 */
public enum ErrorCode {
    MISSING_IDENTITY(HttpResponseStatus.UNAUTHORIZED, 16, "missing_identity", false),
    INVALID_TOKEN(HttpResponseStatus.UNAUTHORIZED, 16, "invalid_token", false),
    UNKNOWN_CUSTOMER(HttpResponseStatus.NOT_FOUND, 5, "unknown_customer", false),
    CUSTOMER_FROZEN(HttpResponseStatus.SERVICE_UNAVAILABLE, 14, "customer_frozen", true),
    CELL_OFFLINE(HttpResponseStatus.SERVICE_UNAVAILABLE, 14, "cell_offline", true),
    REGISTRY_UNAVAILABLE(HttpResponseStatus.SERVICE_UNAVAILABLE, 14, "registry_unavailable", true),
    CELL_UNREACHABLE(HttpResponseStatus.BAD_GATEWAY, 14, "cell_unreachable", false),
    CELL_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, 4, "cell_timeout", false),
    /** The cell's answer is not valid HTTP (status out of range, forbidden framing, an unrequested 101...). */
    BAD_CELL_RESPONSE(HttpResponseStatus.BAD_GATEWAY, 13, "bad_cell_response", false),
    RATE_LIMITED(HttpResponseStatus.TOO_MANY_REQUESTS, 8, "rate_limited", true),
    CELL_OVERLOADED(HttpResponseStatus.SERVICE_UNAVAILABLE, 8, "cell_overloaded", true),
    MALFORMED_REQUEST(HttpResponseStatus.BAD_REQUEST, 13, "malformed_request", false),
    /** Two values for what an identity source reads, or a bearer credential that is not well formed: never guessed. */
    AMBIGUOUS_IDENTITY(HttpResponseStatus.BAD_REQUEST, 3, "ambiguous_identity", false),
    /** HTTP/x.y other than 1.0 and 1.1 on an HTTP/1 connection. */
    HTTP_VERSION_NOT_SUPPORTED(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, 13, "http_version_not_supported", false),
    URI_TOO_LONG(HttpResponseStatus.REQUEST_URI_TOO_LONG, 13, "uri_too_long", false),
    HEADERS_TOO_LARGE(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, 13, "headers_too_large", false),
    PAYLOAD_TOO_LARGE(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, 8, "payload_too_large", false),
    REQUEST_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT, 4, "request_timeout", false),
    SHUTTING_DOWN(HttpResponseStatus.SERVICE_UNAVAILABLE, 14, "shutting_down", true),
    /** The customer moved to another cell while this exchange ran; the client retries and reaches the new one. */
    CUSTOMER_MOVED(HttpResponseStatus.SERVICE_UNAVAILABLE, 14, "customer_moved", true),
    /**
     * The cell answered 421 (this customer is not mine) and the request could not be sent to the
     * cell the registry names now: not replayable, or the registry confirms no other cell.
     */
    MISROUTED(HttpResponseStatus.MISDIRECTED_REQUEST, 14, "misrouted", false),
    /** A path the proxy never forwards: the admin API lives on the admin listener only. */
    NOT_FOUND(HttpResponseStatus.NOT_FOUND, 12, "not_found", false);

    private final HttpResponseStatus status;
    private final int grpcCode;
    private final String code;
    private final boolean retryAfter;

    ErrorCode(HttpResponseStatus status, int grpcCode, String code, boolean retryAfter) {
        this.status = status;
        this.grpcCode = grpcCode;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public HttpResponseStatus status() {
        return status;
    }

    /** The gRPC status code (io.grpc.Status.Code value) used in a trailers-only response. */
    public int grpcCode() {
        return grpcCode;
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
