package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.admission.Bulkheads;
import io.cellrouter.router.error.RouterException;

/**
 * One HTTP/1.1 exchange's side of a misroute correction ({@link MisrouteCorrection}): made when
 * the cell answered 421, it speaks for that exchange only. Once the exchange has ended (a move, the
 * client gone) the connection's next exchange is not waiting for it, and the decision is ignored.
 *
 * <p>Concurrency: confined to the exchange's event loop.
 */
final class Http1MisrouteCorrection implements MisrouteCorrection.Exchange {

    /** The exchange whose request the cell disowned. */
    interface Exchange {
        /** Waiting for a route: the correction's decision. */
        boolean routing();

        /** The request can be sent once more as it was ({@link Http1RequestRelay#correctable}). */
        boolean correctable();

        /** The permit the request holds now. */
        Bulkheads.Permit permit();

        /** Sends the request once more, to {@code cell}, admitted with {@code permit}. */
        void correctTo(Cell cell, Bulkheads.Permit permit);

        /** The router answers with {@code error}. */
        void fail(RouterException error);
    }

    private final Exchange exchange;
    private final Http1MoveTracker moves;
    /** Which of the connection's exchanges this is ({@link Http1MoveTracker#sequence}). */
    private final long sequence;

    Http1MisrouteCorrection(Exchange exchange, Http1MoveTracker moves) {
        this.exchange = exchange;
        this.moves = moves;
        this.sequence = moves.sequence();
    }

    @Override
    public boolean correctable() {
        return exchange.correctable();
    }

    @Override
    public boolean waiting() {
        return moves.current(sequence) && exchange.routing();
    }

    @Override
    public Bulkheads.Permit permit() {
        return exchange.permit();
    }

    @Override
    public void correctTo(Cell cell, Bulkheads.Permit admitted) {
        exchange.correctTo(cell, admitted);
    }

    @Override
    public void misrouted(RouterException error) {
        exchange.fail(error);
    }
}
