package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.netty.channel.ConnectTimeoutException;
import java.time.Duration;

/**
 * What the router answers when an exchange's cell side fails before the cell's answer began (or
 * says when it cuts a begun answer short), for both client protocols ({@link Http2Exchange},
 * {@link Http1CellConnector}, {@link Http1ResponseTimeout}); and, when the wait for an answer runs
 * out while the cell is still waiting for the request's body, that the client stalled. The client
 * reads the message, in product terms; the access log also gets the detail (the socket error, the
 * reset code).
 */
final class CellErrors {

    private CellErrors() {}

    /** No cell side could be opened: the pool's own refusal as it is, else {@code cell_unreachable}. */
    static RouterException unreachable(Cell cell, Throwable cause) {
        if (cause instanceof RouterException refused) {
            return refused;
        }
        String why = cause instanceof ConnectTimeoutException
                ? "connect timed out"
                : cause.getMessage() != null ? cause.getMessage() : String.valueOf(cause);
        return new RouterException(ErrorCode.CELL_UNREACHABLE, "cell " + cell.name() + " is unreachable")
                .withDetail(why);
    }

    /** The cell ended the stream before its answer began (reset, GOAWAY, connection lost). */
    static RouterException closedEarly(Cell cell, String why) {
        return new RouterException(
                        ErrorCode.CELL_UNREACHABLE, "cell " + cell.name() + " closed the stream before responding")
                .withDetail(why);
    }

    /**
     * The cell side threw instead of taking the request head: nothing of the request reached the
     * cell, and none will (the exchange ends).
     */
    static RouterException headNotSent(Cell cell, RuntimeException cause) {
        return new RouterException(ErrorCode.CELL_UNREACHABLE, "the request could not be sent to cell " + cell.name())
                .withDetail(String.valueOf(cause));
    }

    /** The cell's answer is not valid HTTP. */
    static RouterException badResponse(Cell cell, String why) {
        return new RouterException(ErrorCode.BAD_CELL_RESPONSE, "cell " + cell.name() + " sent an invalid response")
                .withDetail(why);
    }

    /** The cell's answer, begun, went quiet for {@code timeout} while the client could take more. */
    static RouterException stalled(Cell cell, Duration timeout) {
        return new RouterException(
                ErrorCode.CELL_TIMEOUT,
                "cell " + cell.name() + " sent nothing more of its response for " + timeout.toMillis() + " ms");
    }

    /**
     * The wait for the answer ran out while the cell was waiting for the rest of the request, which
     * the router was ready to pass on: the client stopped sending its body, not the cell answering.
     */
    static RouterException requestStalled(Duration timeout) {
        return new RouterException(
                        ErrorCode.REQUEST_TIMEOUT,
                        "the client sent nothing more of its request body for " + timeout.toMillis() + " ms")
                .withDetail("proxy.upstream.responseTimeout ran out while the cell waited for the request body");
    }

    /** The cell did not begin its answer within {@code timeout}. */
    static RouterException timedOut(Cell cell, Duration timeout) {
        return new RouterException(
                        ErrorCode.CELL_TIMEOUT,
                        "cell " + cell.name() + " did not answer within " + timeout.toMillis() + " ms")
                .withDetail("proxy.upstream.responseTimeout ran out before the cell's response head");
    }
}
