package io.cellrouter.router;

import io.cellrouter.router.forward.DrainState;
import io.cellrouter.router.forward.Http2Frontend;
import io.cellrouter.router.transport.LingeringClose;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client connections' part of a drain (README "Operations", Shutdown), once the listeners have
 * closed: every connection is told ({@link DrainState#DRAIN_EVENT}), then the drain waits until the
 * exchanges in flight have ended and the connections closing with them have closed: in stages (the
 * last answer, a half-close, the client's last bytes read and dropped) or, for HTTP/2, after the
 * second GOAWAY. A close before would reset those whose client is still sending. A connection that
 * has not begun a request yet may have it in the socket, unread: while it is younger than {@link
 * #FIRST_REQUEST_GRACE} the drain waits for it too (Go's http.Server, likewise, leaves a new
 * connection open on shutdown until it has been open 5 s); an older one is idle and closes with the
 * rest. When the time is up, HTTP/1.1 answers still under way are cut short ({@link
 * DrainState#DRAIN_TIMEOUT_EVENT}).
 *
 * <p>Runs on the thread that stops the router, which polls; no event loop blocks.
 */
final class ConnectionDrain {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionDrain.class);

    /** A connection that has not begun a request is waited for until it has been open this long. */
    static final Duration FIRST_REQUEST_GRACE = Duration.ofSeconds(5);

    private static final long POLL_MILLIS = 20;

    private final DrainState drain;
    private final ChannelGroup connections;
    private final EventLoopGroup loops;

    ConnectionDrain(DrainState drain, ChannelGroup connections, EventLoopGroup loops) {
        this.drain = drain;
        this.connections = connections;
        this.loops = loops;
    }

    /** Tells the connections and waits, at most {@code timeout}; whether no exchange was cut off. */
    boolean await(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        tellConnections(deadline);
        LOG.info(
                "draining: told {} client connections; {} exchanges in flight, {} connections yet to send a first request",
                connections.size(),
                drain.inFlight(),
                connections.stream().filter(DrainState::awaitingFirstRequest).count());
        while (System.nanoTime() < deadline && unfinished()) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        long closing = connections.stream().filter(ConnectionDrain::closing).count();
        boolean clean = drain.inFlight() == 0 && closing == 0;
        if (!clean) {
            LOG.warn(
                    "drain timeout: closing {} unfinished exchanges and {} connections still closing",
                    drain.inFlight(),
                    closing);
            // HTTP/1.1 answers under way are cut short: a reset, not an end that could pass for an
            // answer's (queued on each connection's loop before the router's close queues the plain close).
            for (Channel ch : connections) {
                ch.pipeline().fireUserEventTriggered(DrainState.DRAIN_TIMEOUT_EVENT);
            }
        }
        return clean;
    }

    /**
     * Every connection sees the drain before the wait looks at them: one that had not would look
     * idle (no exchange, not closing) and be closed at once, an HTTP/2 one without its GOAWAY. Each
     * loop tells its own connections, after the tasks queued before (those that register
     * connections accepted just before the listeners closed).
     */
    private void tellConnections(long deadline) {
        List<Future<?>> told = new ArrayList<>();
        for (EventExecutor loop : loops) {
            told.add(loop.submit(() -> {
                for (Channel ch : connections) {
                    if (ch.eventLoop().inEventLoop()) {
                        ch.pipeline().fireUserEventTriggered(DrainState.DRAIN_EVENT);
                    }
                }
            }));
        }
        for (Future<?> each : told) {
            each.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Whether a connection still has to finish. Read in the reverse order of a connection's steps
     * (its first request counted in flight before it stops awaiting one; closing before its
     * exchange stops counting), so that a connection between two steps is not missed.
     */
    private boolean unfinished() {
        long now = System.nanoTime();
        long grace = FIRST_REQUEST_GRACE.toNanos();
        return any(ch -> DrainState.awaitingFirstRequest(ch, now, grace))
                || drain.inFlight() > 0
                || any(ConnectionDrain::closing);
    }

    private static boolean closing(Channel ch) {
        return LingeringClose.isClosing(ch) || Http2Frontend.draining(ch);
    }

    private boolean any(Predicate<Channel> test) {
        return connections.stream().anyMatch(test);
    }
}
