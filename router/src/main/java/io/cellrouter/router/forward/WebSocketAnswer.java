package io.cellrouter.router.forward;

import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;

/**
 * The cell's answer to an HTTP/1.1 client's WebSocket handshake: a valid 101 (the connection's
 * validator has checked that it answers the handshake) turns the exchange into a tunnel; any other
 * answer is relayed as usual by the exchange's {@link Http1ResponseRelay}.
 *
 * <p>Concurrency: confined to the exchange's event loop.
 */
final class WebSocketAnswer implements UpstreamListener {

    private final Http1ForwardStep exchange;
    private final UpstreamListener relay;

    WebSocketAnswer(Http1ForwardStep exchange, UpstreamListener relay) {
        this.exchange = exchange;
        this.relay = relay;
    }

    @Override
    public void upstreamRead(HttpObject msg) {
        if (msg instanceof HttpResponse response
                && response.decoderResult().isSuccess()
                && response.status().code() == 101) {
            exchange.upgraded(response);
            return;
        }
        relay.upstreamRead(msg);
    }

    @Override
    public void upstreamReadComplete() {
        relay.upstreamReadComplete();
    }

    @Override
    public void upstreamWritabilityChanged(boolean writable) {
        relay.upstreamWritabilityChanged(writable);
    }

    @Override
    public void upstreamClosed(Throwable cause) {
        relay.upstreamClosed(cause);
    }
}
