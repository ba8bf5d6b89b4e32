package io.cellrouter.router.forward;

import io.cellrouter.router.transport.LingeringClose;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Backpressure toward an HTTP/1.1 client: whether its connection is read, and the few messages
 * that wait meanwhile.
 *
 * <pre>
 *  IDLE                  read while the client takes its answers (else a request waits here)
 *  ROUTING, CONNECTING   read while fewer than MAX_PENDING messages wait
 *  FORWARDING  body      read while the cell side takes more and nothing waits
 *              complete  read while fewer than MAX_PENDING messages wait (pipelined requests)
 *  CLOSED                not read, unless the connection closes in stages (LingeringClose drops what it reads)
 * </pre>
 *
 * <p>Turning reads off and on costs a system call each (epoll_ctl), so the common exchange (head
 * and body in one read, route from the cache, no pipelining) never toggles: while routing or
 * waiting for the response, a few messages may wait here; only a body arriving while routing is
 * slow, or a client that pipelines, fills it and turns reading off.
 *
 * <p>Reading is off only from the next socket read: the decoder still hands over every message of
 * the read under way. Body parts are bounded by that read's bytes; requests are not (a 64 KiB read
 * holds thousands of small heads, each an exchange and an answer), so at most {@link
 * #MAX_WAITING_REQUESTS} requests wait here and {@link #hold} refuses more.
 *
 * <p>Concurrency: one per client connection, confined to its event loop.
 */
final class Http1ReadGate {

    /** Messages that may wait while routing or while a response is on its way. */
    static final int MAX_PENDING = 4;

    /** Requests (heads) that may wait: pipelined ones, or any while the client takes no answers. */
    static final int MAX_WAITING_REQUESTS = 32;

    private final ArrayDeque<HttpObject> pending = new ArrayDeque<>(MAX_PENDING);
    private final Channel channel;
    private int waitingRequests;

    Http1ReadGate(Channel channel) {
        this.channel = channel;
    }

    /** Reads from the client while there is somewhere for the data to go ({@code leg} may be null). */
    void update(Http1Exchange.State state, boolean requestComplete, CellLeg leg) {
        boolean read =
                switch (state) {
                    case IDLE -> pending.isEmpty() && channel.isWritable();
                    case ROUTING, CONNECTING -> pending.size() < MAX_PENDING;
                    case FORWARDING ->
                        requestComplete
                                ? pending.size() < MAX_PENDING
                                : leg != null && leg.isWritable() && pending.isEmpty();
                    case CLOSED -> LingeringClose.isLingering(channel); // what it reads, it drops
                };
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }

    /**
     * {@code msg} waits until the exchange can take it (a body part while routing, a pipelined
     * request). False, and {@code msg} is not taken, when it is a request and {@link
     * #MAX_WAITING_REQUESTS} wait already.
     */
    boolean hold(HttpObject msg) {
        if (msg instanceof HttpRequest) {
            if (waitingRequests == MAX_WAITING_REQUESTS) {
                return false;
            }
            waitingRequests++;
        }
        pending.add(msg);
        return true;
    }

    /** The oldest waiting message, taken out; null when none waits. */
    HttpObject next() {
        HttpObject msg = pending.poll();
        if (msg instanceof HttpRequest) {
            waitingRequests--;
        }
        return msg;
    }

    /** The next waiting part of the current request's body, taken out; null when the next message is not one. */
    HttpContent nextBodyPart() {
        if (pending.peek() instanceof HttpContent content && !(content instanceof HttpRequest)) {
            pending.poll();
            return content;
        }
        return null;
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** A request whose head was decoded already waits to be served. */
    boolean requestWaiting() {
        return waitingRequests > 0;
    }

    /** The connection is done: nothing that waits will be served. */
    void releaseAll() {
        HttpObject msg;
        while ((msg = pending.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
        waitingRequests = 0;
    }
}
