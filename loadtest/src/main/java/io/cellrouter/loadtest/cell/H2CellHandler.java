package io.cellrouter.loadtest.cell;

import com.google.protobuf.InvalidProtocolBufferException;
import io.cellrouter.loadtest.grpc.proto.EchoGrpc;
import io.cellrouter.loadtest.grpc.proto.EchoReply;
import io.cellrouter.loadtest.grpc.proto.EchoRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.AsciiString;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;

/**
 * The cell's HTTP/2 side: a plain request gets the fixed JSON body; a gRPC call to
 * {@code cellrouter.loadtest.Echo} is answered by hand on the frames (it is small enough that
 * grpc-java's server would cost more than the thing measured):
 *
 * <ul>
 *   <li>{@code Unary}: one reply with the request's payload, then {@code grpc-status: 0}.
 *   <li>{@code ServerStream}: {@code replies} replies, then the status.
 *   <li>{@code Bidi}: one reply per request message as soon as it is complete; the status when the
 *       client half-closes.
 *   <li>another method: trailers-only {@code grpc-status: 12} (UNIMPLEMENTED).
 * </ul>
 *
 * <p>Flow control: {@code onDataRead} returns the bytes it consumed, which hands the credit back.
 * Runs on the channel's event loop.
 */
final class H2CellHandler extends Http2ConnectionHandler {

    private static final AsciiString GRPC = AsciiString.of("application/grpc");
    private static final AsciiString UNARY =
            AsciiString.of("/" + EchoGrpc.getUnaryMethod().getFullMethodName());
    private static final AsciiString SERVER_STREAM =
            AsciiString.of("/" + EchoGrpc.getServerStreamMethod().getFullMethodName());
    private static final AsciiString BIDI =
            AsciiString.of("/" + EchoGrpc.getBidiMethod().getFullMethodName());
    private static final int MAX_MESSAGE = 4 << 20;

    private final CellResponses responses;
    private final IntObjectMap<GrpcStream> grpcStreams = new IntObjectHashMap<>();

    H2CellHandler(
            Http2ConnectionDecoder decoder,
            Http2ConnectionEncoder encoder,
            Http2Settings settings,
            CellResponses responses) {
        super(decoder, encoder, settings);
        this.responses = responses;
    }

    static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<H2CellHandler, Builder> {
        private final CellResponses responses;

        Builder(CellResponses responses) {
            this.responses = responses;
            server(true);
            initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(1000));
        }

        @Override
        public H2CellHandler build() {
            return super.build();
        }

        @Override
        protected H2CellHandler build(
                Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
            H2CellHandler handler = new H2CellHandler(decoder, encoder, settings, responses);
            frameListener(handler.new Listener());
            return handler;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        for (GrpcStream s : grpcStreams.values()) {
            s.release();
        }
        grpcStreams.clear();
        super.channelInactive(ctx);
    }

    private void answerPlain(ChannelHandlerContext ctx, int streamId) {
        encoder().writeHeaders(ctx, streamId, responses.h2Headers, 0, false, ctx.newPromise());
        encoder().writeData(ctx, streamId, responses.body.duplicate(), 0, true, ctx.newPromise());
    }

    /** The state of one gRPC call: its method and the bytes of a message not yet complete. */
    private final class GrpcStream {
        final int id;
        final AsciiString method;
        ByteBuf pending;
        EchoRequest last;
        boolean headersSent;

        GrpcStream(int id, AsciiString method) {
            this.id = id;
            this.method = method;
        }

        void data(ChannelHandlerContext ctx, ByteBuf data) throws InvalidProtocolBufferException {
            if (pending == null) {
                pending = ctx.alloc().buffer(Math.max(64, data.readableBytes()));
            }
            pending.writeBytes(data);
            while (pending.readableBytes() >= 5) {
                int length = pending.getInt(pending.readerIndex() + 1);
                if (length < 0 || length > MAX_MESSAGE) {
                    throw new InvalidProtocolBufferException("message of " + length + " bytes");
                }
                if (pending.readableBytes() < 5 + length) {
                    break;
                }
                pending.skipBytes(5);
                EchoRequest request =
                        EchoRequest.parseFrom(ByteBufUtil.getBytes(pending, pending.readerIndex(), length));
                pending.skipBytes(length);
                last = request;
                if (method.equals(BIDI)) {
                    reply(ctx, request);
                }
            }
            pending.discardReadBytes();
        }

        void end(ChannelHandlerContext ctx) {
            if (method.equals(UNARY) && last != null) {
                reply(ctx, last);
            } else if (method.equals(SERVER_STREAM) && last != null) {
                for (int i = 0, n = Math.max(1, last.getReplies()); i < n; i++) {
                    reply(ctx, last);
                }
            }
            trailers(ctx, last == null && !method.equals(BIDI) ? 13 : 0);
        }

        private void reply(ChannelHandlerContext ctx, EchoRequest request) {
            if (!headersSent) {
                headersSent = true;
                Http2Headers headers =
                        new DefaultHttp2Headers().status(AsciiString.of("200")).add("content-type", GRPC);
                encoder().writeHeaders(ctx, id, headers, 0, false, ctx.newPromise());
            }
            byte[] message = EchoReply.newBuilder()
                    .setPayload(request.getPayload())
                    .build()
                    .toByteArray();
            ByteBuf out = ctx.alloc().buffer(5 + message.length);
            out.writeByte(0).writeInt(message.length).writeBytes(message);
            encoder().writeData(ctx, id, out, 0, false, ctx.newPromise());
        }

        void trailers(ChannelHandlerContext ctx, int status) {
            Http2Headers trailers = new DefaultHttp2Headers();
            if (!headersSent) {
                trailers.status(AsciiString.of("200")).add("content-type", GRPC);
            }
            trailers.addInt("grpc-status", status);
            encoder().writeHeaders(ctx, id, trailers, 0, true, ctx.newPromise());
            release();
        }

        void release() {
            if (pending != null) {
                pending.release();
                pending = null;
            }
        }
    }

    private final class Listener extends Http2FrameAdapter {
        @Override
        public void onHeadersRead(
                ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endOfStream) {
            if (grpcStreams.containsKey(streamId)) {
                // Trailers from the client.
                if (endOfStream) {
                    grpcStreams.remove(streamId).end(ctx);
                }
                return;
            }
            CharSequence contentType = headers.get("content-type");
            if (contentType != null && AsciiString.of(contentType).startsWith(GRPC)) {
                CharSequence path = headers.path();
                AsciiString method = path == null ? AsciiString.EMPTY_STRING : AsciiString.of(path);
                GrpcStream stream = new GrpcStream(streamId, method);
                if (!method.equals(UNARY) && !method.equals(SERVER_STREAM) && !method.equals(BIDI)) {
                    stream.trailers(ctx, 12);
                    return;
                }
                if (endOfStream) {
                    stream.end(ctx);
                } else {
                    grpcStreams.put(streamId, stream);
                }
                return;
            }
            if (endOfStream) {
                answerPlain(ctx, streamId);
            }
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
                boolean endOfStream) {
            onHeadersRead(ctx, streamId, headers, padding, endOfStream);
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            int consumed = data.readableBytes() + padding;
            GrpcStream stream = grpcStreams.get(streamId);
            if (stream != null) {
                try {
                    stream.data(ctx, data);
                } catch (InvalidProtocolBufferException e) {
                    grpcStreams.remove(streamId);
                    stream.release();
                    resetStream(ctx, streamId, Http2Error.PROTOCOL_ERROR.code(), ctx.newPromise());
                    return consumed;
                }
                if (endOfStream) {
                    grpcStreams.remove(streamId).end(ctx);
                }
            } else if (endOfStream) {
                answerPlain(ctx, streamId);
            }
            return consumed;
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            GrpcStream stream = grpcStreams.remove(streamId);
            if (stream != null) {
                stream.release();
            }
        }
    }
}
