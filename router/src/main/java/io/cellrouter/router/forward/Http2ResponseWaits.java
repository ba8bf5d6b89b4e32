package io.cellrouter.router.forward;

import io.cellrouter.router.config.RouterConfig;
import io.netty.util.concurrent.EventExecutor;

/**
 * The kinds of wait of one HTTP/2 client connection's exchanges, each kind behind one timer
 * ({@link Http2ResponseDeadlines}): on their cells, for the head of an answer ({@code
 * upstream.responseTimeout}) and for more of an answer that has begun ({@code
 * upstream.responseBodyTimeout}; none when it is zero), in which gRPC streams do not wait; and on
 * the client, to take some of an answer its stream has no room for ({@code proxy.idleTimeout}; none
 * when it is zero).
 *
 * <p>Concurrency: confined to the connection's event loop.
 */
final class Http2ResponseWaits {

    private final Http2ResponseDeadlines head;
    private final Http2ResponseDeadlines body;
    private final Http2ResponseDeadlines client;

    Http2ResponseWaits(EventExecutor loop, RouterConfig.Proxy config) {
        this.head = new Http2ResponseDeadlines(
                loop, config.upstream().responseTimeout().toNanos());
        long bodyNanos = config.upstream().responseBodyTimeout().toNanos();
        this.body = bodyNanos == 0 ? null : new Http2ResponseDeadlines(loop, bodyNanos);
        long clientNanos = config.idleTimeout().toNanos();
        this.client = clientNanos == 0 ? null : new Http2ResponseDeadlines(loop, clientNanos);
    }

    /** The waits for the head of an answer. */
    Http2ResponseDeadlines head() {
        return head;
    }

    /** The waits for more of a begun answer, or null: such answers are not timed. */
    Http2ResponseDeadlines body() {
        return body;
    }

    /** The waits for the client to take some of an answer it has no room for, or null: not timed. */
    Http2ResponseDeadlines client() {
        return client;
    }

    /** The connection is gone: no timer is left behind. */
    void stop() {
        head.stop();
        if (body != null) {
            body.stop();
        }
        if (client != null) {
            client.stop();
        }
    }
}
