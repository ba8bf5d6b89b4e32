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
 * The I/O transport: native io_uring where the kernel allows it, else native epoll, else NIO.
 * io_uring costs about a fifth less CPU per request than epoll (batched submissions, see
 * docs/BENCHMARKS.md). Downstream and upstream channels share one transport so that an upstream
 * channel can live on its downstream channel's event loop.
 *
 * <p>io_uring runs with Netty's multishot POLL_ADD turned off. A multishot poll reports a socket's
 * readiness once per change: when a cell's reset arrived while a read was already armed, the
 * reset's one report was spent, the read returned the answer's last bytes, and the channel then
 * waited for a report that never came, so the client's stream was never ended (about one reset
 * in five with Netty 4.2.18; StreamTerminationIT). A one-shot poll, armed anew after each read,
 * sees the reset at once. Where multishot polls are on anyway (the JVM was started with
 * {@code -Dio.netty.iouring.pollAddMultishotEnabled=true}, or Netty's io_uring was loaded before
 * the router chose), the router runs on epoll.
 */
public record Transport(
        String name,
        String why,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerChannel> serverChannel,
        Class<? extends SocketChannel> socketChannel,
        Class<? extends DatagramChannel> datagramChannel) {

    /** Netty's switch for multishot POLL_ADD on io_uring, read once when its io_uring support loads. */
    static final String MULTISHOT_POLL_PROPERTY = "io.netty.iouring.pollAddMultishotEnabled";

    /**
     * io_uring where it can be used, else epoll, else NIO; the system property {@code
     * cellrouter.transport} ({@code epoll} or {@code nio}) picks another. {@link #why()} says why
     * the choice is not io_uring (empty when it is): asked for, or io_uring refused by the kernel,
     * a container's seccomp profile, or multishot polls.
     */
    public static Transport detect() {
        return detect(System.getProperty("cellrouter.transport", ""));
    }

    static Transport detect(String wanted) {
        boolean asked = "epoll".equals(wanted) || "nio".equals(wanted);
        String refusal = asked ? null : ioUringRefusal();
        if (!asked && refusal == null) {
            return new Transport(
                    "io_uring",
                    "",
                    IoUringIoHandler.newFactory(),
                    IoUringServerSocketChannel.class,
                    IoUringSocketChannel.class,
                    IoUringDatagramChannel.class);
        }
        String why = asked ? " (cellrouter.transport=" + wanted + ")" : " (io_uring: " + refusal + ")";
        if (!"nio".equals(wanted) && Epoll.isAvailable()) {
            return new Transport(
                    "epoll",
                    why,
                    EpollIoHandler.newFactory(),
                    EpollServerSocketChannel.class,
                    EpollSocketChannel.class,
                    EpollDatagramChannel.class);
        }
        return new Transport(
                "nio",
                why,
                NioIoHandler.newFactory(),
                NioServerSocketChannel.class,
                NioSocketChannel.class,
                NioDatagramChannel.class);
    }

    /**
     * Why io_uring cannot be used, or null when it can: it must load, with multishot polls off.
     * The switch is set before Netty's io_uring support first loads, unless the JVM was given one.
     */
    static String ioUringRefusal() {
        if (System.getProperty(MULTISHOT_POLL_PROPERTY) == null) {
            System.setProperty(MULTISHOT_POLL_PROPERTY, "false");
        }
        AcceptFailures.singleShotAccepts(); // so that a pause after a failed accept holds
        if (!IoUring.isAvailable()) {
            Throwable cause = IoUring.unavailabilityCause();
            return "unavailable, " + (cause == null ? "no cause given" : cause.getMessage());
        }
        return IoUring.isPollAddMultishotEnabled() ? "multishot polls are on (" + MULTISHOT_POLL_PROPERTY + ")" : null;
    }

    public EventLoopGroup newGroup(int threads, String prefix) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(prefix, true), ioHandlerFactory);
    }

    /** OpenSSL (BoringSSL, from netty-tcnative) when it loads on this machine, else the JDK's TLS. */
    public static SslProvider sslProvider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }
}
