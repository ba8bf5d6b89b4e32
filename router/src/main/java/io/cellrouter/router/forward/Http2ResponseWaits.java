package io.cellrouter.router.forward;

import io.cellrouter.router.config.RouterConfig;
import io.netty.util.concurrent.EventExecutor;

/**
 * The two kinds of wait of one HTTP/2 client connection's exchanges on their cells, each kind
 * behind one timer ({@link Http2ResponseDeadlines}): for the head of an answer ({@code
 * upstream.responseTimeout}), and for more of an answer that has begun ({@code
 * upstream.responseBodyTimeout}; none when it is zero). gRPC streams wait in neither.
 *
 * <p>Concurrency: confined to the connection's event loop.
 */
final class Http2ResponseWaits {

    private final Http2ResponseDeadlines head;
    private final Http2ResponseDeadlines body;

    Http2ResponseWaits(EventExecutor loop, RouterConfig.Upstream upstream) {
        this.head = new Http2ResponseDeadlines(loop, upstream.responseTimeout().toNanos());
        long bodyNanos = upstream.responseBodyTimeout().toNanos();
        this.body = bodyNanos == 0 ? null : new Http2ResponseDeadlines(loop, bodyNanos);
    }

    /** The waits for the head of an answer. */
    Http2ResponseDeadlines head() {
        return head;
    }

    /** The waits for more of a begun answer, or null: such answers are not timed. */
    Http2ResponseDeadlines body() {
        return body;
    }

    /** The connection is gone: no timer is left behind. */
    void stop() {
        head.stop();
        if (body != null) {
            body.stop();
        }
    }
}
