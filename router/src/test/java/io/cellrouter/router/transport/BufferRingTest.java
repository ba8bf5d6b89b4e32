package io.cellrouter.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.uring.IoUringChannelOption;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Connections set up by {@link Transport#proxyConnections} and {@link Transport#cellConnections}
 * read from the event loop's buffer ring on io_uring, over real loopback sockets: bytes arrive
 * whole and in order when many more reads go by than the ring holds buffers, and a peer's reset
 * still closes the connection (the multishot receive reports it).
 */
class BufferRingTest {

    private final Transport transport = Transport.detect("");
    private EventLoopGroup group;

    @BeforeEach
    void startLoop() {
        group = transport.newGroup(1, "ring-test");
    }

    @AfterEach
    void stopLoop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void ioUring_hasTheRing_epollAndNioDoNot() {
        assertThat(transport.name()).isEqualTo("io_uring");
        assertThat(transport.bufferRing()).isTrue();
        assertThat(Transport.detect("epoll").bufferRing()).isFalse();
        assertThat(Transport.detect("nio").bufferRing()).isFalse();
        assertThat(Transport.detect("epoll")
                        .proxyConnections(new ServerBootstrap())
                        .config()
                        .childOptions())
                .doesNotContainKey(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID);
    }

    /** Two MiB both ways: over 500 reads of the ring's 4 KiB buffers through a ring of 256. */
    @Test
    void twoMebibytesEchoed_wholeAndInOrder_bothEndsOnTheRing() throws Exception {
        CompletableFuture<Short> serverGroup = new CompletableFuture<>();
        Channel server = listen(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                serverGroup.complete(ctx.channel().config().getOption(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID));
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ctx.writeAndFlush(msg);
            }
        });
        byte[] sent = new byte[2 * 1024 * 1024];
        new Random(42).nextBytes(sent);
        ByteArrayOutputStream echoed = new ByteArrayOutputStream();
        CompletableFuture<byte[]> all = new CompletableFuture<>();
        Channel client = transport
                .cellConnections(new Bootstrap())
                .group(group)
                .channel(transport.socketChannel())
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf buf = (ByteBuf) msg;
                        try {
                            buf.readBytes(echoed, buf.readableBytes());
                        } catch (IOException e) {
                            all.completeExceptionally(e);
                        } finally {
                            buf.release();
                        }
                        if (echoed.size() >= sent.length) {
                            all.complete(echoed.toByteArray());
                        }
                    }
                })
                .connect(server.localAddress())
                .sync()
                .channel();

        client.writeAndFlush(Unpooled.wrappedBuffer(sent)).sync();

        assertThat(all.get(10, TimeUnit.SECONDS)).isEqualTo(sent);
        assertThat(serverGroup.get(5, TimeUnit.SECONDS)).isEqualTo(Transport.BUFFER_GROUP);
        assertThat(client.config().getOption(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID))
                .isEqualTo(Transport.BUFFER_GROUP);
        client.close().sync();
        server.close().sync();
    }

    /** A peer that resets right after its last bytes: the connection reads them, then closes. */
    @Test
    void peerResetsAfterItsLastBytes_bytesReadThenConnectionClosed() throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        Channel server = listen(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                accepted.complete(ctx.channel());
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf buf = (ByteBuf) msg;
                try {
                    buf.readBytes(read, buf.readableBytes());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                } finally {
                    buf.release();
                }
            }
        });
        InetSocketAddress address = (InetSocketAddress) server.localAddress();
        try (Socket peer = new Socket(address.getAddress(), address.getPort())) {
            Channel channel = accepted.get(5, TimeUnit.SECONDS);
            OutputStream out = peer.getOutputStream();
            out.write("last bytes".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            peer.setSoLinger(true, 0);
            peer.close();

            assertThat(channel.closeFuture().await(5, TimeUnit.SECONDS))
                    .as("the reset closed the connection")
                    .isTrue();
        }
        assertThat(read.toString(StandardCharsets.US_ASCII)).isIn("last bytes", "");
        server.close().sync();
    }

    private Channel listen(ChannelInboundHandlerAdapter handler) throws InterruptedException {
        return transport
                .proxyConnections(new ServerBootstrap())
                .group(group)
                .channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(handler);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .sync()
                .channel();
    }
}
