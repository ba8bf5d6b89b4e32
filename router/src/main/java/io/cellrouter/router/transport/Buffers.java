package io.cellrouter.router.transport;

import io.netty.buffer.PooledByteBufAllocator;

/**
 * The buffer allocator of every connection the router opens or accepts: Netty's pooled allocator,
 * with its per-thread caches. Netty 4.2's default (the adaptive allocator) costs about twice as
 * much CPU per buffer on the relay (docs/ARCHITECTURE.md, "Buffers"). Every buffer is taken and
 * released on its connection's event loop, which is the case those caches serve.
 *
 * <p>The pool's sizes are Netty's {@code io.netty.allocator.*} system properties.
 */
public final class Buffers {

    /** Given to every bootstrap as {@code ChannelOption.ALLOCATOR}; its metric is the Netty memory gauge. */
    public static final PooledByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

    private Buffers() {}
}
