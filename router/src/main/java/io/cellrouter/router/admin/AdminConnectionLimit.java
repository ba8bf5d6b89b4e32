package io.cellrouter.router.admin;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code admin.maxConnections} admin connections open at once (README: Admin API and
 * migrations, "Limits of the admin listener"): one beyond it is closed on accept, before anything
 * is read, and counted ({@code cellrouter_admin_connections_refused_total}).
 *
 * <p>Concurrency: shared by all admin channels (sharable); the count is an atomic.
 */
@ChannelHandler.Sharable
final class AdminConnectionLimit extends ChannelInboundHandlerAdapter {

    private final int maxConnections;
    private final Runnable onRefused;
    private final AtomicInteger open = new AtomicInteger();

    AdminConnectionLimit(int maxConnections, Runnable onRefused) {
        this.maxConnections = maxConnections;
        this.onRefused = onRefused;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() > maxConnections) {
            onRefused.run();
            ctx.close();
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        open.decrementAndGet();
        ctx.fireChannelInactive();
    }
}
