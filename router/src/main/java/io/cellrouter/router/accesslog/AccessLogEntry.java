package io.cellrouter.router.accesslog;

/**
 * One request as the access log records it; {@code detail} says why an error happened in terms
 * for the operator (the client's body says it in product terms only). Built on the event loop (cheap: no formatting), turned
 * into JSON on the writer thread.
 */
public record AccessLogEntry(
        long epochMillis,
        String remote,
        String customer,
        String cell,
        String protocol,
        String method,
        String path,
        int status,
        String error,
        String detail,
        long bytesIn,
        long bytesOut,
        long totalMicros,
        long routerMicros,
        long cellMicros,
        String requestId,
        String traceId,
        String upstream,
        String userAgent) {}
