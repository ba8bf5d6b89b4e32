package io.cellrouter.router.error;

/**
 * gRPC's status codes (grpc/grpc {@code doc/statuscodes.md}), named as {@code io.grpc.Status.Code}
 * names them. The router's data plane does not depend on grpc-java (it relays gRPC as HTTP/2 frames
 * and would pull Guava in for one enum), so the codes it answers with are spelt here, once.
 */
public enum GrpcStatus {
    OK(0),
    CANCELLED(1),
    UNKNOWN(2),
    INVALID_ARGUMENT(3),
    DEADLINE_EXCEEDED(4),
    NOT_FOUND(5),
    ALREADY_EXISTS(6),
    PERMISSION_DENIED(7),
    RESOURCE_EXHAUSTED(8),
    FAILED_PRECONDITION(9),
    ABORTED(10),
    OUT_OF_RANGE(11),
    UNIMPLEMENTED(12),
    INTERNAL(13),
    UNAVAILABLE(14),
    DATA_LOSS(15),
    UNAUTHENTICATED(16);

    private final int value;

    GrpcStatus(int value) {
        this.value = value;
    }

    /** The number sent in {@code grpc-status}. */
    public int value() {
        return value;
    }
}
