package io.cellrouter.router.admission;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops taking connections before the router runs out of what it needs to serve the ones it has:
 * on accept, a client connection beyond {@code maxConnections}, or while the heap is more than
 * {@link #HEAP_LIMIT} full after the last collection, is closed at once, before anything is read.
 * The load balancer sees a refused connection and tries another router.
 *
 * <p>Heap occupancy is read from the collector's "usage after last GC" of the heap pools, so a
 * heap full of garbage does not count; it is sampled on accept at most every 100 ms.
 *
 * <p>Concurrency: shared by all child channels (sharable); the counters are atomics.
 */
@ChannelHandler.Sharable
public final class OverloadGuard extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(OverloadGuard.class);
    static final double HEAP_LIMIT = 0.90;
    private static final long SAMPLE_NANOS = 100_000_000L;

    private final int maxConnections;
    private final IntConsumer onRefused;
    private final AtomicInteger open = new AtomicInteger();
    private volatile long sampledAt;
    private volatile boolean heapFull;

    /** {@code onRefused}: counts refusals (1 per refused connection). */
    public OverloadGuard(int maxConnections, IntConsumer onRefused) {
        this.maxConnections = maxConnections;
        this.onRefused = onRefused;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() > maxConnections || heapFull()) {
            onRefused.accept(1);
            LOG.debug("{} refused: {} connections open, heap full: {}", ctx.channel(), open.get(), heapFull);
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

    public int openConnections() {
        return open.get();
    }

    private boolean heapFull() {
        long now = System.nanoTime();
        if (now - sampledAt > SAMPLE_NANOS) {
            sampledAt = now;
            long used = 0;
            long max = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                    used += pool.getCollectionUsage().getUsed();
                    max += Math.max(0, pool.getUsage().getMax());
                }
            }
            heapFull = max > 0 && used > HEAP_LIMIT * max;
        }
        return heapFull;
    }
}
