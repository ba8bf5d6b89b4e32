package io.cellrouter.router.forward;

import io.netty.channel.Channel;

/**
 * A pooled keep-alive HTTP/1.1 connection to a cell, leased to one exchange at a time. One per
 * connection, made with it ({@link UpstreamRelayHandler#pooledAs}): leasing allocates nothing.
 */
final class Http1CellLeg extends ConnectionLeg {

    private final UpstreamPool pool;

    Http1CellLeg(Channel channel, UpstreamRelayHandler relay, UpstreamPool pool) {
        super(channel, relay);
        this.pool = pool;
    }

    @Override
    public void finish(boolean reusable) {
        if (reusable) {
            pool.release(this);
        } else {
            abandon();
        }
    }
}
