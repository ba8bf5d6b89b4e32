package io.cellrouter.router.forward;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RequestErrors;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.identity.RequestTarget;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * An HTTP/1.1 client's request on its way to the cell ({@link Http1Exchange}'s request side; the
 * answer comes back through {@link Http1ResponseRelay}):
 *
 * <pre>
 *  head ─▶ forwarding headers, origin-form target, HTTP/1.1 ─▶ cell side
 *          └ kept for one replay (ReplayBuffer), copied for a sampled shadow (ShadowCapture)
 *  body part ─▶ size limit (payload_too_large) ─▶ replay, shadow ─▶ cell side
 * </pre>
 *
 * <p>The request is kept for a replay until the answer starts: a refused HTTP/2 stream, or an
 * idempotent request whose reused connection closed unanswered ({@link ReusedConnectionClosed}),
 * is sent once more to the same cell, a 421 once to another ({@link MisrouteCorrection}); never
 * two of these.
 *
 * <p>Concurrency: one per client connection, reused request after request, confined to its event
 * loop; no allocation per body part.
 */
final class Http1RequestRelay {

    private final ProxyContext context;
    private final ExchangeLog log;
    private final EventLoop loop;
    private final long maxBodySize;
    /** Trailer fields at most, as header fields ({@code proxy.maxHeaderCount}). */
    private final int maxFieldCount;

    private HttpRequest head;
    /** The normalised target: what identity read and what the cell receives. */
    private RequestTarget target;

    private boolean complete;
    private boolean headSent;
    private ReplayBuffer replay;
    private boolean retried;
    /** The request had no Host: the router gave it the cell's authority (and gives it the next cell's on a correction). */
    private boolean hostAdded;
    /** The copy of this request for the customer's shadow, if it was sampled ({@link ShadowSender}). */
    private ShadowCapture shadow;

    Http1RequestRelay(ProxyContext context, ExchangeLog log, EventLoop loop) {
        this.context = context;
        this.log = log;
        this.loop = loop;
        this.maxBodySize = context.config().limits().maxBodySize();
        this.maxFieldCount = context.config().limits().maxHeaderCount();
    }

    /** A new request: its head has arrived (with its whole body, if it came as one message). */
    void begin(HttpRequest request) {
        head = request;
        complete = request instanceof LastHttpContent;
        if (request instanceof LastHttpContent whole) {
            RequestTrailers.toCell(whole.trailingHeaders(), context.router().identityFields());
        }
    }

    /** Reads the request's target; the exchange ends with the exception when it is not valid. */
    RequestTarget parseTarget() throws RouterException {
        target = RequestTarget.parse(head.uri());
        return target;
    }

    /**
     * The client waits for a {@code 100 Continue} before it sends its body: it asked for one and
     * has sent none of its body yet (a client stops waiting after a while, curl after a second).
     */
    boolean expectsContinue() {
        return log.bytesIn == 0 && HttpUtil.is100ContinueExpected(head);
    }

    /** The last part of the request has been relayed (or came with the head). */
    boolean complete() {
        return complete;
    }

    /**
     * Something of the request is still to come on the client connection. A request without a body
     * is complete at its head: its empty last part, still in the decoder, is dropped when it arrives.
     * False between requests.
     */
    boolean bodyToCome() {
        return head != null && !(complete || bodyless(head));
    }

    /** Sends the head to the cell: rewritten for it the first time, as it was when sent again. */
    void send(CellLeg leg, boolean websocket) {
        if (replay != null) {
            log.forwarded(loop.ticker().nanoTime(), context.recorder().metrics());
            replay.replayTo(leg); // a retry: the first stream was refused, or the first cell answered 421
            return;
        }
        ForwardHeaders.toCell(
                head.headers(),
                log.client,
                context.scheme(),
                log.cell.name(),
                context.router().identityFields());
        ForwardHeaders.nameCustomer(head.headers(), log.customer());
        FramingFields.canonical(head);
        if (websocket) {
            WebSocketHandshake.toCell(head.headers()); // its Upgrade, which toCell removed
        }
        head.setUri(target.originForm());
        // The cell connection stays keep-alive even when the client's does not (Connection was
        // removed as a hop-by-hop header), so the pooled connection can serve the next one.
        head.setProtocolVersion(HttpVersion.HTTP_1_1);
        hostAdded = !head.headers().contains(HttpHeaderNames.HOST);
        if (hostAdded) {
            // An HTTP/1.0 request may have none; as HTTP/1.1 it must (RFC 9112 section 3.2).
            head.headers().set(HttpHeaderNames.HOST, log.cell.endpoint().getRawAuthority());
        }
        headSent = true;
        if (!retried && !(head instanceof HttpContent)) {
            replay = new ReplayBuffer(head); // a refused HTTP/2 stream, or a misroute (421)
        }
        // A WebSocket handshake is not shadowed: its copy would open a session on the shadow cell.
        shadow = websocket ? null : context.migration().shadows().sample(log);
        if (shadow != null) {
            shadow.head(head);
            if (hostAdded) {
                shadow.hostOfItsCell();
            }
        }
        // Counted before the write: a write that fails at once ends the exchange, whose end uncounts it.
        log.forwarded(loop.ticker().nanoTime(), context.recorder().metrics());
        leg.write(head);
    }

    /**
     * Sends a part of the body to the cell. Returns null, or the error that ends the exchange (an
     * undecodable part, a body over the limit, more trailer fields than header fields may be); the
     * part is released then.
     */
    RouterException relay(CellLeg leg, HttpContent part) {
        if (part.decoderResult().isFailure()) {
            part.release();
            return RequestErrors.decoding(part.decoderResult().cause());
        }
        log.bytesIn += part.content().readableBytes();
        if (log.bytesIn > maxBodySize) {
            part.release();
            return new RouterException(
                    ErrorCode.PAYLOAD_TOO_LARGE, "request body larger than " + maxBodySize + " bytes");
        }
        if (part instanceof LastHttpContent last) {
            if (last.trailingHeaders().size() > maxFieldCount) {
                part.release();
                return new RouterException(
                        ErrorCode.HEADERS_TOO_LARGE, "more than " + maxFieldCount + " trailer fields");
            }
            complete = true;
            RequestTrailers.toCell(last.trailingHeaders(), context.router().identityFields());
        }
        if (replay != null) {
            replay.add(part);
        }
        if (shadow != null) {
            shadow.add(part);
        }
        leg.write(part);
        return null;
    }

    /**
     * The router answers instead of the cell: a head never sent is released, and the parts of this
     * request that were read already are not forwarded anywhere.
     */
    void dropUnsent(Http1ReadGate reads) {
        if (!headSent) {
            ReferenceCountUtil.release(head);
        }
        HttpContent part;
        while (!complete && (part = reads.nextBodyPart()) != null) {
            complete = part instanceof LastHttpContent;
            part.release();
        }
    }

    /** The cell's answer has started: the request will not be sent again. */
    void answered() {
        dropReplay();
    }

    /** Whether the request can be sent once more as it was: kept whole, never sent again before. */
    boolean replayable() {
        return replay != null && replay.replayable() && !retried;
    }

    /** Whether sending the request twice does no more than sending it once ({@link IdempotentRequests}). */
    boolean idempotent() {
        return IdempotentRequests.test(
                head.method().name(), head.headers().contains(IdempotentRequests.IDEMPOTENCY_KEY));
    }

    /** Whether a 421 can be corrected: the request is complete and {@link #replayable}. */
    boolean correctable() {
        return complete && replayable();
    }

    /** The request is about to be sent once more, to the same cell. */
    void retrying() {
        retried = true;
    }

    /** The request is about to be sent once more, to {@code cell} (a misroute correction). */
    void redirect(Cell cell) {
        retried = true;
        shadow = ShadowCapture.dropIfFor(shadow, cell);
        head.headers().set(ForwardHeaders.X_CELL_ROUTER_CELL, cell.name());
        if (hostAdded) {
            head.headers().set(HttpHeaderNames.HOST, cell.endpoint().getRawAuthority());
        }
        ForwardHeaders.removeConversionHeaders(head.headers());
    }

    /**
     * The exchange is over: the shadow copy leaves (only after the cell's whole answer to the whole
     * request) or is let go; the replay is let go.
     */
    void end(boolean answeredByCell) {
        if (shadow != null) {
            shadow.end(answeredByCell && complete ? log.status : -1, loop);
            shadow = null;
        }
        dropReplay();
        retried = false;
        hostAdded = false;
        head = null;
        target = null;
        headSent = false;
    }

    private void dropReplay() {
        if (replay != null) {
            replay.release();
            replay = null;
        }
    }

    private static boolean bodyless(HttpRequest request) {
        if (request.decoderResult().isFailure() || request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            return false;
        }
        String length = request.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        return length == null || "0".equals(length.trim());
    }
}
