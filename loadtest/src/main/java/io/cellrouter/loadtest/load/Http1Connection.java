package io.cellrouter.loadtest.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 keep-alive connection with at most one request outstanding. The request is written
 * as pre-encoded bytes (request line and Host once per connection, only the identity header per
 * request), so the generator spends its CPU on the server, not on encoding; responses go through
 * Netty's {@link HttpResponseDecoder}.
 *
 * <p>A request that times out closes the connection (HTTP/1.1 cannot cancel one request); the
 * dispatcher reconnects it.
 */
final class Http1Connection extends ClientConnection {

    private static final byte[] END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] POST_BODY = "x".repeat(LoadPlan.POST_BODY_BYTES).getBytes(StandardCharsets.US_ASCII);

    private final Bootstrap bootstrap;
    private final byte[] prefix;
    private final byte[] postPrefix;
    private final double postFraction;
    private double postCredit;
    private final Identities identities;
    private Channel channel;
    private boolean connected;
    private boolean closing;
    private long intended = -1;
    private int status;
    private boolean keepAlive;

    Http1Connection(Dispatcher dispatcher, URI target, Transport transport) {
        super(dispatcher, target);
        LoadPlan plan = dispatcher.plan();
        this.identities = plan.identities();
        this.prefix = ("GET " + plan.path() + " HTTP/1.1\r\nhost: " + LoadPlan.authority(target) + "\r\n"
                        + identities.headerName() + ": ")
                .getBytes(StandardCharsets.US_ASCII);
        this.postPrefix = ("POST " + plan.path() + " HTTP/1.1\r\nhost: " + LoadPlan.authority(target) + "\r\n"
                        + "content-length: " + POST_BODY.length + "\r\n" + identities.headerName() + ": ")
                .getBytes(StandardCharsets.US_ASCII);
        this.postFraction = plan.postFraction();
        this.bootstrap = new Bootstrap()
                .group(dispatcher.loop())
                .channel(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis(plan))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpResponseDecoder()).addLast(new ResponseHandler());
                    }
                });
    }

    static int connectTimeoutMillis(LoadPlan plan) {
        return (int) Math.min(5_000, Math.max(100, plan.timeout().toMillis()));
    }

    @Override
    void connect() {
        ChannelFuture f = bootstrap.connect(target.getHost(), LoadPlan.port(target));
        f.addListener(future -> {
            if (future.isSuccess()) {
                channel = f.channel();
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
        return connected && !closing;
    }

    @Override
    boolean hasCapacity() {
        return connected && !closing && intended < 0;
    }

    @Override
    void send(long intendedNanos, int customer) {
        intended = intendedNanos;
        status = 0;
        String value = identities.value(customer);
        boolean post = false;
        if (postFraction > 0) {
            postCredit += postFraction; // an even spread: 0.5 is every other request
            if (postCredit >= 1) {
                postCredit -= 1;
                post = true;
            }
        }
        byte[] head = post ? postPrefix : prefix;
        ByteBuf buf =
                channel.alloc().ioBuffer(head.length + value.length() + END.length + (post ? POST_BODY.length : 0));
        buf.writeBytes(head);
        ByteBufUtil.writeAscii(buf, value);
        buf.writeBytes(END);
        if (post) {
            buf.writeBytes(POST_BODY);
        }
        channel.write(buf, channel.voidPromise());
    }

    @Override
    void flush() {
        if (channel != null) {
            channel.flush();
        }
    }

    @Override
    void expire(long deadlineNanos, long nowNanos) {
        if (intended >= 0 && intended < deadlineNanos) {
            long t = intended;
            intended = -1;
            close();
            dispatcher.onError(this, t, ErrorKind.TIMEOUT);
        }
    }

    @Override
    int inFlight() {
        return intended >= 0 ? 1 : 0;
    }

    @Override
    void close() {
        closing = true;
        if (channel != null) {
            channel.close();
        }
    }

    private void complete() {
        long t = intended;
        intended = -1;
        if (!keepAlive) {
            close();
        }
        dispatcher.onResponse(this, t, status);
    }

    private void fail(String kind) {
        if (intended >= 0) {
            long t = intended;
            intended = -1;
            dispatcher.onError(this, t, kind);
        }
    }

    /** On the dispatcher's loop: the channel was created on it. */
    private final class ResponseHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpObject http && http.decoderResult().isFailure()) {
                    close();
                    fail(ErrorKind.PROTOCOL);
                    return;
                }
                if (msg instanceof HttpResponse response) {
                    status = response.status().code();
                    keepAlive = HttpUtil.isKeepAlive(response);
                }
                if (msg instanceof LastHttpContent && intended >= 0) {
                    complete();
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() != channel) {
                return;
            }
            connected = false;
            fail(ErrorKind.RESET);
            dispatcher.onDown(Http1Connection.this, true);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
