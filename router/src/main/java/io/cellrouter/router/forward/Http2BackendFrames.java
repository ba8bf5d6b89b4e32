package io.cellrouter.router.forward;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a cell sends on one connection ({@link Http2Backend}), frame by frame:
 *
 * <pre>
 *  SETTINGS (the first) ─▶ the connection is ready (over TLS only if ALPN chose h2)
 *  HEADERS, DATA        ─▶ the stream's CellStreamListener, as they are (END_STREAM ends the stream),
 *                          unless they end the answer as no whole answer ends (CellStreamFraming)
 *  RST_STREAM           ─▶ the stream failed (REFUSED_STREAM: never processed, may be sent again)
 *  GOAWAY               ─▶ no new streams; the connection closes once its streams have
 * </pre>
 *
 * <p>DATA is not acknowledged here: its bytes are returned to the cell when the exchange has passed
 * them on ({@link CellStream#consumed}); only DATA nobody wants any more is acknowledged at once.
 *
 * <p>Concurrency: confined to the connection's event loop.
 */
final class Http2BackendFrames extends Http2FrameAdapter {

    /** The connection's logger: what the cell did is logged under the connection. */
    private static final Logger LOG = LoggerFactory.getLogger(Http2Backend.class);

    private final Http2Backend backend;
    private final Http2BackendStreams streams;

    Http2BackendFrames(Http2Backend backend, Http2BackendStreams streams) {
        this.backend = backend;
        this.streams = streams;
    }

    @Override
    public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
        if (backend.ready().isDone()) {
            return;
        }
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        if (tls != null && !ApplicationProtocolNames.HTTP_2.equals(tls.applicationProtocol())) {
            backend.ready()
                    .tryFailure(new IOException("cell " + backend.cell() + " did not negotiate h2 over TLS (ALPN: "
                            + tls.applicationProtocol() + ")"));
            ctx.close();
            return;
        }
        backend.ready().trySuccess(null);
    }

    @Override
    public void onHeadersRead(
            ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endStream) {
        CellStream s = streams.get(streamId);
        if (s == null || s.ended()) {
            return;
        }
        String invalid = s.framing().headers(headers, endStream);
        if (invalid != null) {
            streams.badResponse(s, invalid);
            return;
        }
        if (endStream) {
            s.end();
        }
        streams.touch(s);
        s.listener().cellHeaders(headers, endStream);
    }

    @Override
    public void onHeadersRead(
            ChannelHandlerContext ctx,
            int streamId,
            Http2Headers headers,
            int streamDependency,
            short weight,
            boolean exclusive,
            int padding,
            boolean endStream) {
        onHeadersRead(ctx, streamId, headers, padding, endStream);
    }

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endStream) {
        CellStream s = streams.get(streamId);
        if (s == null || s.ended()) {
            return data.readableBytes() + padding; // nobody wants it: acknowledge at once
        }
        String invalid = s.framing().data(data.readableBytes(), endStream);
        if (invalid != null) {
            streams.badResponse(s, invalid);
            return data.readableBytes() + padding;
        }
        if (endStream) {
            s.end();
        }
        streams.touch(s);
        s.listener().cellData(data, endStream);
        return padding;
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        CellStream s = streams.remove(streamId);
        if (s == null) {
            return;
        }
        Http2Error code = Http2Error.valueOf(errorCode);
        streams.failed(
                s,
                new UpstreamResetException(
                        code == null ? Http2Error.INTERNAL_ERROR : code,
                        code == Http2Error.REFUSED_STREAM,
                        "cell reset the stream (" + (code == null ? errorCode : code) + ")"));
    }

    @Override
    public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
        LOG.debug(
                "{} cell {} sent GOAWAY (last stream {}, {})", ctx.channel(), backend.cell(), lastStreamId, errorCode);
        backend.goingAway(ctx);
    }
}
