package io.cellrouter.router.transport;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Predicate;

/**
 * Where a client connection comes from, as the router decides it once per connection (README:
 * "Where a request came from"): the address from the PROXY protocol header when the listener
 * reads one (and the load balancer that sent it is trusted), else the socket's peer. It is the
 * {@code remote} of the access log and the address the router adds to {@code X-Forwarded-For}.
 *
 * @param ip the address, written as {@link InetAddress#getHostAddress()} writes it
 * @param trustedProxy the address is one of {@code proxy.trustedProxies}: the {@code
 *     X-Forwarded-For}, {@code Forwarded}, {@code X-Forwarded-Proto} and {@code X-Real-IP} it sends
 *     are believed (appended to, kept) rather than replaced
 */
public record ClientAddress(String ip, boolean trustedProxy) {

    private static final AttributeKey<ClientAddress> KEY = AttributeKey.valueOf(ClientAddress.class, "client");

    /**
     * The client of {@code channel}: what the pipeline recorded (see {@link
     * ProxyChannelInitializer}), else the socket's peer, not trusted (a channel built without the
     * initializer, as in handler tests).
     */
    public static ClientAddress of(Channel channel) {
        ClientAddress recorded = channel.attr(KEY).get();
        if (recorded != null) {
            return recorded;
        }
        return channel.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? new ClientAddress(a.getAddress().getHostAddress(), false)
                : new ClientAddress(String.valueOf(channel.remoteAddress()), false);
    }

    /** {@code address} as the client of {@code channel}; trusted when {@code trusts} says so. */
    public static ClientAddress record(Channel channel, InetAddress address, Predicate<InetAddress> trusts) {
        ClientAddress client = new ClientAddress(address.getHostAddress(), trusts.test(address));
        channel.attr(KEY).set(client);
        return client;
    }

    /** The socket's peer, or null when it is not an IP address. */
    public static InetAddress peer(Channel channel) {
        return channel.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    }
}
