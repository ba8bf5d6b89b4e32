package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.identity.RequestTarget;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;

/**
 * The CONNECTING step of an HTTP/2 client's stream ({@link Http2Exchange}): opens the cell side
 * that fits the request, on the exchange's event loop, and hands it to the exchange once it is
 * there ({@link Http2Exchange#connected}), or the reason it is not. When the pool answers at once
 * (a ready connection), the exchange hears it at once: no listener is allocated for the stream.
 *
 * <pre>
 *  extended CONNECT (RFC 8441) ─▶ Http2WebSocketLeg, on a connection of its own (UpgradeLeg)
 *  gRPC, or a cell over TLS    ─▶ CellStream, on a multiplexed connection (Http2UpstreamPool)
 *  any other request           ─▶ Http2ToHttp1Leg, on a pooled HTTP/1.1 connection (UpstreamPool)
 * </pre>
 */
final class Http2CellConnect {

    private Http2CellConnect() {}

    /** Whether the request goes to {@code cell} as HTTP/2 frames (else it is converted to HTTP/1.1). */
    static boolean framesAsTheyAre(boolean grpc, Cell cell) {
        return grpc || !"http".equals(cell.scheme());
    }

    /**
     * Opens the cell side for {@code exchange}'s request to {@code cell}; {@code websocket}: an
     * extended CONNECT, {@code grpc}: a gRPC call.
     */
    static void open(
            Http2Exchange exchange,
            ProxyContext context,
            Cell cell,
            EventLoop loop,
            RequestTarget target,
            boolean websocket,
            boolean grpc,
            boolean newConnection) {
        if (websocket) {
            Http2WebSocketLeg leg = new Http2WebSocketLeg(exchange, context, target);
            UpgradeLeg.open(context, cell, loop, leg)
                    .addListener(f ->
                            exchange.connected(f.isSuccess() ? leg.attach((CellLeg) f.getNow()) : null, f.cause()));
        } else if (framesAsTheyAre(grpc, cell)) {
            Future<CellStream> stream = context.pool().openStream(cell, loop, exchange);
            if (stream.isDone()) { // a ready connection (the usual case): no listener to allocate
                exchange.connected(stream.getNow(), stream.cause());
            } else {
                stream.addListener(f -> exchange.connected(f.isSuccess() ? (CellStream) f.getNow() : null, f.cause()));
            }
        } else {
            Http2ToHttp1Leg leg = new Http2ToHttp1Leg(exchange, target);
            Future<CellLeg> acquired = newConnection
                    ? context.pool().acquireNew(cell, loop, leg)
                    : context.pool().acquire(cell, loop, false, leg);
            if (acquired.isDone()) { // an idle pooled connection (the usual case): no listener to allocate
                exchange.connected(acquired.isSuccess() ? leg.attach(acquired.getNow()) : null, acquired.cause());
            } else {
                acquired.addListener(
                        f -> exchange.connected(f.isSuccess() ? leg.attach((CellLeg) f.getNow()) : null, f.cause()));
            }
        }
    }
}
