package io.cellrouter.loadtest.cell;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * Looks at the first bytes of a connection: the HTTP/2 client preface means h2c with prior
 * knowledge, anything else is HTTP/1.1. Then it replaces itself with the right handlers; the bytes
 * read so far are passed on to them.
 */
final class ProtocolSniffer extends ByteToMessageDecoder {

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final CellResponses responses;
    private final RequestTally tally;

    ProtocolSniffer(CellResponses responses, RequestTally tally) {
        this.responses = responses;
        this.tally = tally;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        if (!ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n)) {
            ctx.pipeline()
                    .addAfter(ctx.name(), "http1-handler", new Http1CellHandler(responses, tally))
                    .addAfter(ctx.name(), "http1-decoder", new HttpRequestDecoder());
            ctx.pipeline().remove(this);
        } else if (n == PREFACE.readableBytes()) {
            ctx.pipeline().addAfter(ctx.name(), "h2", new H2CellHandler.Builder(responses).build());
            ctx.pipeline().remove(this);
        }
    }
}
