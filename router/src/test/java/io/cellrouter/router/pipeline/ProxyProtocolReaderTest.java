package io.cellrouter.router.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.config.ConfigLoader;
import io.cellrouter.router.config.RouterConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A connection without a peer address, as io_uring reports one its peer reset before the router
 * took it up (seen under haproxy's probes in {@code ProxyProtocolIT}): closed, and not counted as
 * an untrusted peer, which would have an operator look for a stranger where there is none.
 */
class ProxyProtocolReaderTest {

    @Test
    void aConnectionWithoutAPeerAddress_isClosed_butNotCountedAsAnUntrustedPeer() {
        RouterConfig config = ConfigLoader.parse(
                "proxy:\n  proxyProtocol: v2\n  trustedProxies: [127.0.0.1/32]\n",
                "test.yaml",
                Path.of("."),
                n -> null);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicBoolean passedOn = new AtomicBoolean();
        ProxyProtocolReader reader = new ProxyProtocolReader(
                config.proxy(), new ProxyProtocolRejections(registry), pipeline -> passedOn.set(true));

        // An EmbeddedChannel has no IP peer address: ClientAddress.peer is null, as for such a connection.
        EmbeddedChannel channel = new EmbeddedChannel(reader, new ChannelInboundHandlerAdapter());

        assertThat(channel.isOpen()).isFalse();
        assertThat(passedOn).isFalse();
        assertThat(registry.get("cellrouter.proxy.protocol.rejected")
                        .tag("reason", ProxyProtocolRejections.UNTRUSTED_PEER)
                        .counter()
                        .count())
                .isZero();
        channel.finishAndReleaseAll();
    }
}
