package io.cellrouter.router.forward;

/**
 * A reused keep-alive connection to a cell ended (closed or reset) before a single byte came back
 * for the request just sent on it. The usual cause is the race every keep-alive client meets: the
 * cell closed the connection as idle while the request was on its way. The cell may also have
 * taken the request and then died, so only an idempotent request is sent again, once, on a new
 * connection (README: "Forward").
 */
final class ReusedConnectionClosed extends Exception {
    private static final long serialVersionUID = 1L;

    ReusedConnectionClosed(Throwable cause) {
        super(
                cause == null
                        ? "the cell closed a reused connection before answering"
                        : String.valueOf(cause.getMessage()),
                cause,
                false,
                false);
    }
}
