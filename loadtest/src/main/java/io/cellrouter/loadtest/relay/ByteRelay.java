package io.cellrouter.loadtest.relay;

import io.cellrouter.loadtest.load.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The floor of a hop: each client connection gets one connection of its own to a cell (round robin
 * over the cells, on the client's event loop) and bytes are copied both ways, flushed once per read.
 * No HTTP, no routing, no limits, no metrics: what the JVM, Netty and the kernel cost for one extra
 * hop, apart from everything the router does. The benchmark runs it with {@code --compare relay}.
 *
 * <pre>
 * client ──► [client channel] ── write/flush ──► [cell channel] ──► cell
 *        ◄──                  ◄── write/flush ──                 ◄──
 * </pre>
 *
 * Backpressure: a side that is not writable stops the other side's reads until it drains.
 */
public final class ByteRelay implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel server;

    private ByteRelay(EventLoopGroup group, Channel server) {
        this.group = group;
        this.server = server;
    }

    public static ByteRelay start(InetSocketAddress address, List<InetSocketAddress> cells, int threads)
            throws InterruptedException {
        if (cells.isEmpty()) {
            throw new IllegalArgumentException("at least one cell");
        }
        Transport transport = Transport.detect();
        EventLoopGroup group = transport.newGroup(threads, "relay");
        AtomicInteger next = new AtomicInteger();
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel client) {
                            InetSocketAddress cell = cells.get(Math.floorMod(next.getAndIncrement(), cells.size()));
                            client.pipeline().addLast(new ClientSide(transport, cell));
                        }
                    })
                    .bind(address)
                    .sync()
                    .channel();
            return new ByteRelay(group, server);
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** Copies what it reads to {@code to}; a side that cannot take more stops the other's reads. */
    private static class Copier extends ChannelInboundHandlerAdapter {
        Channel to;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (to == null) {
                ReferenceCountUtil.release(msg);
                return;
            }
            to.write(msg, to.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (to != null) {
                to.flush();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (to != null) {
                to.config().setAutoRead(ctx.channel().isWritable());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (to != null) {
                to.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The client's side: connects to its cell, then starts reading the client. */
    private static final class ClientSide extends Copier {
        private final Transport transport;
        private final InetSocketAddress cell;

        ClientSide(Transport transport, InetSocketAddress cell) {
            this.transport = transport;
            this.cell = cell;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel client = ctx.channel();
            Copier cellSide = new Copier();
            cellSide.to = client;
            ChannelFuture connect = new Bootstrap()
                    .group(client.eventLoop())
                    .channel(transport.socketChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(cellSide)
                    .connect(cell);
            to = connect.channel();
            connect.addListener(done -> {
                if (done.isSuccess()) {
                    client.config().setAutoRead(true);
                } else {
                    client.close();
                }
            });
        }
    }
}
