package io.cellrouter.router.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;

/**
 * The pipeline surgery of a connection that starts as HTTP/1.1: when it switches to HTTP/2 (h2c
 * by {@code Upgrade}, or the prior-knowledge preface), the HTTP/1.1 handlers leave; when its first
 * request has arrived without an upgrade, the upgrade handler leaves (clients upgrade on the first
 * request only; RFC 9113 retired h2c Upgrade), so no later request is inspected for one. Either
 * way this handler then leaves too.
 *
 * <p>Concurrency: confined to the connection's event loop.
 */
final class Http1UpgradeSwitch extends ChannelInboundHandlerAdapter {

    private final String[] http1Handlers;

    /** {@code http1Handlers}: the names of the handlers that serve HTTP/1.1 only. */
    Http1UpgradeSwitch(String... http1Handlers) {
        this.http1Handlers = http1Handlers;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.fireChannelRead(msg);
        if (msg instanceof LastHttpContent && !ctx.isRemoved()) {
            HttpServerUpgradeHandler upgrade = ctx.pipeline().get(HttpServerUpgradeHandler.class);
            if (upgrade != null) {
                ctx.pipeline().remove(upgrade);
            }
            ctx.pipeline().remove(this);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent
                || evt instanceof CleartextHttp2ServerUpgradeHandler.PriorKnowledgeUpgradeEvent) {
            // The connection now speaks HTTP/2: its streams are served by the HTTP/2 handlers.
            ChannelPipeline pipeline = ctx.pipeline();
            for (String name : http1Handlers) {
                if (pipeline.get(name) != null) {
                    pipeline.remove(name);
                }
            }
            pipeline.remove(this);
        }
        ctx.fireUserEventTriggered(evt);
    }
}
