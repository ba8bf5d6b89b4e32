package io.cellrouter.router.transport;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failed accepts on a listening socket, mostly the process out of file descriptors ({@code ulimit
 * -n} reached under load or with connections to a faulty cell piling up). The kernel keeps the
 * connection in the backlog, so the next accept fails at once, and Netty would hand every failure
 * to the end of the listener's pipeline, where it is logged at WARN with a stack trace: 6,000 lines
 * a second, 53 MB in 24 s, in the one hour nobody reads them. Like nginx ("accept() failed (24: Too
 * many open files)"), each failure here is counted ({@code cellrouter_accept_failures_total
 * {listener}}), accepting stops for {@link #PAUSE_NANOS} (autoRead off, on again by a timer on the
 * listener's event loop: connections already open go on and may free descriptors meanwhile), and
 * one WARN line without a stack trace says so at most every {@link #WARN_EVERY_NANOS}, with the
 * failures since the last one. Anything else, and any failure that is not an {@link IOException},
 * goes on down the pipeline as before.
 *
 * <p>On io_uring the pause holds only with single-shot accepts ({@link #singleShotAccepts}): Netty
 * 4.2.18 re-arms a multishot accept that ended in an error whether or not autoRead is on, so the
 * failures then come back-to-back (half a million a second) through any pause.
 *
 * <p>One per listener (not sharable). Concurrency: called on the listener's event loop only.
 */
public final class AcceptFailures extends ChannelInboundHandlerAdapter {

    /** How long accepting stops after a failure. */
    static final long PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** At most one WARN line per this long; the failures in between are counted into the next. */
    static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Netty's switch for multishot accepts on io_uring, read once when its io_uring support loads. */
    static final String MULTISHOT_ACCEPT_PROPERTY = "io.netty.iouring.acceptMultiShotEnabled";

    private static final Logger LOG = LoggerFactory.getLogger(AcceptFailures.class);

    private final String key;
    private final Counter failures;
    /** Made up front: with no descriptor left, loading a class (a lambda's too) can fail as well. */
    private final Runnable resume = this::resume;

    private Channel listener;
    private boolean paused;
    private boolean warned;
    private long lastWarnNanos;
    private long unreported;

    /** For the listener of the configuration key {@code key} ({@code proxy.listen}), counting into {@code failures}. */
    public AcceptFailures(String key, Counter failures) {
        this.key = key;
        this.failures = failures;
    }

    /**
     * Turns io_uring's multishot accepts off unless the JVM was given the switch, so that a pause
     * holds there too. Only takes effect before Netty's io_uring support first loads: {@link
     * Transport#detect} calls it first.
     */
    public static void singleShotAccepts() {
        if (System.getProperty(MULTISHOT_ACCEPT_PROPERTY) == null) {
            System.setProperty(MULTISHOT_ACCEPT_PROPERTY, "false");
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        listener = ctx.channel();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        failures.increment();
        unreported++;
        if (!paused) {
            paused = true;
            ctx.channel().config().setAutoRead(false);
            ctx.executor().schedule(resume, PAUSE_NANOS, TimeUnit.NANOSECONDS);
        }
        long now = ctx.executor().ticker().nanoTime();
        if (!warned || now - lastWarnNanos >= WARN_EVERY_NANOS) {
            warned = true;
            lastWarnNanos = now;
            LOG.warn(
                    "cannot accept connections on {} {}: {}; pausing accepts for 1 s; {} since the last message",
                    key,
                    address(ctx.channel().localAddress()),
                    reason(cause),
                    unreported == 1 ? "1 failure" : unreported + " failures");
            unreported = 0;
        }
    }

    private void resume() {
        paused = false;
        if (listener.isOpen()) {
            listener.config().setAutoRead(true);
        }
    }

    /** As {@code Addresses.format} writes it (the configuration package uses this one, not the reverse). */
    private static String address(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String host = inet.getAddress().getHostAddress();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /**
     * The socket's reason without the native transport's prefix ("io_uring accept(..) failed with
     * error(-24): ", "accept(..) failed: "), and for a descriptor limit which one.
     */
    static String reason(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        int call = message.indexOf("(..) failed");
        int colon = call < 0 ? -1 : message.indexOf(": ", call);
        String reason = colon < 0 ? message : message.substring(colon + 2);
        if (reason.startsWith("Too many open files in system")) {
            return reason + " (the system's limit, fs.file-max)";
        }
        return reason.startsWith("Too many open files") ? reason + " (ulimit -n)" : reason;
    }
}
