package io.cellrouter.router.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.pkitesting.X509Bundle;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@code https://} cell that demands a client certificate issued by the test CA: HTTP/2 over
 * TLS (ALPN h2), answering every request 200 with the subject of the client certificate the
 * connection presented in {@code x-client-subject}. A client without a certificate (or with one
 * the CA did not issue) fails the handshake.
 */
public final class MutualTlsCell implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private final AtomicInteger handshakes = new AtomicInteger();
    private final AtomicInteger refusedHandshakes = new AtomicInteger();

    public MutualTlsCell(String name, X509Bundle identity, X509Bundle trustedCa) throws Exception {
        SslContext tls = SslContextBuilder.forServer(identity.toKeyManagerFactory())
                .trustManager(trustedCa.toTrustManagerFactory())
                .clientAuth(ClientAuth.REQUIRE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2))
                .build();
        channel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        SslHandler ssl = tls.newHandler(ch.alloc());
                        ssl.handshakeFuture().addListener(f -> {
                            if (f.isSuccess()) {
                                handshakes.incrementAndGet();
                            } else {
                                refusedHandshakes.incrementAndGet();
                            }
                        });
                        ch.pipeline()
                                .addLast(ssl)
                                .addLast(Http2FrameCodecBuilder.forServer().build())
                                .addLast(new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                                    @Override
                                    protected void initChannel(Channel stream) {
                                        stream.pipeline().addLast(new Answer(name, subject(ssl)));
                                    }
                                }));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .syncUninterruptibly()
                .channel();
    }

    private static String subject(SslHandler ssl) {
        try {
            return ((X509Certificate) ssl.engine().getSession().getPeerCertificates()[0])
                    .getSubjectX500Principal()
                    .getName();
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return "none";
        }
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Handshakes completed with a certificate the cell accepted. */
    public int handshakes() {
        return handshakes.get();
    }

    /** Handshakes the cell ended (no client certificate, or not one it trusts). */
    public int refusedHandshakes() {
        return refusedHandshakes.get();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private static final class Answer extends ChannelInboundHandlerAdapter {
        private final String name;
        private final String subject;

        Answer(String name, String subject) {
            this.name = name;
            this.subject = subject;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean end = msg instanceof Http2HeadersFrame h && h.isEndStream()
                    || msg instanceof Http2DataFrame d && d.isEndStream();
            ReferenceCountUtil.release(msg);
            if (end) {
                ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers()
                        .status("200")
                        .set("x-served-by", name)
                        .set("x-client-subject", subject)));
                ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(name, StandardCharsets.UTF_8), true));
            }
        }
    }
}
