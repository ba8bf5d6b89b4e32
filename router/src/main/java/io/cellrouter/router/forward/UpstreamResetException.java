package io.cellrouter.router.forward;

import io.cellrouter.router.error.GrpcStatus;
import io.netty.handler.codec.http2.Http2Error;

/**
 * How a cell ended an HTTP/2 stream without its END_STREAM: with RST_STREAM ({@code errorCode}), by
 * GOAWAY before it processed the stream ({@code refused}: never seen by the cell, safe to send
 * again), or by losing the connection ({@link #connectionLost}: no RST_STREAM, no GOAWAY that
 * leaves the stream out).
 */
final class UpstreamResetException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Http2Error errorCode;
    private final boolean refused;
    private final boolean lost;
    private final boolean idleClosed;

    UpstreamResetException(Http2Error errorCode, boolean refused, String message) {
        this(errorCode, refused, false, false, message);
    }

    private UpstreamResetException(
            Http2Error errorCode, boolean refused, boolean lost, boolean idleClosed, String message) {
        super(message, null, false, false);
        this.errorCode = errorCode;
        this.refused = refused;
        this.lost = lost;
        this.idleClosed = idleClosed;
    }

    /**
     * The connection to the cell went away with the stream still open: the cell may or may not have
     * processed it, so it is not sent again; a client may retry (gRPC UNAVAILABLE).
     */
    static UpstreamResetException connectionLost(String message) {
        return new UpstreamResetException(Http2Error.INTERNAL_ERROR, false, true, false, message);
    }

    /**
     * As {@link #connectionLost}, for a reused HTTP/1.1 connection that ended before a byte of its
     * answer ({@link ReusedConnectionClosed}): an idempotent request may be sent once more.
     */
    static UpstreamResetException idleClosed(String message) {
        return new UpstreamResetException(Http2Error.INTERNAL_ERROR, false, true, true, message);
    }

    /** True when a reused HTTP/1.1 connection ended before a byte of the answer ({@link #idleClosed}). */
    boolean idleClosed() {
        return idleClosed;
    }

    Http2Error errorCode() {
        return errorCode;
    }

    /** True when the cell never processed the stream (REFUSED_STREAM, or above GOAWAY's last id). */
    boolean refused() {
        return refused;
    }

    /** True when the connection to the cell was lost, rather than the stream reset. */
    boolean lost() {
        return lost;
    }

    /** The code a client's stream is reset with when this cuts its answer short: never NO_ERROR, which reads as whole. */
    Http2Error clientCode() {
        return errorCode == Http2Error.NO_ERROR ? Http2Error.INTERNAL_ERROR : errorCode;
    }

    /**
     * gRPC's mapping of RST_STREAM codes (doc/PROTOCOL-HTTP2.md); a stream never processed, or whose
     * connection was lost before the answer, is UNAVAILABLE (what gRPC clients retry).
     */
    int grpcStatus() {
        if (refused || lost) {
            return GrpcStatus.UNAVAILABLE.value();
        }
        return switch (errorCode) {
            case CANCEL -> GrpcStatus.CANCELLED.value();
            case ENHANCE_YOUR_CALM -> GrpcStatus.RESOURCE_EXHAUSTED.value();
            case INADEQUATE_SECURITY -> GrpcStatus.PERMISSION_DENIED.value();
            default -> GrpcStatus.INTERNAL.value();
        };
    }
}
