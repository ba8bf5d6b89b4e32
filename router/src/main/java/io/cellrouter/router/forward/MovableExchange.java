package io.cellrouter.router.forward;

/**
 * An exchange in flight as a move sees it ({@link CustomerExchanges}, {@link MovedCustomerCloser}):
 * an HTTP/1.1 exchange or one HTTP/2 stream. Called on the exchange's own event loop.
 */
interface MovableExchange {

    /** The exchange in flight now, or null when it has no cell. */
    CustomerExchanges.InFlight inFlight();

    /** The customer's routing moved away from exchange {@code sequence}'s cell (the grace period starts). */
    void routingChanged(long sequence);

    /** The grace period is over and exchange {@code sequence} still runs on the old cell: end it. */
    void endForMove(long sequence);
}
