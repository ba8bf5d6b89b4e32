package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.admission.Bulkheads;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.identity.RequestHead;
import io.netty.util.concurrent.EventExecutor;

/**
 * Where one HTTP/2 client stream ({@link Http2Exchange}) goes: its cell, the bulkhead permit that
 * admitted it there, and what may send it elsewhere afterwards.
 *
 * <pre>
 *  RouteStep (identity, resolve, admit) ─▶ routed: the cell and its permit; tracked in flight
 *                                       └▶ refused: the router's answer
 *  the cell answers 421 ─▶ MisrouteCorrection ─▶ corrected: another cell and permit, the request once more
 *                                             └▶ misrouted: the router's 421
 *  the customer moves (CustomerExchanges) ─▶ after the grace period, the exchange is ended
 * </pre>
 *
 * <p>The permit is released, and the stream's link leaves its event loop's list of exchanges in
 * flight, once, when the exchange ends ({@link #end}).
 *
 * <p>Concurrency: owned by one exchange, on its event loop; the resolver's and the registry's
 * answers are handed back to it.
 */
final class Http2Route implements RouteStep.Outcome, MisrouteCorrection.Exchange, MovableExchange {

    /** The exchange's side of its route. */
    interface Exchange {
        /** Still waiting for a cell (routing, or a misroute's correction); false once it ended. */
        boolean routing();

        /** The exchange has ended. */
        boolean done();

        /** Routed and admitted to {@link Http2Route#cell}: the request goes there. */
        void routed();

        /** The request goes once more, to the cell corrected to (its head already says which); {@code fresh}: see Http2Exchange. */
        void connect(boolean fresh);

        /** Answers with the router's own {@code error} ({@code grpcStatus} -1: the code's own). */
        void fail(RouterException error, int grpcStatus);

        /** A move's grace period is over while the exchange still runs on the old cell. */
        void movedAway();
    }

    private final Exchange exchange;
    private final Http2RequestRelay request;
    private final ProxyContext context;
    private final ExchangeLog log;
    private final int streamId;
    private final EventExecutor loop;
    private final CustomerExchanges.Link inFlightLink = new CustomerExchanges.Link(this);

    private CustomerExchanges.Loop exchanges;
    private Cell cell;
    private Bulkheads.Permit permit;

    Http2Route(
            Exchange exchange,
            Http2RequestRelay request,
            ProxyContext context,
            ExchangeLog log,
            int streamId,
            EventExecutor loop) {
        this.exchange = exchange;
        this.request = request;
        this.context = context;
        this.log = log;
        this.streamId = streamId;
        this.loop = loop;
    }

    /** The cell the stream goes to, once routed (null before). */
    Cell cell() {
        return cell;
    }

    /** Routes the request {@code head}: the exchange hears {@link Exchange#routed} or its refusal. */
    void start(RequestHead head) {
        RouteStep.start(context, head, log, loop, this);
    }

    @Override
    public boolean routing() {
        return exchange.routing();
    }

    @Override
    public void routed(Bulkheads.Permit admitted) {
        permit = admitted;
        cell = log.cell;
        exchanges = context.exchanges().loop(loop);
        exchanges.link(inFlightLink);
        exchange.routed();
    }

    @Override
    public void refused(RouterException error) {
        exchange.fail(error, -1);
    }

    // ----- misroute correction (MisrouteCorrection) -----

    /** The cell answered 421 ({@code owner}: the cell it named, or null): the registry decides again. */
    void misdirected(CharSequence owner) {
        context.migration().misroutes().misdirected(this, log, owner, loop);
    }

    @Override
    public boolean correctable() {
        return request.correctable();
    }

    @Override
    public boolean waiting() {
        return exchange.routing() && permit != null;
    }

    @Override
    public Bulkheads.Permit permit() {
        return permit;
    }

    @Override
    public void correctTo(Cell newCell, Bulkheads.Permit admitted) {
        permit.release();
        permit = admitted;
        cell = newCell;
        log.cell = newCell;
        request.resendTo(newCell);
        exchange.connect(false); // the replay holds the body: the request is sent as it was
    }

    @Override
    public void misrouted(RouterException error) {
        exchange.fail(error, -1);
    }

    // ----- moves (CustomerExchanges) -----

    @Override
    public CustomerExchanges.InFlight inFlight() {
        return exchange.done() || cell == null || log.identity == null
                ? null
                : new CustomerExchanges.InFlight(log.customer(), cell.name(), this, streamId, loop);
    }

    @Override
    public void routingChanged(long sequence) {
        // An HTTP/2 stream carries one exchange: nothing to do before the grace period ends.
    }

    @Override
    public void endForMove(long sequence) {
        if (!exchange.done() && sequence == streamId) {
            exchange.movedAway();
        }
    }

    /** The exchange ended: the permit is released, the stream no longer in flight. */
    void end() {
        if (exchanges != null) {
            exchanges.unlink(inFlightLink);
        }
        if (permit != null) {
            permit.release();
            permit = null;
        }
    }
}
