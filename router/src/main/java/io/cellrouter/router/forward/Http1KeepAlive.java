package io.cellrouter.router.forward;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;

/**
 * Whether an HTTP/1.1 client connection carries another request after the current one. Decided
 * when a request's head arrives: the client asked for it (HTTP/1.1 unless {@code Connection:
 * close}, HTTP/1.0 with {@code Connection: keep-alive}), the router is not draining, and the
 * connection is younger than {@code limits.maxConnectionAge} (0: no limit). Anything may still end
 * it after the current answer: a drain, a move, an answer framed by the cell's close, an error.
 *
 * <p>Time is the event loop's ticker. Concurrency: one per client connection, confined to its event
 * loop.
 */
final class Http1KeepAlive {

    private final DrainState drain;
    private final EventExecutor loop;
    private final long maxAgeNanos;
    private final long openedNanos;

    private boolean keep;
    /** The client asked for the connection to carry more requests (it may send them before it reads the answer). */
    private boolean asked;
    /** The client spoke HTTP/1.1 (the request is forwarded as HTTP/1.1 whatever it was). */
    private boolean clientHttp11;
    /** The current answer's head went out without {@code Connection: close}: the client may send more. */
    private boolean promised;

    Http1KeepAlive(DrainState drain, Duration maxConnectionAge, EventExecutor loop) {
        this.drain = drain;
        this.loop = loop;
        this.maxAgeNanos = maxConnectionAge.toNanos();
        this.openedNanos = loop.ticker().nanoTime();
    }

    /** A request's head arrived: whether the connection outlives its exchange, as far as it is known now. */
    void begin(HttpRequest request) {
        asked = HttpUtil.isKeepAlive(request);
        keep = asked && !drain.draining() && !tooOld();
        clientHttp11 = HttpVersion.HTTP_1_1.equals(request.protocolVersion());
        promised = false;
    }

    /** The current answer's head is going out now, saying whether the connection stays ({@link #keeps}). */
    void answerHeadSent() {
        promised = keep;
    }

    /** The connection carries another request after the current exchange. */
    boolean keeps() {
        return keep;
    }

    /** The client asked to keep the connection, whatever the router then decided. */
    boolean clientAsked() {
        return asked;
    }

    boolean clientHttp11() {
        return clientHttp11;
    }

    /** The connection ends with the current exchange. */
    void closeAfterAnswer() {
        keep = false;
    }

    /**
     * The connection had better end with the current exchange (its customer moved): only while the
     * answer can still say so. Once its head went out without {@code Connection: close}, the client
     * may already have sent its next request, and closing would lose it: the connection goes on,
     * and that request is routed anew like every request.
     */
    void closeAfterAnswerIfUnsaid() {
        if (!promised) {
            keep = false;
        }
    }

    private boolean tooOld() {
        return maxAgeNanos > 0 && loop.ticker().nanoTime() - openedNanos > maxAgeNanos;
    }
}
