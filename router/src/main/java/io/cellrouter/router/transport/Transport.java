package io.cellrouter.router.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The I/O transport: native epoll, else NIO; native io_uring only when asked for. io_uring costs
 * less CPU per request (batched submissions, docs/BENCHMARKS.md), but with Netty 4.2.18 it can
 * miss a cell's connection reset that arrives with the last bytes of an unfinished answer: the
 * client's stream then waits forever (StreamTerminationIT, about one reset in five on io_uring,
 * none on epoll). Downstream and upstream channels share one transport so that an upstream
 * channel can live on its downstream channel's event loop.
 */
public record Transport(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerChannel> serverChannel,
        Class<? extends SocketChannel> socketChannel,
        Class<? extends DatagramChannel> datagramChannel) {

    /**
     * epoll when available, else NIO; the system property {@code cellrouter.transport} ({@code
     * epoll}, {@code io_uring} or {@code nio}) picks one, used when it loads (io_uring refused by
     * the kernel or a container's seccomp profile falls back to epoll).
     */
    public static Transport detect() {
        return detect(System.getProperty("cellrouter.transport", ""));
    }

    static Transport detect(String wanted) {
        if ("io_uring".equals(wanted) && IoUring.isAvailable()) {
            return new Transport(
                    "io_uring",
                    IoUringIoHandler.newFactory(),
                    IoUringServerSocketChannel.class,
                    IoUringSocketChannel.class,
                    IoUringDatagramChannel.class);
        }
        if (!"nio".equals(wanted) && Epoll.isAvailable()) {
            return new Transport(
                    "epoll",
                    EpollIoHandler.newFactory(),
                    EpollServerSocketChannel.class,
                    EpollSocketChannel.class,
                    EpollDatagramChannel.class);
        }
        return new Transport(
                "nio",
                NioIoHandler.newFactory(),
                NioServerSocketChannel.class,
                NioSocketChannel.class,
                NioDatagramChannel.class);
    }

    public EventLoopGroup newGroup(int threads, String prefix) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(prefix, true), ioHandlerFactory);
    }

    /** OpenSSL (BoringSSL, from netty-tcnative) when it loads on this machine, else the JDK's TLS. */
    public static SslProvider sslProvider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }
}
