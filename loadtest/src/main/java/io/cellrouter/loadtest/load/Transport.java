package io.cellrouter.loadtest.load;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Native epoll when it loads, NIO otherwise, for the load generator, the test cells and the byte
 * relay: the same for every target measured (the router itself picks io_uring where it can; see
 * its own {@code Transport}). Epoll also gives the scheduler timers finer than NIO's
 * one-millisecond select timeout.
 */
public record Transport(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerChannel> serverChannel,
        Class<? extends SocketChannel> socketChannel) {

    /** Epoll when available, unless the system property {@code cellrouter.transport=nio}. */
    public static Transport detect() {
        if (!"nio".equals(System.getProperty("cellrouter.transport")) && Epoll.isAvailable()) {
            return new Transport(
                    "epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class);
        }
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
    }

    public EventLoopGroup newGroup(int threads, String prefix) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(prefix, true), ioHandlerFactory);
    }
}
