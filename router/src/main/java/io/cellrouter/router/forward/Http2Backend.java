package io.cellrouter.router.forward;

import io.cellrouter.router.transport.TlsFailures;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One multiplexed HTTP/2 connection to a cell, as a single connection handler: frames are read
 * with a listener ({@link Http2BackendFrames}: no child channel per stream, no conversion) and
 * handed to the {@link CellStreamListener} of the stream's exchange ({@link Http2BackendStreams});
 * requests are written with the encoder.
 *
 * <pre>
 *  exchange ──CellStream.write*──▶ Http2Backend (encoder) ──▶ [SslHandler] ──▶ cell
 *  exchange ◀──CellStreamListener── Http2Backend (frame listener) ◀──────────── cell
 * </pre>
 *
 * <p>Flow control runs end to end on each stream: a DATA frame from the cell is not acknowledged on
 * its stream when it arrives but when the exchange says its bytes have left the router ({@link
 * CellStream#consumed}), so a slow client holds back its own stream of the cell instead of filling
 * the router's memory: at most {@link #STREAM_WINDOW} per stream. The connection's window is
 * acknowledged as DATA arrives (Netty's auto-refilled connection window): the streams of one cell
 * connection carry many customers, and a window they shared would let a client that reads nothing
 * stall every stream beside its own (RFC 9113 section 5.2). Netty's local flow controller
 * batches the WINDOW_UPDATEs (half a window at a time).
 *
 * <p>A stream that ends without END_STREAM (reset by the cell, closed with the connection, or
 * above the last stream id of the cell's GOAWAY) is reported to its listener once, as failed, with
 * whether the cell never processed it (then it may be sent again).
 *
 * <p>Concurrency: confined to the connection's event loop, which is the event loop of every
 * exchange that uses it.
 */
final class Http2Backend extends Http2ConnectionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(Http2Backend.class);

    /**
     * The connection window, acknowledged as DATA arrives: what the cell may send ahead of the
     * router's reads, not what the router holds (the stream windows bound that).
     */
    static final int CONNECTION_WINDOW = 4 * 1024 * 1024;

    /**
     * Each stream's window: bounds what one answer may hold inside the router, and so what a client
     * that reads nothing makes the router hold: this much per stream it opens (as haproxy's default
     * window towards its servers). Within a data centre it lets a stream go at about 64 KiB per
     * round trip to the cell, over 100 MB/s at half a millisecond.
     */
    static final int STREAM_WINDOW = 64 * 1024;

    /**
     * Stream ids kept back when counting what is left: a head refused at once (over the cell's
     * limit) takes an id without making a stream, so the last stream made may trail the ids taken.
     */
    static final int SPARE_STREAM_IDS = 100;

    private final Http2BackendStreams streams = new Http2BackendStreams();
    private final Promise<Void> ready;
    private final String cell;
    private ChannelHandlerContext ctx;

    private boolean goingAway;
    private boolean dirty;

    Http2Backend(
            Http2ConnectionDecoder decoder,
            Http2ConnectionEncoder encoder,
            Http2Settings settings,
            Promise<Void> ready,
            String cell) {
        super(decoder, encoder, settings);
        this.ready = ready;
        this.cell = cell;
        decoder.frameListener(new Http2BackendFrames(this, streams));
        connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                streamClosed(stream);
            }
        });
        encoder.flowController().listener(stream -> {
            CellStream s = streams.get(stream.id());
            if (s != null && !s.ended()) {
                s.listener().cellWritabilityChanged(encoder().flowController().isWritable(stream));
            }
        });
    }

    /** A handler for a new connection to {@code cell}; {@code ready} completes with its first SETTINGS. */
    static Http2Backend create(Promise<Void> ready, String cell) {
        return new Http2BackendBuilder(ready, cell).create();
    }

    Promise<Void> ready() {
        return ready;
    }

    /** The name of the cell this connection goes to. */
    String cell() {
        return cell;
    }

    /**
     * Whether another stream may be opened now (or, before SETTINGS, once the connection is ready):
     * not once either side sent GOAWAY, nor when the stream ids run out (a long-lived connection
     * takes 2^30 streams: each would be refused, see {@link #SPARE_STREAM_IDS}).
     */
    boolean hasRoom(int assumedMaxStreams) {
        if (goingAway
                || connection().goAwayReceived()
                || connection().goAwaySent()
                || (ready.isDone() && !ready.isSuccess())) {
            return false;
        }
        int max = ready.isSuccess() ? maxStreams() : assumedMaxStreams;
        int open = streams.open();
        return open < max && open < streamIdsLeft() - SPARE_STREAM_IDS;
    }

    /** The stream ids not used yet: the router's are odd, up to 2^31-1. */
    private int streamIdsLeft() {
        return (Integer.MAX_VALUE - connection().local().lastStreamCreated()) / 2;
    }

    /** The streams the cell allows at once on this connection (its SETTINGS, once ready). */
    int maxStreams() {
        return connection().local().maxActiveStreams();
    }

    /** A new stream for {@code listener}; its id is taken when its head is written. */
    CellStream open(CellStreamListener listener) {
        streams.opened();
        return new CellStream(this, listener);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.handlerAdded(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx); // sends the preface and SETTINGS first
        Http2Stream connectionStream = connection().connectionStream();
        int delta = CONNECTION_WINDOW - decoder().flowController().windowSize(connectionStream);
        if (delta > 0) {
            decoder().flowController().incrementWindowSize(connectionStream, delta);
        }
    }

    void writeHeaders(CellStream s, Http2Headers headers, boolean endStream) {
        int id = connection().local().incrementAndGetNextStreamId();
        s.id(id);
        streams.bind(id, s);
        ChannelPromise promise = ctx.newPromise();
        promise.addListener(f -> {
            if (!f.isSuccess()) {
                streams.failed(
                        s,
                        new UpstreamResetException(
                                Http2Error.INTERNAL_ERROR,
                                true,
                                "request head not sent: " + f.cause().getMessage()));
                if (connection().stream(id) == null && streams.remove(id) != null) {
                    // Netty never made the stream (over the cell's SETTINGS_MAX_CONCURRENT_STREAMS,
                    // say): no close will come to count it out.
                    closedStream();
                }
            }
        });
        encoder().writeHeaders(ctx, id, headers, 0, endStream, promise);
        dirty = true; // flushed by the caller (flushNow), once per read of the other side
    }

    void writeData(CellStream s, ByteBuf data, boolean endStream, Runnable onWritten) {
        ChannelPromise promise = ctx.newPromise();
        if (onWritten != null) {
            promise.addListener(f -> {
                if (f.isSuccess()) {
                    onWritten.run();
                }
            });
        }
        encoder().writeData(ctx, s.id(), data, 0, endStream, promise);
        dirty = true;
    }

    void writeTrailers(CellStream s, Http2Headers trailers) {
        encoder().writeHeaders(ctx, s.id(), trailers, 0, true, ctx.newPromise());
        dirty = true;
    }

    /** Writes out what was queued (flow-controlled DATA included) and flushes the socket. */
    void flushNow() {
        if (dirty && ctx != null) {
            dirty = false;
            flush(ctx);
        }
    }

    boolean isWritable(CellStream s) {
        Http2Stream stream = s.id() == 0 ? null : connection().stream(s.id());
        return stream == null || encoder().flowController().isWritable(stream);
    }

    void consumed(CellStream s, int bytes) {
        Http2Stream stream = connection().stream(s.id());
        if (stream == null || bytes <= 0) {
            return;
        }
        try {
            if (decoder().flowController().consumeBytes(stream, bytes)) {
                ctx.flush(); // a WINDOW_UPDATE was written
            }
        } catch (Http2Exception e) {
            onError(ctx, true, e);
        }
    }

    void reset(CellStream s, Http2Error code) {
        if (s.id() == 0) {
            closedStream(); // never written: only the count
            return;
        }
        streams.remove(s.id());
        if (connection().stream(s.id()) == null) {
            return; // closed both ways already, and counted out then (or never made: see writeHeaders)
        }
        resetStream(ctx, s.id(), code.code(), ctx.newPromise());
        ctx.flush();
    }

    /**
     * Whether the router's side of the stream has ended: its END_STREAM written to the socket (not
     * only queued for the cell's window), or the stream closed. False for a stream never written.
     */
    boolean requestEnded(CellStream s) {
        if (s.id() == 0) {
            return false;
        }
        Http2Stream stream = connection().stream(s.id());
        return stream == null
                || stream.state() == Http2Stream.State.HALF_CLOSED_LOCAL
                || stream.state() == Http2Stream.State.CLOSED;
    }

    private void streamClosed(Http2Stream stream) {
        CellStream s = streams.remove(stream.id());
        if (s != null && !s.ended()) {
            streams.failed(s, howClosed(stream));
        }
        closedStream();
    }

    /**
     * Why a stream the cell neither ended nor reset closed: it was above the last stream id of the
     * cell's GOAWAY (never processed), the connection went away under it (closed, dropped), or the
     * codec reset it (what the cell sent on it broke HTTP/2).
     */
    private UpstreamResetException howClosed(Http2Stream stream) {
        if (connection().goAwayReceived() && stream.id() > connection().local().lastStreamKnownByPeer()) {
            return new UpstreamResetException(
                    Http2Error.INTERNAL_ERROR, true, "cell sent GOAWAY before processing the stream");
        }
        if (ctx == null || !ctx.channel().isActive()) {
            return UpstreamResetException.connectionLost("connection to the cell was lost");
        }
        return new UpstreamResetException(Http2Error.INTERNAL_ERROR, false, "stream closed by the cell");
    }

    private void closedStream() {
        streams.closed();
        if ((goingAway || connection().goAwayReceived()) && streams.open() == 0 && ctx != null) {
            ctx.close();
        }
    }

    /** No new streams here (the cell allows none); the connection closes once its streams have. */
    void retire() {
        if (ctx != null) {
            goingAway(ctx);
        }
    }

    /** The cell sent GOAWAY: no new streams here; the connection closes once its streams have. */
    void goingAway(ChannelHandlerContext ctx) {
        goingAway = true;
        if (streams.open() == 0) {
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        streams.readComplete();
        super.channelReadComplete(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
            ready.tryFailure(handshake.cause());
            ctx.close();
        } else if (evt instanceof IdleStateEvent && streams.open() == 0) {
            ctx.close();
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        ready.tryFailure(new IOException("connection to cell " + cell + " closed"));
        // Netty closes every stream now: each open one is reported failed (streamClosed).
        super.channelInactive(ctx);
    }

    /**
     * What the cell sent on a stream broke HTTP/2 (a field an answer may not carry, an upper-case
     * name, more DATA than the window): the codec resets the stream, and its exchange hears of an
     * invalid answer ({@code bad_cell_response}), not of a stream the cell closed.
     */
    @Override
    protected void onStreamError(
            ChannelHandlerContext ctx, boolean outbound, Throwable cause, Http2Exception.StreamException http2Ex) {
        CellStream s = outbound ? null : streams.get(http2Ex.streamId());
        if (s != null) {
            streams.badResponse(s, "HTTP/2 " + http2Ex.error() + ": " + http2Ex.getMessage());
        }
        super.onStreamError(ctx, outbound, cause, http2Ex);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (TlsFailures.sslFailure(cause) != null) {
            // TLS with the cell failed (mostly the handshake: its certificate refused, a plaintext
            // cell): the streams fail as cell_unreachable. Not passed on, where the pipeline's
            // end would log it at WARN, and logged without the message, which may quote the
            // cell's bytes.
            LOG.debug(
                    "{} TLS with cell {} failed: {} ({})",
                    ctx.channel(),
                    cell,
                    TlsFailures.reason(cause),
                    TlsFailures.describe(cause));
            ready.tryFailure(cause);
            ctx.close();
            return;
        }
        LOG.debug("{} upstream HTTP/2 connection to {} failed", ctx.channel(), cell, cause);
        ready.tryFailure(cause);
        if (cause instanceof IOException && Http2CodecUtil.getEmbeddedHttp2Exception(cause) == null) {
            // The connection broke (a reset, a broken pipe): its streams fail as the cell's error
            // when it closes. Passed on, it would reach the pipeline's end, a WARN with a stack
            // trace for every connection a faulty cell resets.
            ctx.close();
            return;
        }
        super.exceptionCaught(ctx, cause);
    }
}
