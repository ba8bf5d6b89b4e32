package io.cellrouter.router.forward;

import io.netty.channel.ChannelConfig;
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
 *  IDLE                  read
 *  ROUTING, CONNECTING   read while fewer than MAX_PENDING messages wait
 *  FORWARDING  body      read while the cell side takes more and nothing waits
 *              complete  read while fewer than MAX_PENDING messages wait (pipelined requests)
 *  CLOSED                not read
 * </pre>
 *
 * <p>Turning reads off and on costs a system call each (epoll_ctl), so the common exchange (head
 * and body in one read, route from the cache, no pipelining) never toggles: while routing or
 * waiting for the response, a few messages may wait here; only a body arriving while routing is
 * slow, or a client that pipelines, fills it and turns reading off.
 *
 * <p>Concurrency: one per client connection, confined to its event loop.
 */
final class Http1ReadGate {

    /** Messages that may wait while routing or while a response is on its way. */
    static final int MAX_PENDING = 4;

    private final ArrayDeque<HttpObject> pending = new ArrayDeque<>(MAX_PENDING);
    private final ChannelConfig config;

    Http1ReadGate(ChannelConfig config) {
        this.config = config;
    }

    /** Reads from the client while there is somewhere for the data to go ({@code leg} may be null). */
    void update(Http1Exchange.State state, boolean requestComplete, CellLeg leg) {
        boolean read =
                switch (state) {
                    case IDLE -> true;
                    case ROUTING, CONNECTING -> pending.size() < MAX_PENDING;
                    case FORWARDING ->
                        requestComplete
                                ? pending.size() < MAX_PENDING
                                : leg != null && leg.isWritable() && pending.isEmpty();
                    case CLOSED -> false;
                };
        if (config.isAutoRead() != read) {
            config.setAutoRead(read);
        }
    }

    /** {@code msg} waits until the exchange can take it (a body part while routing, a pipelined request). */
    void hold(HttpObject msg) {
        pending.add(msg);
    }

    /** The oldest waiting message, taken out; null when none waits. */
    HttpObject next() {
        return pending.poll();
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

    /** The connection is done: nothing that waits will be served. */
    void releaseAll() {
        HttpObject msg;
        while ((msg = pending.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }
}
