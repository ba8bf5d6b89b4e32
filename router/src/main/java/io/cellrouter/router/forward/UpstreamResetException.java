package io.cellrouter.router.forward;

import io.netty.handler.codec.http2.Http2Error;

/**
 * The cell ended an HTTP/2 stream: with RST_STREAM ({@code errorCode}), or by GOAWAY before it
 * processed the stream ({@code refused}: never seen by the cell, safe to send again).
 */
final class UpstreamResetException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Http2Error errorCode;
    private final boolean refused;

    UpstreamResetException(Http2Error errorCode, boolean refused, String message) {
        super(message, null, false, false);
        this.errorCode = errorCode;
        this.refused = refused;
    }

    Http2Error errorCode() {
        return errorCode;
    }

    /** True when the cell never processed the stream (REFUSED_STREAM, or above GOAWAY's last id). */
    boolean refused() {
        return refused;
    }

    /** gRPC's mapping of RST_STREAM codes (doc/PROTOCOL-HTTP2.md). */
    int grpcStatus() {
        if (refused) {
            return 14; // UNAVAILABLE
        }
        return switch (errorCode) {
            case CANCEL -> 1; // CANCELLED
            case ENHANCE_YOUR_CALM -> 8; // RESOURCE_EXHAUSTED
            case INADEQUATE_SECURITY -> 7; // PERMISSION_DENIED
            default -> 13; // INTERNAL
        };
    }
}
