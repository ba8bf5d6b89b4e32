package io.cellrouter.router.forward;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * The HTTP/1.1 codec of a connection to a cell: Netty's response decoder and request encoder,
 * plus what pool hygiene needs and {@code HttpClientCodec} does not expose: whether bytes arrived
 * beyond the last complete response ({@link #hasUndecodedBytes()}). A connection whose answer ended
 * with more bytes behind it is never pooled again, so those bytes can never be read as the answer
 * to another customer's request. That counts the bytes the decoder has already taken into a
 * message it has not finished (a stray head cut at a line end leaves no byte in its buffer, only
 * its state), not just the bytes still in its buffer.
 *
 * <p>The router sends one request at a time on a connection (no pipelining to cells), so the
 * method of the request in flight is enough to know that a response to HEAD has no body.
 *
 * <p>Concurrency: confined to the connection's event loop.
 */
final class CellHttpCodec extends CombinedChannelDuplexHandler<CellHttpCodec.Decoder, CellHttpCodec.Encoder> {

    CellHttpCodec(HttpDecoderConfig config) {
        Decoder decoder = new Decoder(config);
        init(decoder, new Encoder(decoder));
    }

    /** Whether the decoder holds bytes it has not turned into a message (read beyond the last answer). */
    boolean hasUndecodedBytes() {
        return inboundHandler().undecoded();
    }

    /** Whether not one byte has come from the cell since the last request head left. */
    boolean silentSinceRequest() {
        return inboundHandler().silent;
    }

    static final class Decoder extends HttpResponseDecoder {
        private HttpMethod method = HttpMethod.GET;

        Decoder(HttpDecoderConfig config) {
            super(config);
        }

        /** Whether bytes were taken since the last message ended (a message under way). */
        private boolean midMessage;

        /** No byte has arrived since the last request head was written ({@link Encoder}). */
        private boolean silent;

        boolean undecoded() {
            return midMessage || internalBuffer().isReadable();
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            int readable = buffer.readableBytes();
            if (readable > 0) {
                silent = false;
            }
            int produced = out.size();
            super.decode(ctx, buffer, out);
            if (buffer.readableBytes() < readable) {
                midMessage = out.size() == produced || !(out.get(out.size() - 1) instanceof LastHttpContent);
            }
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }
    }

    static final class Encoder extends HttpRequestEncoder {
        private final Decoder decoder;

        Encoder(Decoder decoder) {
            this.decoder = decoder;
        }

        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof HttpRequest request) {
                decoder.method = request.method();
                decoder.silent = true;
            }
            super.encode(ctx, msg, out);
        }
    }
}
