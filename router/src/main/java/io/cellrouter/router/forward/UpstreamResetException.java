package io.cellrouter.router.forward;

import io.cellrouter.router.error.GrpcStatus;
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
