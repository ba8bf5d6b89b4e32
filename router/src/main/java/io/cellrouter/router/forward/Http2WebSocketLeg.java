package io.cellrouter.router.forward;

import io.cellrouter.router.identity.RequestTarget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 client's WebSocket (RFC 8441: extended CONNECT with {@code :protocol websocket}) on an
 * HTTP/1.1 cell: the stream's cell side in {@link Http2Exchange}, which relays frames as for any
 * stream, flow control included.
 *
 * <pre>
 *  HEADERS :method CONNECT :protocol websocket ─▶ GET target, Upgrade: websocket, a new key ─▶ cell
 *  HEADERS :status 200                        ◀─ 101 (the accept answers the router's key)  ◀─
 *  DATA ◀──────────────────────────────── bytes ────────────────────────────────▶ TCP (TunnelCell)
 *  END_STREAM ↔ FIN; RST_STREAM ↔ the connection closed (CONNECT_ERROR when it failed)
 * </pre>
 *
 * <p>Flow control: DATA is acknowledged to the client once the cell connection has room for it
 * ({@link #isWritable}: the upgrade is done and the channel under its water mark), and the cell is
 * read only while the client's stream can take more. Data the client sends before the 101 waits
 * here, unacknowledged (so at most a stream window of it). A 2xx other than the 101 is 502
 * {@code bad_cell_response} (to an extended CONNECT any 2xx means "tunnel open"); any other answer
 * is relayed as a normal answer ({@link Http2ToHttp1Leg}); that data is then dropped.
 *
 * <p>The tunnel ends when either side closes, after {@code proxy.websocket.idleTimeout} without a
 * byte either way, at the router's drain (a random moment in the first half of the drain timeout)
 * or after a move's grace period (the exchange resets the stream). The connection to the cell is
 * its own and is never pooled.
 *
 * <p>Concurrency: confined to the exchange's event loop.
 */
final class Http2WebSocketLeg implements Http2CellSide, UpstreamListener, TunnelCell.Peer {

    private final Http2Exchange exchange;
    private final ProxyContext context;
    private final RequestTarget target;
    private final ArrayDeque<ByteBuf> early = new ArrayDeque<>(2);
    private UpgradeLeg leg;
    private Http2ToHttp1Leg answer;
    private TunnelCell tunnel;
    private LazyDeadline idle;
    private long idleNanos;
    private boolean clientEnded;
    private boolean closed;
    private boolean draining;

    Http2WebSocketLeg(Http2Exchange exchange, ProxyContext context, RequestTarget target) {
        this.exchange = exchange;
        this.context = context;
        this.target = target;
    }

    Http2WebSocketLeg attach(CellLeg cellLeg) {
        this.leg = (UpgradeLeg) cellLeg;
        this.answer = new Http2ToHttp1Leg(exchange, target).attach(cellLeg);
        return this;
    }

    // ----- the client's side (Http2CellSide) -----

    @Override
    public void writeHead(Http2Headers headers, boolean endStream) {
        HttpRequest request;
        try {
            request = WebSocketHandshake.toHttp1(headers, target, WebSocketHandshake.newKey());
        } catch (Http2Exception e) {
            exchange.cellBadResponse("request could not be converted: " + e.getMessage());
            return;
        }
        leg.write(request);
        leg.write(LastHttpContent.EMPTY_LAST_CONTENT);
        clientEnded = endStream;
    }

    @Override
    public void writeBody(ByteBuf data, boolean endStream) {
        clientEnded |= endStream;
        if (tunnel == null) {
            early.add(data);
            return;
        }
        tunnel.channel().write(data, tunnel.channel().voidPromise());
        if (endStream) {
            halfClose();
        }
    }

    @Override
    public boolean isWritable() {
        return tunnel != null && tunnel.channel().isWritable();
    }

    @Override
    public void writeTrailers(Http2Headers trailers) {
        // A tunnel has no trailers: the client's HEADERS with END_STREAM ends its direction.
        clientEnded = true;
        if (tunnel != null) {
            halfClose();
        }
    }

    @Override
    public void flush() {
        leg.flush();
        if (tunnel != null) {
            activity();
        }
    }

    @Override
    public void answerTaken(int bytes) {
        // The client's stream window is watched through clientWritable instead.
    }

    @Override
    public void clientWritable(boolean writable) {
        if (tunnel != null) {
            tunnel.readWhile(writable);
        } else {
            leg.readAnswer(writable);
        }
    }

    @Override
    public void finish(boolean reusable) {
        abandon();
    }

    @Override
    public void abandon() {
        closed = true;
        releaseEarly();
        if (idle != null) {
            idle.stop();
        }
        leg.abandon();
    }

    @Override
    public boolean replayable() {
        return false;
    }

    /** The router drains: the tunnel ends, as if the cell closed, at a random moment in the first half of the drain timeout. */
    void draining() {
        if (draining || closed) {
            return;
        }
        draining = true;
        long spread = context.config().drainTimeout().toNanos() / 2;
        long delay = spread > 0 ? ThreadLocalRandom.current().nextLong(spread) : 0;
        leg.channel().eventLoop().schedule(() -> leg.channel().close(), delay, TimeUnit.NANOSECONDS);
    }

    // ----- the cell's answer to the handshake (UpstreamListener) -----

    @Override
    public void upstreamRead(HttpObject msg) {
        if (closed) {
            ReferenceCountUtil.release(msg); // the rest of an answer refused above
            return;
        }
        if (msg instanceof HttpResponse response && response.decoderResult().isSuccess()) {
            if (response.status().code() == 101) {
                upgraded(response);
                return;
            }
            if (response.status().codeClass() == HttpStatusClass.SUCCESS) {
                // To an extended CONNECT a 2xx means the tunnel is open (RFC 8441): only the
                // cell's 101 may become one. A 200 from a cell that serves a page to every GET
                // would have the client read that page as WebSocket frames.
                ReferenceCountUtil.release(msg);
                exchange.cellBadResponse("answered the WebSocket handshake with "
                        + response.status().code() + " instead of 101 Switching Protocols");
                return;
            }
        }
        answer.upstreamRead(msg);
    }

    private void upgraded(HttpResponse switching) {
        exchange.tunnelOpened();
        exchange.cellHeaders(WebSocketHandshake.toHttp2Client(switching), false);
        if (closed) {
            return; // the client went away meanwhile
        }
        tunnel = TunnelCell.take(leg);
        Channel channel = tunnel.channel();
        ByteBuf data;
        while ((data = early.poll()) != null) {
            channel.write(data, channel.voidPromise());
        }
        if (clientEnded) {
            halfClose();
        }
        channel.flush();
        idleNanos = context.config().websocket().idleTimeout().toNanos();
        if (idleNanos > 0) {
            idle = new LazyDeadline(channel.eventLoop(), () -> channel.close());
            idle.arm(idleNanos);
        }
        tunnel.start(this, true);
        exchange.cellWritabilityChanged(channel.isWritable()); // the data held so far is acknowledged
        if (context.drain().draining()) {
            draining();
        }
    }

    @Override
    public void upstreamReadComplete() {
        answer.upstreamReadComplete();
    }

    @Override
    public void upstreamWritabilityChanged(boolean writable) {
        // Until the 101 no request data is sent: writability does not matter yet.
    }

    @Override
    public void upstreamClosed(Throwable cause) {
        // The exchange forgets its cell side when the cell fails, so it will not abandon this leg:
        // the client's data held for the 101 is released here.
        releaseEarly();
        answer.upstreamClosed(cause);
    }

    // ----- the tunnel (TunnelCell.Peer) -----

    @Override
    public void cellBytes(ByteBuf bytes) {
        try {
            if (!closed) {
                exchange.cellData(bytes, false);
            }
        } finally {
            bytes.release();
        }
    }

    @Override
    public void cellReadComplete() {
        exchange.cellReadComplete();
        activity();
    }

    @Override
    public void cellWritable(boolean writable) {
        exchange.cellWritabilityChanged(writable);
    }

    @Override
    public void cellClosed(Throwable cause) {
        if (closed) {
            return;
        }
        if (cause == null) {
            exchange.cellData(Unpooled.EMPTY_BUFFER, true); // FIN: END_STREAM
        } else {
            exchange.cellFailed(new UpstreamResetException(
                    Http2Error.CONNECT_ERROR, false, "cell connection failed: " + cause.getMessage()));
        }
    }

    /** The client ended its direction: the cell gets a FIN once what was written has gone out. */
    private void halfClose() {
        Channel channel = tunnel.channel();
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
            if (channel instanceof DuplexChannel duplex && duplex.isActive()) {
                duplex.shutdownOutput();
            } else {
                channel.close();
            }
        });
    }

    private void activity() {
        if (idle != null) {
            idle.arm(idleNanos);
        }
    }

    private void releaseEarly() {
        ByteBuf data;
        while ((data = early.poll()) != null) {
            ReferenceCountUtil.release(data);
        }
    }
}
