package io.cellrouter.router.forward;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Iterator;

/**
 * Checks a cell's response head before the relay sees it, for what Netty's decoder accepts but an
 * edge must not pass on: a status outside 100–599, a version other than HTTP/1.0 or HTTP/1.1, a
 * 101 the router did not ask for, a {@code Transfer-Encoding} other than
 * exactly {@code chunked}, {@code Transfer-Encoding} together with {@code Content-Length}, more than
 * one {@code Content-Length}, and framing headers on a 1xx or 204 (which have no body).
 *
 * <p>A response that fails is not dropped here: its decoder result is marked failed with a
 * {@code bad_cell_response} {@link RouterException}, so that the relay answers through its one
 * error path (502 when nothing was sent yet) and closes the connection to the cell.
 *
 * <p>{@code http2}: the response came from an HTTP/2 stream (converted to an {@code HttpResponse}),
 * whose framing is the stream's own: only the status is checked.
 *
 * <p>A 101 is refused on every connection but one the router opened for a WebSocket handshake
 * ({@link #UPGRADE}), and there it must be the handshake's answer ({@link WebSocketHandshake#switchProblem}).
 */
@ChannelHandler.Sharable
final class CellResponseValidator extends ChannelInboundHandlerAdapter {

    /**
     * Informational (1xx) answers passed on per exchange; one more makes the cell's answer invalid.
     * On HTTP/2 they are HEADERS frames outside flow control, so a cell that sent them without end
     * would grow the client connection's outbound buffer without bound (and keep a gRPC exchange,
     * which has no wait for the answer's head, alive for ever).
     */
    static final int MAX_INTERIM_ANSWERS = 16;

    static final CellResponseValidator HTTP1 = new CellResponseValidator(false);
    static final CellResponseValidator HTTP2 = new CellResponseValidator(true);
    /** The connection of a WebSocket handshake: its 101 is the answer it asked for, when it matches. */
    static final CellResponseValidator UPGRADE = new CellResponseValidator(false, true);

    private final boolean http2;
    private final boolean upgrade;

    private CellResponseValidator(boolean http2) {
        this(http2, false);
    }

    private CellResponseValidator(boolean http2, boolean upgrade) {
        this.http2 = http2;
        this.upgrade = upgrade;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse response && response.decoderResult().isSuccess()) {
            String problem = check(
                    response,
                    upgrade ? ctx.channel().attr(WebSocketHandshake.SENT_KEY).get() : null);
            if (problem != null) {
                response.setDecoderResult(DecoderResult.failure(
                        new RouterException(ErrorCode.BAD_CELL_RESPONSE, "invalid response: " + problem)));
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Checks a response of a connection that sent no WebSocket handshake: no 101 is valid. */
    String check(HttpResponse response) {
        return check(response, null);
    }

    /** {@code sentKey}: the WebSocket key the router sent on this connection, or null (no 101 is valid). */
    String check(HttpResponse response, String sentKey) {
        int status = response.status().code();
        if (status < 100 || status > 599) {
            return "status " + status + " is outside 100-599";
        }
        if (status == 101) {
            String problem = WebSocketHandshake.switchProblem(response, sentKey);
            if (problem != null) {
                return problem;
            }
        }
        if (http2) {
            return null;
        }
        HttpVersion version = response.protocolVersion();
        if (!HttpVersion.HTTP_1_1.equals(version) && !HttpVersion.HTTP_1_0.equals(version)) {
            return "version " + version.text() + " is not HTTP/1.0 or HTTP/1.1";
        }
        HttpHeaders headers = response.headers();
        // Values are walked where they lie (no list of them per answer).
        Iterator<? extends CharSequence> transferEncodings =
                headers.valueCharSequenceIterator(HttpHeaderNames.TRANSFER_ENCODING);
        Iterator<? extends CharSequence> lengths = headers.valueCharSequenceIterator(HttpHeaderNames.CONTENT_LENGTH);
        CharSequence length = lengths.hasNext() ? lengths.next() : null;
        boolean bodyless = status < 200 || status == 204;
        if (transferEncodings.hasNext()) {
            if (bodyless) {
                return "Transfer-Encoding on a " + status;
            }
            String only = transferEncodings.next().toString();
            if (transferEncodings.hasNext() || !"chunked".equalsIgnoreCase(only.trim())) {
                return "Transfer-Encoding must be exactly 'chunked'";
            }
            if (length != null) {
                return "both Transfer-Encoding and Content-Length";
            }
        }
        if (length != null && lengths.hasNext()) {
            return "more than one Content-Length";
        }
        if (bodyless && length != null && !"0".equals(length.toString().trim())) {
            return "a body length on a " + status;
        }
        return null;
    }
}
