package io.cellrouter.router.pipeline;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.ErrorResponses;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.forward.LazyDeadline;
import io.cellrouter.router.forward.RequestHeadListener;
import io.cellrouter.router.transport.LingeringClose;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Guards request heads on the raw bytes, in front of the HTTP/1.1 decoder, for what the decoder
 * cannot see once it has parsed a head:
 * <ul>
 *   <li>slow-loris: once the first byte of a head arrives, the whole head must arrive within
 *       {@code proxy.requestHeaderTimeout}, or the client gets 408 and the connection closes;
 *   <li>obs-fold (RFC 9112 section 5.2): a header line that starts with a space or a tab is 400
 *       and the connection closes (the decoder would join it to the previous line).
 * </ul>
 * The proxy handler tells it when a head is complete ({@link #headReceived}) and when the next
 * one may start ({@link #awaitNextHead}). Bytes after the end of a head (a body) are not scanned.
 * Nor are the heads of pipelined requests that arrive while an exchange runs: the guard sees raw
 * bytes and does not know where a body ends, so it resumes only once no decoded request waits, and
 * stops again when the next head turns out to have passed it already (decoded in the same read as
 * an answer given at once)
 * (the decoder then joins a folded line of such a head to the line before, as it does for any
 * header; the router forwards the joined value, which a cell reads as one field).
 *
 * <p>Concurrency: confined to the connection's event loop.
 */
public final class RequestHeadGuard extends ChannelInboundHandlerAdapter implements RequestHeadListener {

    private final long timeoutMillis;
    private final java.util.function.Consumer<String> onReject;
    private ChannelHandlerContext ctx;
    /** Due while a head is arriving; one lazily re-armed timer per connection, not one per head. */
    private LazyDeadline deadline;

    private boolean awaitingHead = true;
    /** Scanning a head: where in a line we are. */
    private boolean scanning = true;

    private boolean lineStart = true;
    private boolean lineEmpty = true;
    private boolean firstLine = true;
    /** Whether bytes arrived since {@link #awaitNextHead}. */
    private boolean readSinceAwait;

    /** {@code onReject}: counts a rejection by its error code (metrics). */
    RequestHeadGuard(long timeoutMillis, java.util.function.Consumer<String> onReject) {
        this.timeoutMillis = timeoutMillis;
        this.onReject = onReject;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.deadline = new LazyDeadline(ctx.executor(), this::expired);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (rejected) {
            // After the 400, not a byte more reaches the decoder: TLS may hand over the rest of
            // the same socket read after the rejected part, before the lingering close drops reads.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf buf) {
            readSinceAwait |= buf.isReadable();
            passedUnscanned |= !scanning && buf.isReadable();
            if (awaitingHead && !deadline.isArmed() && buf.isReadable()) {
                deadline.arm(TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
            }
            if (scanning && !scan(buf)) {
                buf.release();
                reject(new RouterException(
                        ErrorCode.MALFORMED_REQUEST,
                        folded
                                ? "malformed request: obsolete line folding (obs-fold)"
                                : "malformed request: the request line is not METHOD SP target SP HTTP/x.y"));
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Scans head bytes; false when a line is folded or the request line is loose. Stops at the empty line that ends the head. */
    private boolean scan(ByteBuf buf) {
        folded = false;
        loose = false;
        int stop = buf.forEachByte(scanner);
        // Bytes behind the head's end go to the decoder unscanned: a body, or the next request.
        passedUnscanned |= !scanning && stop >= 0 && stop < buf.writerIndex() - 1;
        return !folded && !loose;
    }

    private boolean folded;
    /**
     * The request line is not exactly {@code METHOD SP target SP HTTP/x.y} (RFC 9112 section 3):
     * a tab or a run of spaces between its parts, or a version not spelt {@code HTTP/}. The decoder
     * would read such a line anyway; another server in the path might read it otherwise.
     */
    private boolean loose;
    /**
     * Whether the request line is checked: only when the guard is sure the bytes it scans start a
     * head. After bytes went to the decoder unscanned (a body, a pipelined request), the decoder
     * may already hold the start of the next head, and the guard would read its middle as a
     * request line; such a head is checked for obs-fold only, as before.
     */
    private boolean checkRequestLine = true;
    /** Bytes were passed on unscanned since the guard last resumed. */
    private boolean passedUnscanned;
    /** In the request line: spaces seen, and how much of {@code HTTP/} after the second one. */
    private int spaces;

    private int versionAt;
    private boolean afterSpace;
    /** The connection was answered with an error and is closing: nothing more is passed on. */
    private boolean rejected;

    /** Visits head bytes; returns false (stop) at the end of the head or at a folded line. */
    private final ByteProcessor scanner = b -> {
        if (b == '\n') {
            if (lineEmpty && !firstLine) {
                scanning = false; // the empty line: the head ends, a body may follow
                return false;
            }
            if (!lineEmpty) {
                firstLine = false;
            }
            lineStart = true;
            lineEmpty = true;
            return true;
        }
        if (lineStart && !firstLine && (b == ' ' || b == '\t')) {
            folded = true;
            return false;
        }
        if (firstLine && checkRequestLine && b != '\r' && !requestLineByte(b)) {
            loose = true;
            return false;
        }
        if (b != '\r') {
            lineEmpty = false;
        }
        lineStart = false;
        return true;
    };

    /** Whether {@code b} may come next in the request line (which the decoder checks further). */
    private boolean requestLineByte(byte b) {
        if (b == '\t') {
            return false;
        }
        if (b == ' ') {
            boolean single = !lineStart && !afterSpace && ++spaces <= 2;
            afterSpace = true;
            return single;
        }
        afterSpace = false;
        if (spaces == 2 && versionAt < VERSION.length) {
            return b == VERSION[versionAt++];
        }
        return true;
    }

    private static final byte[] VERSION = {'H', 'T', 'T', 'P', '/'};

    /** A request head was decoded: stop the clock until the next one starts. */
    @Override
    public void headReceived() {
        awaitingHead = false;
        deadline.disarm();
        if (scanning && !readSinceAwait) {
            // The head came from bytes that passed before the guard resumed (decoded in the same
            // read as an answer that ended at once): the bytes that follow may be its body.
            scanning = false;
        }
    }

    /** The exchange ended and the connection stays open: the next bytes start a new head. */
    @Override
    public void awaitNextHead() {
        awaitingHead = true;
        scanning = true;
        readSinceAwait = false;
        lineStart = true;
        lineEmpty = true;
        firstLine = true;
        spaces = 0;
        versionAt = 0;
        afterSpace = false;
        checkRequestLine = !passedUnscanned;
        passedUnscanned = false;
    }

    private void expired() {
        if (!awaitingHead || !ctx.channel().isActive()) {
            return;
        }
        reject(new RouterException(
                ErrorCode.REQUEST_TIMEOUT, "request head not received within " + timeoutMillis + " ms"));
    }

    private void reject(RouterException error) {
        rejected = true;
        cancel();
        awaitingHead = false;
        scanning = false;
        onReject.accept(error.code().code());
        ctx.channel().config().setAutoRead(false);
        LingeringClose.closeAfter(ctx.writeAndFlush(ErrorResponses.http1Bytes(ctx.alloc(), error)), true);
    }

    private void cancel() {
        if (deadline != null) {
            deadline.stop();
        }
    }
}
