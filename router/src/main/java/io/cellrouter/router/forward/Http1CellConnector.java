package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;

/**
 * The cell side of an HTTP/1.1 client's exchange: gets it once the exchange is routed, holds it
 * while the request and the answer pass, and lets it go.
 *
 * <pre>
 *  routed ─▶ connect ─ pool: an idle HTTP/1.1 connection, a new one, or a stream on an HTTP/2 connection
 *                    └ WebSocket handshake: a connection of its own (UpgradeLeg)
 *            ├ ready (now, or later on this loop) ─▶ the exchange's connected(leg)
 *            ├ refused by the pool (RouterException) ─▶ that error
 *            └ failed ─▶ 502 cell_unreachable ("connect timed out", or the cause)
 *  the leg ─▶ finish (reusable: back to the pool) │ abandon (closed, or the stream reset) │ take (a tunnel)
 * </pre>
 *
 * <p>A cell side that is ready after its exchange stopped waiting for it (the exchange ended) is
 * finished unused. This object is the listener of every acquisition: nothing is allocated per
 * request.
 *
 * <p>Concurrency: one per client connection, confined to its event loop (the pool completes on it).
 */
final class Http1CellConnector implements FutureListener<CellLeg> {

    /** The exchange a cell side is for. */
    interface Exchange {
        /** Still waiting for its cell side. */
        boolean connecting();

        /** The cell side is ready: it is {@link #leg()} from now on. */
        void connected(CellLeg leg);

        /** No cell side: the router answers with {@code error}. */
        void fail(RouterException error);
    }

    /** Where cell sides come from. */
    interface Source {
        /** A cell side on {@code cell} whose answer goes to {@code answer}; {@code upgrade}: for a WebSocket handshake. */
        Future<CellLeg> open(Cell cell, EventLoop loop, UpstreamListener answer, boolean upgrade);

        /** A cell side on a connection opened for it, never an idle one ({@link UpstreamPool#acquireNew}). */
        default Future<CellLeg> openNew(Cell cell, EventLoop loop, UpstreamListener answer) {
            return open(cell, loop, answer, false);
        }

        /** The router's: the pool ({@link UpstreamPool#acquire}), or a connection of its own ({@link UpgradeLeg}). */
        static Source of(ProxyContext context) {
            return new Source() {
                @Override
                public Future<CellLeg> open(Cell cell, EventLoop loop, UpstreamListener answer, boolean upgrade) {
                    return upgrade
                            ? UpgradeLeg.open(context, cell, loop, answer)
                            : context.pool().acquire(cell, loop, false, answer);
                }

                @Override
                public Future<CellLeg> openNew(Cell cell, EventLoop loop, UpstreamListener answer) {
                    return context.pool().acquireNew(cell, loop, answer);
                }
            };
        }
    }

    private final Exchange exchange;
    private final Source source;
    private final EventLoop loop;
    /** The cell being connected to, for the error message. */
    private Cell cell;

    private CellLeg leg;

    Http1CellConnector(Exchange exchange, Source source, EventLoop loop) {
        this.exchange = exchange;
        this.source = source;
        this.loop = loop;
    }

    /** Gets a cell side on {@code target} whose answer goes to {@code answer}; {@code upgrade}: a WebSocket handshake. */
    void connect(Cell target, UpstreamListener answer, boolean upgrade) {
        cell = target;
        await(source.open(target, loop, answer, upgrade));
    }

    /** As {@link #connect}, on a new connection ({@link Source#openNew}): never a WebSocket handshake. */
    void connectNew(Cell target, UpstreamListener answer) {
        cell = target;
        await(source.openNew(target, loop, answer));
    }

    /** Waits for {@code acquiring}: handled at once when it is done already. */
    void await(Future<CellLeg> acquiring) {
        if (acquiring.isDone()) {
            operationComplete(acquiring);
        } else {
            acquiring.addListener(this);
        }
    }

    @Override
    public void operationComplete(Future<CellLeg> future) {
        if (!exchange.connecting()) {
            if (future.isSuccess()) {
                future.getNow().finish(true); // unused: an HTTP/1.1 connection goes back to the pool
            }
            return;
        }
        if (!future.isSuccess()) {
            exchange.fail(CellErrors.unreachable(cell, future.cause()));
            return;
        }
        leg = future.getNow();
        exchange.connected(leg);
    }

    /** The cell side in hand, or null. */
    CellLeg leg() {
        return leg;
    }

    void flush() {
        if (leg != null) {
            leg.flush();
        }
    }

    /** Backpressure from the client: the cell's answer is read only while {@code on}. */
    void readAnswer(boolean on) {
        if (leg != null) {
            leg.readAnswer(on);
        }
    }

    /** The exchange ended: a complete, {@code reusable} HTTP/1.1 connection goes back to the pool. */
    void finish(boolean reusable) {
        if (leg != null) {
            CellLeg done = leg;
            leg = null;
            done.finish(reusable);
        }
    }

    /** A half-written request or an unanswered one: the cell side cannot be reused. */
    void abandon() {
        CellLeg doomed = leg;
        leg = null;
        if (doomed != null) {
            doomed.abandon();
        }
    }

    /** The cell side went away by itself. */
    void lost() {
        leg = null;
    }

    /** Hands the cell side over (to a WebSocket tunnel); this holds none any more. */
    CellLeg take() {
        CellLeg taken = leg;
        leg = null;
        return taken;
    }

    /** The cell side closed before the answer began. */
    static RouterException closedBeforeAnswer(Cell cell, String why) {
        return new RouterException(
                        ErrorCode.CELL_UNREACHABLE, "cell " + cell.name() + " closed the connection before responding")
                .withDetail(why);
    }
}
