package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.identity.Identity;
import io.cellrouter.router.metrics.RouterMetrics;
import io.cellrouter.router.transport.ClientAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the access log and the meters keep of one exchange, filled in as it goes: one per HTTP/1.1
 * connection (reused exchange after exchange) or per HTTP/2 stream. {@link #end} hands it to the
 * {@link ExchangeRecorder}.
 *
 * <p>Times are the event loop's ticker. Concurrency: confined to the exchange's event loop.
 */
final class ExchangeLog {

    /** Where the exchange came from (README: "Where a request came from"). */
    final ClientAddress client;
    /** {@code client.ip()}: the access log's {@code remote}. */
    final String remote;

    String protocol;
    long startNanos;
    long routerNanos = -1;
    /** From the request leaving for the cell to the head of the cell's final answer, or -1. */
    long cellNanos = -1;

    String method;
    String path;
    Identity identity;
    Cell cell;
    int status;
    long bytesIn;
    long bytesOut;
    String requestId;
    String traceId;
    String userAgent;
    /** The exchange became a WebSocket tunnel: its duration is the tunnel's life, not a latency. */
    boolean tunnel;
    /** The cell that answered 421 before this exchange was sent again elsewhere (misroute correction), or null. */
    String misroutedFrom;
    /** The count of requests under way at a cell that counts this exchange, or null. */
    private AtomicInteger underWay;
    /**
     * The exchange ended: a request that only then counts as gone to the cell (its head failed as
     * it was written, which ended the exchange first) is not counted, or nothing would uncount it.
     */
    private boolean ended;

    ExchangeLog(ClientAddress client, String protocol) {
        this.client = client;
        this.remote = client.ip();
        this.protocol = protocol;
    }

    /** A new exchange begins: everything of the last one is forgotten. */
    void start(long nowNanos, String requestMethod, String requestPath) {
        leaveCell();
        ended = false;
        startNanos = nowNanos;
        routerNanos = -1;
        cellNanos = -1;
        method = requestMethod;
        path = requestPath;
        identity = null;
        cell = null;
        status = 0;
        bytesIn = 0;
        bytesOut = 0;
        requestId = null;
        traceId = null;
        userAgent = null;
        tunnel = false;
        misroutedFrom = null;
    }

    /**
     * The request left for the cell ({@link #cell}): what the router added before that is its own
     * time, and the exchange counts as under way at that cell until it ends (at the new cell, once
     * misroute correction sends it there).
     */
    void forwarded(long nowNanos, RouterMetrics metrics) {
        if (ended) {
            return;
        }
        if (routerNanos < 0) {
            routerNanos = nowNanos - startNanos;
        }
        AtomicInteger atCell = metrics.cellRequestsActive(cell);
        if (atCell != underWay) {
            leaveCell();
            atCell.incrementAndGet();
            underWay = atCell;
        }
    }

    private void leaveCell() {
        if (underWay != null) {
            underWay.decrementAndGet();
            underWay = null;
        }
    }

    /**
     * The head of the cell's final answer arrived: the time since the request first left is the
     * cell's, as the router sees it (the network both ways, the cell's queue and its work; a
     * misroute correction's second trip included).
     */
    void answerHead(long nowNanos) {
        if (routerNanos >= 0 && cellNanos < 0) {
            cellNanos = nowNanos - startNanos - routerNanos;
        }
    }

    String customer() {
        return identity == null ? null : identity.customer();
    }

    /** Records the exchange: {@code error} null for a cell's answer, else the router's error code or "aborted". */
    void end(ExchangeRecorder recorder, String error, String detail, long nowNanos) {
        leaveCell();
        ended = true;
        recorder.record(this, error, detail, nowNanos - startNanos);
    }
}
