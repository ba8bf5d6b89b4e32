package io.cellrouter.router.accesslog;

/**
 * One request as the access log records it. Built on the event loop (cheap: no formatting), turned
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
        long bytesIn,
        long bytesOut,
        long totalMicros,
        long routerMicros) {}
