package io.cellrouter.loadtest.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpScheme;
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
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * An HTTP/2 cleartext connection (prior knowledge) carrying up to {@code --streams} concurrent
 * requests, each a GET on its own stream. Built on Netty's {@link Http2ConnectionHandler} with a
 * frame listener: returning the bytes of each DATA frame from {@code onDataRead} hands the
 * flow-control credit back to the server without reassembling anything.
 *
 * <p>The stream limit is the smaller of {@code --streams} and the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS. A timed-out request resets its stream (CANCEL); the connection
 * stays.
 */
final class H2cConnection extends ClientConnection {

    private final Bootstrap bootstrap;
    private final Identities identities;
    private final AsciiString authority;
    private final AsciiString path;
    private final AsciiString headerName;
    private final IntObjectMap<long[]> streams = new IntObjectHashMap<>();
    private Channel channel;
    private ChannelHandlerContext ctx;
    private Handler handler;
    private boolean connected;
    private boolean closing;
    private boolean goingAway;
    private int maxStreams;

    H2cConnection(Dispatcher dispatcher, URI target, Transport transport) {
        super(dispatcher, target);
        LoadPlan plan = dispatcher.plan();
        this.identities = plan.identities();
        this.authority = AsciiString.of(LoadPlan.authority(target));
        this.path = AsciiString.of(plan.path());
        this.headerName = AsciiString.of(identities.headerName());
        this.bootstrap = new Bootstrap()
                .group(dispatcher.loop())
                .channel(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Http1Connection.connectTimeoutMillis(plan))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new Builder().build());
                    }
                });
    }

    @Override
    void connect() {
        maxStreams = dispatcher.plan().streamsPerConnection();
        goingAway = false;
        ChannelFuture f = bootstrap.connect(target.getHost(), LoadPlan.port(target));
        f.addListener(future -> {
            if (future.isSuccess()) {
                channel = f.channel();
                ctx = channel.pipeline().context(Handler.class);
                handler = (Handler) ctx.handler();
                connected = true;
                closing = false;
                dispatcher.onUp(this);
            } else {
                dispatcher.onDown(this, false);
            }
        });
    }

    @Override
    boolean isUp() {
        return connected && !closing && !goingAway;
    }

    @Override
    boolean hasCapacity() {
        return isUp() && streams.size() < maxStreams;
    }

    @Override
    void send(long intendedNanos, int customer) {
        int id = handler.connection().local().incrementAndGetNextStreamId();
        if (id < 0) {
            // Stream ids exhausted (2^30 requests on one connection): start a new connection.
            goingAway = true;
            close();
            dispatcher.onError(this, intendedNanos, ErrorKind.RESET);
            return;
        }
        Http2Headers headers = new DefaultHttp2Headers(false)
                .method(HttpMethod.GET.asciiName())
                .scheme(HttpScheme.HTTP.name())
                .authority(authority)
                .path(path)
                .add(headerName, identities.value(customer));
        long[] state = {intendedNanos, 0};
        streams.put(id, state);
        ChannelPromise promise = ctx.newPromise();
        promise.addListener(f -> {
            if (!f.isSuccess()) {
                fail(id, ErrorKind.RESET);
            }
        });
        handler.encoder().writeHeaders(ctx, id, headers, 0, true, promise);
    }

    @Override
    void flush() {
        if (ctx != null) {
            ctx.flush();
        }
    }

    @Override
    void expire(long deadlineNanos, long nowNanos) {
        if (streams.isEmpty()) {
            return;
        }
        List<Integer> expired = null;
        for (IntObjectMap.PrimitiveEntry<long[]> e : streams.entries()) {
            if (e.value()[0] < deadlineNanos) {
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                expired.add(e.key());
            }
        }
        if (expired == null) {
            return;
        }
        for (int id : expired) {
            long[] state = streams.remove(id);
            if (connected && ctx != null) {
                handler.resetStream(ctx, id, Http2Error.CANCEL.code(), ctx.newPromise());
            }
            dispatcher.onError(this, state[0], ErrorKind.TIMEOUT);
        }
        flush();
    }

    @Override
    int inFlight() {
        return streams.size();
    }

    @Override
    void close() {
        closing = true;
        if (channel != null) {
            channel.close();
        }
    }

    private void complete(int streamId) {
        long[] state = streams.remove(streamId);
        if (goingAway && streams.isEmpty()) {
            close();
        }
        if (state != null) {
            dispatcher.onResponse(this, state[0], (int) state[1]);
        }
    }

    private void fail(int streamId, String kind) {
        long[] state = streams.remove(streamId);
        if (goingAway && streams.isEmpty()) {
            close();
        }
        if (state != null) {
            dispatcher.onError(this, state[0], kind);
        }
    }

    private void failAll(String kind) {
        if (streams.isEmpty()) {
            return;
        }
        List<long[]> all = new ArrayList<>(streams.values());
        streams.clear();
        for (long[] state : all) {
            dispatcher.onError(this, state[0], kind);
        }
    }

    private final class Builder extends AbstractHttp2ConnectionHandlerBuilder<Handler, Builder> {
        Builder() {
            server(false);
            initialSettings(Http2Settings.defaultSettings().pushEnabled(false));
        }

        @Override
        public Handler build() {
            return super.build();
        }

        @Override
        protected Handler build(
                Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
            Handler h = new Handler(decoder, encoder, settings);
            frameListener(h.listener);
            return h;
        }
    }

    /** Runs on the dispatcher's loop. */
    private final class Handler extends Http2ConnectionHandler {
        final Listener listener = new Listener();

        Handler(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
            super(decoder, encoder, settings);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (ctx.channel() == channel) {
                connected = false;
                failAll(ErrorKind.RESET);
                dispatcher.onDown(H2cConnection.this, true);
            }
            super.channelInactive(ctx);
        }
    }

    private final class Listener extends Http2FrameAdapter {
        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            if (endOfStream) {
                complete(streamId);
            }
            return data.readableBytes() + padding;
        }

        @Override
        public void onHeadersRead(
                ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endOfStream) {
            long[] state = streams.get(streamId);
            if (state != null && state[1] == 0 && headers.status() != null) {
                try {
                    state[1] = Integer.parseInt(headers.status().toString());
                } catch (NumberFormatException e) {
                    fail(streamId, ErrorKind.PROTOCOL);
                    return;
                }
            }
            if (endOfStream) {
                complete(streamId);
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
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            fail(streamId, ErrorKind.RESET);
        }

        @Override
        public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
            Long max = settings.maxConcurrentStreams();
            if (max != null) {
                maxStreams = (int) Math.min(dispatcher.plan().streamsPerConnection(), Math.max(1, max));
                dispatcher.onCapacity(H2cConnection.this);
            }
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
            goingAway = true;
            List<Integer> refused = new ArrayList<>();
            for (int id : streams.keySet()) {
                if (id > lastStreamId) {
                    refused.add(id);
                }
            }
            for (int id : refused) {
                fail(id, ErrorKind.RESET);
            }
            if (streams.isEmpty()) {
                close();
            }
        }
    }
}
