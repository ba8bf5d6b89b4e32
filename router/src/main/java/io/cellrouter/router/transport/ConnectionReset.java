package io.cellrouter.router.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a client connection with a TCP reset, for an answer cut short: a plain close is how an
 * answer without a length ends (an HTTP/1.0 client takes what it has for the whole), and TLS's
 * {@code close_notify} says the same. The reset goes at once, from the head of the pipeline, past
 * TLS: waiting for what is queued to be flushed gains nothing, since the reset drops whatever the
 * kernel still holds, and a client that stopped reading would otherwise keep the flush, and the
 * close, waiting.
 *
 * <p>Call on the connection's event loop.
 */
public final class ConnectionReset {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionReset.class);

    private ConnectionReset() {}

    /** Resets {@code channel} now. */
    public static void now(Channel channel) {
        try {
            if (channel.isActive()) {
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
            }
        } catch (ChannelException e) {
            LOG.debug("{} SO_LINGER 0 refused; closing without it", channel, e); // e.g. already reset
        }
        ChannelHandlerContext first = channel.pipeline().firstContext();
        if (first == null) {
            channel.close();
        } else {
            first.close(); // goes straight to the socket: no handler, TLS included, writes anything more
        }
    }
}
