package io.cellrouter.router.forward;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cell's connection of a WebSocket tunnel once the cell has switched protocols: its HTTP/1.1
 * handlers leave the pipeline and its bytes go, as they come, to the tunnel's client side (a
 * {@link Peer}).
 *
 * <pre>
 *  before the 101:  codec ─ validator ─ idle ─ relay (UpstreamRelayHandler ─▶ the exchange)
 *  after:           tunnel (this) ─▶ Peer
 * </pre>
 *
 * <p>The codec leaves last: bytes it had read behind the 101 (the cell may speak at once) are then
 * handed on, and they, like anything read before {@link #start}, wait here until the client side is
 * ready; so nothing is lost and nothing overtakes the 101. The empty end of the 101 that the codec
 * still passes on is dropped.
 *
 * <p>Concurrency: confined to the connection's event loop, which is the client connection's.
 */
final class TunnelCell extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(TunnelCell.class);

    /** Where the cell's bytes go. Called on the event loop. */
    interface Peer {
        /** Bytes from the cell (ownership passes). */
        void cellBytes(ByteBuf bytes);

        void cellReadComplete();

        void cellWritable(boolean writable);

        /** The connection closed: by the cell ({@code cause} null) or with an error. */
        void cellClosed(Throwable cause);
    }

    private final Channel channel;
    private final ArrayDeque<ByteBuf> early = new ArrayDeque<>(2);
    private Peer peer;
    private Throwable failure;
    private boolean closed;

    private TunnelCell(Channel channel) {
        this.channel = channel;
    }

    /**
     * Turns the handshake's connection into the tunnel's: called while the 101 is being read, from
     * the exchange's listener. Bytes wait until {@link #start}.
     */
    static TunnelCell take(UpgradeLeg leg) {
        leg.detach();
        Channel channel = leg.channel();
        TunnelCell tunnel = new TunnelCell(channel);
        ChannelPipeline p = channel.pipeline();
        p.addLast("tunnel", tunnel);
        for (String name : new String[] {"validator", "idle", "relay"}) {
            if (p.get(name) != null) {
                p.remove(name);
            }
        }
        if (p.get("codec") != null) {
            p.remove("codec"); // last: what it had read behind the 101 comes here now
        }
        return tunnel;
    }

    /** The client side is ready: early bytes go to it, and the cell is read while it can take more. */
    void start(Peer to, boolean clientWritable) {
        this.peer = to;
        ByteBuf bytes;
        boolean any = false;
        while ((bytes = early.poll()) != null) {
            to.cellBytes(bytes);
            any = true;
        }
        if (any) {
            to.cellReadComplete();
        }
        if (closed) {
            to.cellClosed(failure);
            return;
        }
        readWhile(clientWritable);
    }

    Channel channel() {
        return channel;
    }

    /** Backpressure: the cell is read only while the client side can take more. */
    void readWhile(boolean on) {
        if (channel.config().isAutoRead() != on) {
            channel.config().setAutoRead(on);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            ReferenceCountUtil.release(msg); // the codec's empty end of the 101
            return;
        }
        if (peer == null) {
            early.add(bytes);
        } else {
            peer.cellBytes(bytes);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (peer != null) {
            peer.cellReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (peer != null) {
            peer.cellWritable(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("{} tunnel to the cell failed", ctx.channel(), cause);
        failure = cause;
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        if (peer != null) {
            peer.cellClosed(failure);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        ByteBuf bytes;
        while ((bytes = early.poll()) != null) {
            bytes.release();
        }
    }
}
