package io.cellrouter.router.pipeline;

import io.cellrouter.router.forward.Http1ProxyHandler;
import io.cellrouter.router.forward.ProxyContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Assembles the pipeline of a client connection on the proxy listener. The whole path of a
 * request reads top to bottom here:
 *
 * <pre>
 *   socket ─▶ http1-codec (HttpServerCodec, bounded line/headers/chunks)
 *          ─▶ idle (closes connections idle for proxy.idleTimeout)
 *          ─▶ proxy (Http1ProxyHandler: identity → routing → forward)
 * </pre>
 */
public final class ProxyChannelInitializer extends ChannelInitializer<Channel> {

    /** Body chunks are relayed in parts of at most this many bytes. */
    static final int MAX_CHUNK_SIZE = 64 * 1024;

    private final ProxyContext context;
    private final ChannelGroup channels;

    public ProxyChannelInitializer(ProxyContext context, ChannelGroup channels) {
        this.context = context;
        this.channels = channels;
    }

    @Override
    protected void initChannel(Channel ch) {
        channels.add(ch);
        addHttp1Handlers(ch.pipeline());
    }

    private void addHttp1Handlers(ChannelPipeline p) {
        var config = context.config();
        p.addLast(
                "http1-codec",
                new HttpServerCodec(new HttpDecoderConfig()
                        .setMaxInitialLineLength(config.maxInitialLineLength())
                        .setMaxHeaderSize(config.maxHeaderSize())
                        .setMaxChunkSize(MAX_CHUNK_SIZE)
                        .setValidateHeaders(true)));
        p.addLast("idle", new IdleStateHandler(0, 0, config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        p.addLast("proxy", new Http1ProxyHandler(context));
    }
}
