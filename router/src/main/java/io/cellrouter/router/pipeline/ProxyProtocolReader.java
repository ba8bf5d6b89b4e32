package io.cellrouter.router.pipeline;

import io.cellrouter.router.config.RouterConfig;
import io.cellrouter.router.config.RouterConfig.ProxyProtocol;
import io.cellrouter.router.transport.ClientAddress;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the PROXY protocol header that starts every connection of a listener behind a load
 * balancer ({@code proxy.proxyProtocol} v1, v2 or any), and only then lets the rest of the
 * pipeline be built: the client address must be known before the first request is.
 *
 * <pre>
 *  accept ─▶ overload ─▶ proxy-protocol (Netty's HAProxyMessageDecoder, removes itself)
 *                     ─▶ proxy-protocol-reader (this: checks, records the ClientAddress,
 *                                               adds tls / h2c-or-http1 after itself, leaves)
 *  refused and closed: a peer outside proxy.trustedProxies (before a byte is read), a header that
 *  is not valid PROXY protocol or not of the configured version, none within requestHeaderTimeout
 * </pre>
 *
 * <p>Trust: a PROXY header is believed only from a trusted proxy; a listener that expects one
 * serves nobody else, so anyone who could reach it directly can neither pose as another address
 * nor skip the header. The address the header gives is then the client's; a LOCAL header (a load
 * balancer's own health check) or an UNKNOWN / UNIX one leaves the proxy's own address.
 *
 * <p>Concurrency: one instance per connection, on its event loop.
 */
final class ProxyProtocolReader extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyProtocolReader.class);

    static final String DECODER = "proxy-protocol";
    static final String NAME = "proxy-protocol-reader";

    private final RouterConfig.Proxy config;
    private final Consumer<ChannelPipeline> next;
    private final ProxyProtocolRejections rejections;
    private ScheduledFuture<?> deadline;
    private boolean done;

    /** {@code next} adds the handlers that follow, once the header is read. */
    ProxyProtocolReader(RouterConfig.Proxy config, ProxyProtocolRejections rejections, Consumer<ChannelPipeline> next) {
        this.config = config;
        this.rejections = rejections;
        this.next = next;
    }

    /** Adds the decoder and a reader to {@code pipeline}. */
    static void addTo(
            ChannelPipeline pipeline,
            RouterConfig.Proxy config,
            ProxyProtocolRejections rejections,
            Consumer<ChannelPipeline> next) {
        pipeline.addLast(DECODER, new HAProxyMessageDecoder());
        pipeline.addLast(NAME, new ProxyProtocolReader(config, rejections, next));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetAddress peer = ClientAddress.peer(ctx.channel());
        if (peer == null) {
            // No peer address: on io_uring, a connection its peer reset before the router took it
            // up (a load balancer's probe that connects and leaves). Nothing to serve, and not an
            // untrusted peer either: closed without counting one.
            done = true;
            LOG.debug("{} closed: no peer address (the peer has gone)", ctx.channel());
            ctx.close();
            return;
        }
        if (!config.trusts(peer)) {
            refuse(ctx, ProxyProtocolRejections.UNTRUSTED_PEER, "not a trusted proxy");
            return;
        }
        long timeout = config.limits().requestHeaderTimeout().toMillis();
        deadline = ctx.executor().schedule(() -> timedOut(ctx), timeout, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!(msg instanceof HAProxyMessage header)) {
            ReferenceCountUtil.release(msg);
            refuse(ctx, ProxyProtocolRejections.INVALID, "no PROXY header");
            return;
        }
        InetAddress client;
        boolean named;
        try {
            if (!accepts(header.protocolVersion())) {
                refuse(ctx, ProxyProtocolRejections.VERSION, "PROXY protocol " + header.protocolVersion());
                return;
            }
            client = clientOf(header, ClientAddress.peer(ctx.channel()));
            named = header.command() == HAProxyCommand.LOCAL
                    || header.proxiedProtocol() == HAProxyProxiedProtocol.TCP4
                    || header.proxiedProtocol() == HAProxyProxiedProtocol.TCP6;
        } finally {
            header.release();
        }
        if (client == null) {
            refuse(ctx, ProxyProtocolRejections.INVALID, "PROXY header for a datagram protocol");
            return;
        }
        done = true;
        cancelDeadline();
        // UNKNOWN or UNIX: a client the proxy cannot name, whom the proxy's address stands for
        // without its trust (its X-Forwarded-For is not the proxy's to vouch for).
        ClientAddress.record(ctx.channel(), client, named ? config::trusts : address -> false);
        next.accept(ctx.pipeline());
        // The decoder passes on what followed the header once it has removed itself: by then the
        // handlers just added are in place to read it.
        ctx.pipeline().remove(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof HAProxyProtocolException || cause.getCause() instanceof HAProxyProtocolException) {
            // Only the first counts: when the connection closes, the decoder tries the bytes it
            // still holds once more, and fails again.
            if (!done) {
                refuse(ctx, ProxyProtocolRejections.INVALID, cause.getMessage());
            }
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelDeadline();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelDeadline();
        ctx.fireChannelInactive();
    }

    private boolean accepts(HAProxyProtocolVersion version) {
        ProxyProtocol wanted = config.proxyProtocol();
        return wanted == ProxyProtocol.ANY
                || (wanted == ProxyProtocol.V1 && version == HAProxyProtocolVersion.V1)
                || (wanted == ProxyProtocol.V2 && version == HAProxyProtocolVersion.V2);
    }

    /** The client the header names; the proxy itself for LOCAL, UNKNOWN and UNIX; null for UDP. */
    private static InetAddress clientOf(HAProxyMessage header, InetAddress proxy) {
        if (header.command() == HAProxyCommand.LOCAL) {
            return proxy;
        }
        switch (header.proxiedProtocol()) {
            case TCP4, TCP6 -> {
                // Netty checked the address when it decoded the header: a literal, never looked up.
                return NetUtil.createInetAddressFromIpAddressString(header.sourceAddress());
            }
            case UDP4, UDP6 -> {
                return null;
            }
            default -> {
                return proxy;
            }
        }
    }

    private void timedOut(ChannelHandlerContext ctx) {
        if (!done && ctx.channel().isActive()) {
            refuse(
                    ctx,
                    ProxyProtocolRejections.TIMEOUT,
                    "no PROXY header within " + config.limits().requestHeaderTimeout());
        }
    }

    private void refuse(ChannelHandlerContext ctx, String reason, String detail) {
        done = true;
        cancelDeadline();
        rejections.count(reason);
        LOG.debug("{} closed: {} ({})", ctx.channel(), reason, detail);
        ctx.close();
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
