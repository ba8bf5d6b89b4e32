package io.cellrouter.router.forward;

import io.netty.util.concurrent.EventExecutor;

/**
 * An HTTP/1.1 client connection's exchanges as a customer's move sees them ({@link
 * MovedCustomerCloser}): the exchange is linked into its event loop's list of exchanges in flight
 * ({@link CustomerExchanges}) from the moment it has a cell to its end, and numbered, so that a
 * move that reaches the connection later does not touch the next exchange.
 *
 * <pre>
 *  routed ─▶ track (sequence + 1, linked) ─── the exchange ends ─▶ untrack
 *  move: routingChanged(sequence) ─▶ the connection ends after the current answer (unless its head
 *                                    went out keeping it: then the next request is routed anew)
 *        endForMove(sequence), grace period over ─▶ the exchange ends now (503 customer_moved, or cut short)
 * </pre>
 *
 * <p>No allocation per request: the link is this object's own, reused exchange after exchange.
 * Concurrency: one per client connection; every call on its event loop.
 */
final class Http1MoveTracker implements MovableExchange {

    /** The connection's current exchange. */
    interface Exchange {
        /** Ends the exchange under way now, because its customer moved; nothing when none is. */
        void endForMove();
    }

    private final Exchange exchange;
    /** The tracked exchange's log: its customer and cell. */
    private final ExchangeLog log;

    private final Http1KeepAlive keepAlive;
    private final CustomerExchanges registry;
    private final EventExecutor loop;
    /** This connection's node in its loop's list of exchanges in flight. */
    private final CustomerExchanges.Link link = new CustomerExchanges.Link(this);

    /** The loop's list, looked up at the first exchange that has a cell. */
    private CustomerExchanges.Loop inFlight;

    private boolean linked;
    private long sequence;
    /** What exchange {@code sequence} became when it left HTTP (a WebSocket tunnel), or null. */
    private MovableExchange successor;

    Http1MoveTracker(
            Exchange exchange,
            ExchangeLog log,
            Http1KeepAlive keepAlive,
            CustomerExchanges registry,
            EventExecutor loop) {
        this.exchange = exchange;
        this.log = log;
        this.keepAlive = keepAlive;
        this.registry = registry;
        this.loop = loop;
    }

    /** The exchange has its cell ({@code log.cell}): a move of its customer reaches it from now on. */
    void track() {
        sequence++;
        if (inFlight == null) {
            inFlight = registry.loop(loop);
        }
        inFlight.link(link);
        linked = true;
    }

    /** The exchange ended, or left HTTP: moves no longer reach it. */
    void untrack() {
        if (linked) {
            inFlight.unlink(link);
            linked = false;
        }
    }

    /**
     * The exchange left HTTP and goes on as {@code tunnel}, which moves reach from now on; a move
     * that reached the exchange before (the handshake waited for its 101 meanwhile) still ends
     * it after the grace period, through this tracker.
     */
    void handOver(MovableExchange tunnel) {
        untrack(); // the caller untracked before opening the tunnel already; once more does nothing
        successor = tunnel;
    }

    /** The number of the exchange tracked last. */
    long sequence() {
        return sequence;
    }

    /** Whether exchange {@code number} is the one tracked now. */
    boolean current(long number) {
        return number == sequence && linked;
    }

    /** The exchange in flight, as a move sees it; null when there is none with a cell. */
    @Override
    public CustomerExchanges.InFlight inFlight() {
        return linked ? new CustomerExchanges.InFlight(log.customer(), log.cell.name(), this, sequence, loop) : null;
    }

    /**
     * The customer of exchange {@code number} now routes elsewhere: the connection ends after the
     * current answer instead of carrying the next request, if the answer can still say so ({@link
     * Http1KeepAlive#closeAfterAnswerIfUnsaid}).
     */
    @Override
    public void routingChanged(long number) {
        if (current(number)) {
            keepAlive.closeAfterAnswerIfUnsaid();
        }
    }

    /**
     * The grace period after the customer's move is over and exchange {@code number} still runs on
     * the old cell: end it so that the client reconnects and reaches the new one.
     */
    @Override
    public void endForMove(long number) {
        if (current(number)) {
            exchange.endForMove();
        } else if (successor != null && number == sequence) {
            successor.endForMove(0);
        }
    }
}
