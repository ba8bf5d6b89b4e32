package io.cellrouter.loadtest.load;

import java.util.List;

/**
 * Names of the error kinds of a report. The fixed ones are always reported (zero included) so the
 * JSON has a stable shape; gRPC adds {@code grpc_<code>} for non-OK statuses other than
 * DEADLINE_EXCEEDED (a timeout) and UNAVAILABLE on a connection that never connected.
 */
public final class ErrorKind {

    /** No answer within {@code --timeout} of the intended send time (waiting in the queue included). */
    public static final String TIMEOUT = "timeout";
    /** No connection could be made. */
    public static final String CONNECT = "connect";
    /** The connection closed or the stream was reset before the answer was complete. */
    public static final String RESET = "reset";
    /** An answer with a 4xx status (still a response: its latency is recorded). */
    public static final String STATUS_4XX = "status_4xx";
    /** An answer with a 5xx status (still a response: its latency is recorded). */
    public static final String STATUS_5XX = "status_5xx";
    /** An answer that could not be parsed. */
    public static final String PROTOCOL = "protocol";

    public static final List<String> FIXED = List.of(TIMEOUT, CONNECT, RESET, STATUS_4XX, STATUS_5XX, PROTOCOL);

    private ErrorKind() {}
}
