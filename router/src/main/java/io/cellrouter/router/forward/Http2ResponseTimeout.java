package io.cellrouter.router.forward;

/**
 * One HTTP/2 exchange's wait on its cell: for the head of the answer ({@code
 * upstream.responseTimeout}), armed when the request has gone to a cell side, armed again at each
 * part of the request the cell side takes, and disarmed when the answer starts; or for more of the
 * begun answer ({@code upstream.responseBodyTimeout}), armed again at each part the cell sends or
 * takes while the client can take more. Both are disarmed when the exchange ends. gRPC streams are
 * not timed: they may be quiet for long, and their deadline is the client's {@code grpc-timeout}.
 *
 * <p>It is a place in its connection's {@link Http2ResponseDeadlines} (one per kind of wait, see
 * {@link Http2ResponseWaits}), which keeps the links and the time it falls due; made once per
 * exchange and kind that needs one.
 *
 * <p>Concurrency: owned by one exchange, on its event loop.
 */
final class Http2ResponseTimeout {

    /** The exchange's side of the timeout. */
    interface Expiry {
        /** The timeout passed while armed (the exchange decides whether it still matters). */
        void responseTimedOut();
    }

    private final Expiry exchange;

    // Kept by the connection's Http2ResponseDeadlines, while armed: the neighbours in its list and
    // when the wait ends (the loop's ticker).
    Http2ResponseTimeout previous;
    Http2ResponseTimeout next;
    long dueNanos;
    boolean armed;

    Http2ResponseTimeout(Expiry exchange) {
        this.exchange = exchange;
    }

    void expired() {
        exchange.responseTimedOut();
    }
}
