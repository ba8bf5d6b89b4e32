package io.cellrouter.router.forward;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpObject;

/** A pooled keep-alive HTTP/1.1 connection to a cell, leased to one exchange at a time. */
final class Http1CellLeg implements CellLeg {

    private final Channel channel;
    private final UpstreamRelayHandler relay;
    private final UpstreamPool pool;

    Http1CellLeg(Channel channel, UpstreamRelayHandler relay, UpstreamPool pool) {
        this.channel = channel;
        this.relay = relay;
        this.pool = pool;
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
    public void finish(boolean reusable) {
        if (reusable) {
            pool.release(channel);
        } else {
            abandon();
        }
    }

    @Override
    public void abandon() {
        relay.release();
        channel.close();
    }

    @Override
    public boolean replayable() {
        return false;
    }

    @Override
    public String toString() {
        return channel.toString();
    }
}
