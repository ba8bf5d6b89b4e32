package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.accesslog.AccessLog;
import io.cellrouter.router.accesslog.AccessLogEntry;
import io.cellrouter.router.metrics.LiveStats;
import io.cellrouter.router.metrics.RouterMetrics;
import java.time.Clock;

/** Records a finished exchange: the request meters, and one access-log line (asynchronously). */
public final class ExchangeRecorder {

    private final RouterMetrics metrics;
    private final AccessLog accessLog;
    private final Clock clock;
    private final LiveStats live;

    /** {@code accessLog} may be null when the access log is disabled. */
    public ExchangeRecorder(RouterMetrics metrics, AccessLog accessLog, Clock clock) {
        this(metrics, accessLog, clock, new LiveStats(clock::millis));
    }

    /** {@code live}: this instance's per-cell traffic of the last seconds (the admin API's stats). */
    public ExchangeRecorder(RouterMetrics metrics, AccessLog accessLog, Clock clock, LiveStats live) {
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.clock = clock;
        this.live = live;
    }

    public RouterMetrics metrics() {
        return metrics;
    }

    void record(ExchangeLog log, String error, String detail, long totalNanos) {
        Cell cell = log.cell;
        int status = log.status;
        String outcome = error != null ? error : statusClass(status);
        if (log.tunnel) {
            // A tunnel's duration is how long it was open: kept apart from the request latencies.
            metrics.requestCompleted(cell, log.protocol, outcome, -1, log.routerNanos, -1);
            metrics.tunnelEnded(cell, totalNanos);
        } else {
            metrics.requestCompleted(cell, log.protocol, outcome, totalNanos, log.routerNanos, log.cellNanos);
        }
        if (cell != null && !log.tunnel) {
            live.record(cell.name(), status, error != null && (status == 0 || error.equals("aborted")), totalNanos);
        }
        if (accessLog != null) {
            String path = log.path;
            int query = path == null ? -1 : path.indexOf('?');
            accessLog.log(new AccessLogEntry(
                    clock.millis(),
                    log.remote,
                    log.customer(),
                    cell == null ? null : cell.name(),
                    log.protocol,
                    log.method,
                    query < 0 ? path : path.substring(0, query),
                    status,
                    error,
                    detail,
                    log.bytesIn,
                    log.bytesOut,
                    totalNanos / 1000,
                    micros(log.routerNanos),
                    micros(log.cellNanos),
                    log.requestId,
                    log.traceId,
                    // Only when the request left for the cell: the address it went to.
                    cell == null || log.routerNanos < 0 ? null : cell.endpoint().getAuthority(),
                    log.userAgent));
        }
    }

    /** Counts a request the router refused before it became an exchange (e.g. a slow head: 408). */
    public void rejected(String protocol, String error) {
        metrics.requestCompleted(null, protocol, error, 0, -1, -1);
    }

    /** Nanoseconds as microseconds; a part that did not happen (negative) stays -1. */
    private static long micros(long nanos) {
        return nanos < 0 ? -1 : nanos / 1000;
    }

    static String statusClass(int status) {
        return switch (status / 100) {
            case 1 -> "1xx";
            case 2 -> "2xx";
            case 3 -> "3xx";
            case 4 -> "4xx";
            case 5 -> "5xx";
            default -> "other";
        };
    }
}
