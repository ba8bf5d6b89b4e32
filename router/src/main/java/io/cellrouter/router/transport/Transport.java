package io.cellrouter.router.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
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
import io.netty.channel.uring.IoUringBufferRingConfig;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringFixedBufferRingAllocator;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
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
 *
 * <p>On io_uring, the proxied connections read from their event loop's buffer ring ({@link
 * #newProxyGroup}, {@link #readOptions}): the kernel picks a buffer when bytes arrive, so one
 * multishot receive stays armed per connection instead of a receive submitted (and a buffer
 * allocated) before every read. Measured under wrk at 32 connections: 2.2 io_uring submissions
 * per HTTP/1.1 request instead of 6.2, and less CPU per request (docs/BENCHMARKS.md). A connection
 * that may not read (autoRead off, backpressure) has its receive cancelled as before.
 *
 * <p>The ring must fail closed. It is filled whole when its loop starts and never grows: when
 * Netty grows a ring and an allocation fails, it releases every buffer of the ring, including
 * those the kernel may still fill, and the bytes of one connection could land in memory given to
 * another (an earlier attempt with a growing ring read well-formed bodies as malformed when direct
 * memory ran out). Without growth, a failed allocation only fails the read that needed it, and that
 * connection is closed ({@code BufferRingTest}).
 */
public record Transport(
        String name,
        String why,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerChannel> serverChannel,
        Class<? extends SocketChannel> socketChannel,
        Class<? extends DatagramChannel> datagramChannel,
        boolean bufferRing) {

    /** The buffer group of the event loops' buffer rings (io_uring). */
    static final short BUFFER_GROUP = 1;

    /**
     * Buffers in each proxy event loop's ring, all allocated when the loop starts (1 MiB). The ring
     * never grows: Netty's growing of a ring, when an allocation fails, releases buffers the kernel
     * may still be reading into (see the class comment). A taken buffer is replaced at once, so the
     * ring runs dry only when more receives complete at once than it has buffers; such a receive
     * ends and is armed again, its bytes wait in the socket.
     */
    static final short RING_BUFFERS = 64;

    /** The size of one ring buffer: a TLS record's worth. */
    static final int RING_BUFFER_SIZE = 16 * 1024;

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
                    IoUringDatagramChannel.class,
                    IoUring.isRegisterBufferRingSupported());
        }
        String why = asked ? " (cellrouter.transport=" + wanted + ")" : " (io_uring: " + refusal + ")";
        if (!"nio".equals(wanted) && Epoll.isAvailable()) {
            return new Transport(
                    "epoll",
                    why,
                    EpollIoHandler.newFactory(),
                    EpollServerSocketChannel.class,
                    EpollSocketChannel.class,
                    EpollDatagramChannel.class,
                    false);
        }
        return new Transport(
                "nio",
                why,
                NioIoHandler.newFactory(),
                NioServerSocketChannel.class,
                NioSocketChannel.class,
                NioDatagramChannel.class,
                false);
    }

    /** Sets how the connections a bootstrap opens read (see {@link #bufferRing}). */
    public Bootstrap readOptions(Bootstrap bootstrap) {
        return bufferRing ? bootstrap.option(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, BUFFER_GROUP) : bootstrap;
    }

    /** Sets how the connections a listener accepts read (see {@link #bufferRing}). */
    public ServerBootstrap readOptions(ServerBootstrap bootstrap) {
        return bufferRing
                ? bootstrap.childOption(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, BUFFER_GROUP)
                : bootstrap;
    }

    /**
     * The event loops of the proxied connections: on io_uring each has a buffer ring, which the
     * connections set up with {@link #readOptions} read from. Other groups (the listeners' accept
     * loop) need none.
     */
    public EventLoopGroup newProxyGroup(int threads, String prefix) {
        return bufferRing ? ringGroup(threads, prefix, Buffers.ALLOCATOR) : newGroup(threads, prefix);
    }

    /** io_uring event loops whose rings take their buffers from {@code allocator} (tests give a failing one). */
    static EventLoopGroup ringGroup(int threads, String prefix, ByteBufAllocator allocator) {
        IoUringIoHandlerConfig config = new IoUringIoHandlerConfig()
                .setBufferRingConfig(IoUringBufferRingConfig.builder()
                        .bufferGroupId(BUFFER_GROUP)
                        .bufferRingSize(RING_BUFFERS)
                        .batchSize(RING_BUFFERS) // the whole ring at once: it never grows
                        .allocator(new IoUringFixedBufferRingAllocator(allocator, RING_BUFFER_SIZE))
                        .build());
        return new MultiThreadIoEventLoopGroup(
                threads, new DefaultThreadFactory(prefix, true), IoUringIoHandler.newFactory(config));
    }

    /**
     * Why io_uring cannot be used, or null when it can: it must load, with multishot polls off.
     * The switch is set before Netty's io_uring support first loads, unless the JVM was given one.
     */
    static String ioUringRefusal() {
        if (System.getProperty(MULTISHOT_POLL_PROPERTY) == null) {
            System.setProperty(MULTISHOT_POLL_PROPERTY, "false");
        }
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
