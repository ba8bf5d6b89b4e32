package io.cellrouter.router;

import io.cellrouter.router.config.Addresses;
import io.cellrouter.router.metrics.RouterMetrics;
import io.cellrouter.router.transport.AcceptFailures;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.net.InetSocketAddress;

/**
 * Binds a listener, with {@link AcceptFailures} on its socket (a failed accept pauses accepting,
 * is counted, and is logged once in a while rather than once per failure). A bind that fails names the configuration key and the address, which the
 * socket's own message does not ("bind(..) failed with error(-98): Address already in use"):
 * {@code cannot listen on 127.0.0.1:8080 (admin.listen): Address already in use}.
 */
final class Listeners {

    private Listeners() {}

    /**
     * Binds {@code bootstrap} to {@code address}, the value of the configuration key {@code key}
     * ({@code proxy.listen}); its failed accepts count in {@code metrics} as {@code listener="proxy"}.
     */
    static Channel bind(ServerBootstrap bootstrap, InetSocketAddress address, String key, RouterMetrics metrics)
            throws InterruptedException {
        String listener = key.endsWith(".listen") ? key.substring(0, key.length() - ".listen".length()) : key;
        bootstrap.handler(new AcceptFailures(key, metrics.acceptFailures(listener)));
        ChannelFuture bound = bootstrap.bind(address).await();
        if (!bound.isSuccess()) {
            throw new IllegalStateException(
                    "cannot listen on " + Addresses.format(address) + " (" + key + "): " + reason(bound.cause()),
                    bound.cause());
        }
        return bound.channel();
    }

    /** The socket's reason without the native transport's prefix ("bind(..) failed with error(-98): "). */
    static String reason(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        int prefix = message.startsWith("bind(") ? message.indexOf("): ") : -1;
        return prefix < 0 ? message : message.substring(prefix + 3);
    }
}
