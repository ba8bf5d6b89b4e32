package io.cellrouter.router.forward;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpObject;

/**
 * A cell side that is one HTTP/1.1 connection of the exchange's own event loop, leased with its
 * {@link UpstreamRelayHandler}: a pooled keep-alive connection ({@link Http1CellLeg}) or a
 * WebSocket handshake's connection ({@link UpgradeLeg}). What they share is here; how a leg ends
 * is theirs.
 */
abstract class ConnectionLeg implements CellLeg {

    final Channel channel;
    final UpstreamRelayHandler relay;

    ConnectionLeg(Channel channel, UpstreamRelayHandler relay) {
        this.channel = channel;
        this.relay = relay;
    }

    @Override
    public void write(HttpObject part) {
        channel.write(part, channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void readAnswer(boolean on) {
        if (channel.config().isAutoRead() != on) {
            channel.config().setAutoRead(on);
        }
    }

    @Override
    public void abandon() {
        relay.release();
        channel.close();
    }

    /** A request sent on a connection is never sent again elsewhere. */
    @Override
    public boolean replayable() {
        return false;
    }

    @Override
    public String toString() {
        return channel.toString();
    }
}
