package io.cellrouter.router.forward;

import io.cellrouter.router.transport.ClientAddress;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.ArrayList;

/**
 * A client's HTTP/2 connection, as one connection handler: each stream is an {@link
 * Http2Exchange}, routed on its own, whose frames are relayed to the cell as frames (an HTTP/2
 * cell) or converted once (an HTTP/1.1 cell). No child channel per stream, no per-stream pipeline.
 *
 * <pre>
 *  client ─▶ [tls] ─▶ h2-headers ─▶ Http2Frontend ──frames──▶ Http2Exchange ──▶ CellStream (Http2Backend) ─▶ cell
 *                                        ▲                          └──────▶ Http2ToHttp1Leg ─▶ pooled HTTP/1.1 ─▶ cell
 *                                        └──────── response frames ◀─────────────┘
 * </pre>
 *
 * <p>Flow control is end to end: a client's DATA is acknowledged once the cell side has taken it,
 * and a cell's once it has been written to the client, so neither a slow cell nor a slow client
 * makes the router hold more than a stream window per stream. Writes to cells made while reading
 * the client are flushed once, at the end of the read; a read's small DATA frames are joined per
 * stream before they go on ({@link Http2SmallFrames}).
 *
 * <p>Limits (README: HTTP/2 protections): SETTINGS_MAX_CONCURRENT_STREAMS (a stream over it is
 * refused), SETTINGS_MAX_HEADER_LIST_SIZE, header validation, rapid-reset and CONTINUATION-flood
 * bounds, control-frame flood bound, empty-DATA bound. Idle: a connection with no stream for
 * {@code proxy.idleTimeout} is closed. Drain: {@link Http2GoAways}.
 *
 * <p>Concurrency: confined to the connection's event loop, as are its exchanges' cell sides.
 */
public final class Http2Frontend extends Http2ConnectionHandler {

    static final int MAX_RST_FRAMES = 200;
    static final int RST_WINDOW_SECONDS = 30;
    static final int MAX_QUEUED_CONTROL_FRAMES = 10_000;
    static final int MAX_SMALL_CONTINUATION_FRAMES = 16;
    static final int MAX_CONSECUTIVE_EMPTY_DATA_FRAMES = 2;

    private final ProxyContext context;
    private final IntObjectMap<Http2Exchange> exchanges = new IntObjectHashMap<>();
    /** Exchanges whose cell side was written to during the current read: flushed at its end. */
    private final ArrayList<Http2Exchange> touched = new ArrayList<>();
    /** Small DATA frames of the current read, joined per stream: they go on at its end. */
    private final Http2SmallFrames smallFrames = new Http2SmallFrames();

    private final Http2ReplayBudget replayBudget = new Http2ReplayBudget();

    private ChannelHandlerContext ctx;
    private ClientAddress remote;
    private Http2ResponseWaits waits;
    private final Http2GoAways goAways = new Http2GoAways(this);
    private boolean dirty;
    /** Stream 1's body that came in the h2c Upgrade request, outside flow control, not yet taken. */
    private int upgradeBody;
    /** Between a read of the client's bytes and its end: writes to cells wait for {@link #touch}. */
    private boolean reading;

    Http2Frontend(
            Http2ConnectionDecoder decoder,
            Http2ConnectionEncoder encoder,
            Http2Settings settings,
            ProxyContext context) {
        super(decoder, encoder, settings);
        this.context = context;
        decoder.frameListener(new Http2FieldRules(new FrameListener()));
        connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                Http2Exchange exchange = exchanges.remove(stream.id());
                if (exchange != null) {
                    exchange.streamClosed();
                }
            }
        });
        encoder.flowController().listener(stream -> reportWritability(stream.id()));
    }

    /** Tells the stream's exchange whether the client's stream has room (a window opened or closed). */
    void reportWritability(int streamId) {
        Http2Exchange exchange = exchanges.get(streamId);
        if (exchange != null) {
            exchange.clientWritabilityChanged(isWritable(streamId));
        }
    }

    /** Whether {@code channel} is an HTTP/2 client connection that is draining (about to close). */
    public static boolean draining(Channel channel) {
        Http2Frontend frontend = channel.pipeline().get(Http2Frontend.class);
        return frontend != null && frontend.goAways.draining();
    }

    /** The connection handler for a new client connection, with the limits of {@code proxy}. */
    public static Http2Frontend create(ProxyContext context) {
        return new Http2FrontendBuilder(context).create();
    }

    ProxyContext context() {
        return context;
    }

    ClientAddress remote() {
        return remote;
    }

    ChannelHandlerContext ctx() {
        return ctx;
    }

    Http2ResponseWaits responseWaits() {
        return waits;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        remote = ClientAddress.of(ctx.channel());
        waits = new Http2ResponseWaits(ctx.executor(), context.config());
        super.handlerAdded(ctx);
        // The connection window bounds the request bodies one client makes the router hold across
        // its streams (its answers: the cell streams' windows, Http2Backend.STREAM_WINDOW each).
        Http2Stream connectionStream = connection().connectionStream();
        int delta = context.config().http2().connectionWindow()
                - decoder().flowController().windowSize(connectionStream);
        if (delta > 0 && ctx.channel().isActive()) {
            decoder().flowController().incrementWindowSize(connectionStream, delta);
        }
        if (context.drain().draining() && ctx.channel().isActive()) {
            // Became HTTP/2 after the drain's event went by (TLS's ALPN, a late PROXY header).
            drain(ctx);
        }
        // Last, once draining if the router is: its drain is now the GOAWAY's (draining()).
        DrainState.firstRequestBegan(ctx.channel());
    }

    void writeHeaders(int streamId, Http2Headers headers, boolean endStream) {
        encoder().writeHeaders(ctx, streamId, headers, 0, endStream, ctx.newPromise());
        dirty = true;
    }

    void writeData(int streamId, ByteBuf data, boolean endStream, Runnable onWritten) {
        ChannelPromise promise = ctx.newPromise();
        if (onWritten != null) {
            promise.addListener(f -> {
                if (f.isSuccess()) {
                    onWritten.run();
                }
            });
        }
        encoder().writeData(ctx, streamId, data, 0, endStream, promise);
        dirty = true;
    }

    /**
     * Resets the stream; its exchange hears nothing more from this connection. {@code NO_ERROR}
     * follows a complete answer to a client still sending (RFC 9113 section 8.1): the answer's
     * frames queued for the client's window would be dropped by it, so they are written first, and
     * while the window keeps some back no reset is sent (the rest of the request is dropped).
     */
    void reset(int streamId, Http2Error code) {
        if (code == Http2Error.NO_ERROR && hasQueued(streamId)) {
            flush(ctx); // the flow controller writes what the windows allow
            if (hasQueued(streamId)) {
                return; // the stream stays open, and its ended exchange with it (Http2ClientWatch)
            }
        }
        exchanges.remove(streamId);
        resetStream(ctx, streamId, code.code(), ctx.newPromise());
        dirty = true;
    }

    /** Whether the stream is still open for the router to write to. */
    boolean isOpen(int streamId) {
        Http2Stream stream = connection().stream(streamId);
        return stream != null && stream.state().localSideOpen();
    }

    /** Whether frames of the stream wait for the client's window. */
    boolean hasQueued(int streamId) {
        Http2Stream stream = connection().stream(streamId);
        return stream != null && encoder().flowController().hasFlowControlled(stream);
    }

    boolean isWritable(int streamId) {
        Http2Stream stream = connection().stream(streamId);
        return stream != null && encoder().flowController().isWritable(stream);
    }

    Http2ReplayBudget replayBudget() {
        return replayBudget;
    }

    /** {@code bytes} of the stream's request body have been taken by the cell side. */
    void consumed(int streamId, int bytes) {
        if (streamId == 1 && upgradeBody > 0) { // never counted by Netty: nothing to acknowledge
            int uncounted = Math.min(upgradeBody, bytes);
            upgradeBody -= uncounted;
            bytes -= uncounted;
        }
        Http2Stream stream = connection().stream(streamId);
        if (stream == null || bytes <= 0) {
            return;
        }
        try {
            if (decoder().flowController().consumeBytes(stream, bytes)) {
                ctx.flush();
            }
        } catch (Http2Exception e) {
            onError(ctx, true, e);
        }
    }

    /** Writes out what was queued for the client. */
    void flushNow() {
        if (dirty) {
            dirty = false;
            flush(ctx);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        reading = true;
        super.channelRead(ctx, msg);
    }

    /** Whether the client's bytes are being read now (a flush can wait for the end of the read). */
    boolean reading() {
        return reading;
    }

    /** The exchange wrote to its cell during this read: flush it when the read completes. */
    void touch(Http2Exchange exchange) {
        if (!exchange.touched) {
            exchange.touched = true;
            touched.add(exchange);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        for (int streamId : smallFrames.streams()) {
            passJoined(streamId, exchanges.get(streamId));
        }
        reading = false;
        for (int i = 0; i < touched.size(); i++) {
            Http2Exchange exchange = touched.get(i);
            exchange.touched = false;
            exchange.flushCell();
        }
        touched.clear();
        dirty = false;
        super.channelReadComplete(ctx);
    }

    /** What was joined of the stream's small DATA frames goes on to its exchange (dropped if it is gone). */
    private void passJoined(int streamId, Http2Exchange exchange) {
        ByteBuf joined = smallFrames.take(streamId);
        if (joined != null && exchange != null) {
            exchange.requestData(joined, false);
        } else if (joined != null) {
            joined.release();
        }
    }

    private Http2Exchange newExchange(int streamId) {
        Http2Exchange exchange = new Http2Exchange(this, streamId);
        exchanges.put(streamId, exchange);
        return exchange;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            if (connection().numActiveStreams() == 0) {
                ctx.close();
            }
        } else if (evt == DrainState.DRAIN_EVENT) {
            drain(ctx);
        } else if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent upgrade) {
            upgraded(upgrade);
            super.userEventTriggered(ctx, evt);
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    /** The two-step GOAWAY ({@link Http2GoAways}); WebSocket tunnels end within the drain timeout. */
    private void drain(ChannelHandlerContext ctx) {
        if (goAways.start(ctx)) {
            for (Http2Exchange exchange : exchanges.values()) {
                exchange.draining();
            }
        }
    }

    /** h2c by Upgrade: the upgrading HTTP/1.1 request is stream 1, already half-closed by the client. */
    private void upgraded(HttpServerUpgradeHandler.UpgradeEvent upgrade) {
        FullHttpRequest request = upgrade.upgradeRequest();
        Http2Headers headers = Http2RequestHeads.fromHttp1(request, "http"); // an empty Host: no :authority
        Http2Exchange exchange = newExchange(1);
        ByteBuf body = request.content();
        boolean hasBody = body.isReadable();
        exchange.start(headers, !hasBody);
        if (hasBody) {
            upgradeBody = body.readableBytes();
            exchange.requestData(body.retain(), true);
        }
    }

    /** A client's frame broke a stream's rules: see {@link Http2RefusedHeads} before it is reset. */
    @Override
    protected void onStreamError(
            ChannelHandlerContext ctx, boolean outbound, Throwable cause, Http2Exception.StreamException error) {
        if (!outbound) {
            Http2RefusedHeads.open(connection(), error);
        }
        super.onStreamError(ctx, outbound, cause, error);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        // Netty closes every stream now: each exchange still running hears that its client went away.
        super.channelInactive(ctx);
        waits.stop();
        smallFrames.releaseAll();
    }

    /** What the client sends, frame by frame (its header blocks checked by {@link Http2FieldRules} first). */
    private final class FrameListener extends Http2FrameAdapter {
        @Override
        public void onHeadersRead(
                ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endStream)
                throws Http2Exception {
            Http2Exchange exchange = exchanges.get(streamId);
            if (exchange == null) {
                if (connection().stream(streamId) == null) {
                    return; // reset meanwhile
                }
                newExchange(streamId).start(headers, endStream);
            } else if (endStream) {
                if (Http2RequestHeads.fieldCount(headers)
                        > context.config().limits().maxHeaderCount()) {
                    passJoined(streamId, null); // the body's last small frames go nowhere either
                    throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, "too many trailer fields");
                }
                passJoined(streamId, exchange); // the body's last bytes before the trailers
                exchange.requestTrailers(
                        RequestTrailers.toCell(headers, context.router().identityFields()));
            } else {
                throw Http2Exception.streamError(
                        streamId, Http2Error.PROTOCOL_ERROR, "a second HEADERS frame must end the stream");
            }
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endStream) {
            Http2Exchange exchange = exchanges.get(streamId);
            if (exchange == null) {
                return data.readableBytes() + padding;
            }
            if (reading && Http2SmallFrames.joins(data, endStream)) {
                ByteBuf full = smallFrames.add(streamId, data, ctx.alloc());
                if (full != null) {
                    exchange.requestData(full, false);
                }
                return padding; // the bytes are acknowledged once the cell side took them, as below
            }
            passJoined(streamId, exchange);
            exchange.requestData(data.retain(), endStream);
            return padding;
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            passJoined(streamId, null);
            Http2Exchange exchange = exchanges.remove(streamId);
            if (exchange != null) {
                exchange.clientReset(errorCode);
            }
        }
    }
}
