package io.cellrouter.loadtest.load;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP/1.1 server for the scheduler tests that answers at once, except that it holds every
 * answer due in one window ({@code stallAfter} after the first request, for {@code stall}) until
 * the window ends: the server "stalls". It records when each request arrived.
 */
final class StallingServer implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel channel;
    private final long stallAfterNanos;
    private final long stallNanos;
    private final List<Long> arrivals = new CopyOnWriteArrayList<>();
    private volatile long firstArrival = Long.MIN_VALUE;

    StallingServer(long stallAfterMillis, long stallMillis) throws InterruptedException {
        this.stallAfterNanos = TimeUnit.MILLISECONDS.toNanos(stallAfterMillis);
        this.stallNanos = TimeUnit.MILLISECONDS.toNanos(stallMillis);
        Transport transport = Transport.detect();
        this.group = transport.newGroup(1, "stalling-server");
        this.channel = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(1 << 16))
                                .addLast(new Handler());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .sync()
                .channel();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + ((InetSocketAddress) channel.localAddress()).getPort());
    }

    /** When the stall starts and ends (nanoTime), once the first request has arrived. */
    long stallStart() {
        return firstArrival + stallAfterNanos;
    }

    long stallEnd() {
        return stallStart() + stallNanos;
    }

    /** Arrival times (nanoTime) of every request. */
    List<Long> arrivals() {
        return arrivals;
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            long now = System.nanoTime();
            if (firstArrival == Long.MIN_VALUE) {
                firstArrival = now;
            }
            arrivals.add(now);
            FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(new byte[] {'o', 'k'}));
            response.headers().setInt("content-length", 2);
            long delay = now >= stallStart() && now < stallEnd() ? stallEnd() - now : 0;
            if (delay == 0) {
                ctx.writeAndFlush(response);
            } else {
                ctx.executor().schedule(() -> ctx.writeAndFlush(response), delay, TimeUnit.NANOSECONDS);
            }
        }
    }
}
