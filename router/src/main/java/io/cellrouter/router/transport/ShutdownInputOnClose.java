package io.cellrouter.router.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.uring.IoUringSocketChannel;

/**
 * Shuts a TCP connection's input just before it closes, on io_uring. Netty 4.2.18 closes an
 * io_uring socket's descriptor while a poll it armed on the socket may still be in the kernel, and
 * such a poll keeps the socket itself alive: after a failed TLS handshake with a cell, or a cell's
 * GOAWAY, the router's side stayed ESTABLISHED, in no process's descriptor table, until the peer
 * closed its side (a tester left 2,530 of them behind a cell that never did; on epoll, none). A
 * shut input wakes every poll on the socket, which then lets it go. It sends nothing to the peer and
 * leaves the output alone, so whatever is still being written goes out before the close.
 *
 * <p>First in the pipeline, so that it sees the close last, after the handlers that write their
 * last bytes on the way (TLS's close_notify, a lingering close's half-close).
 *
 * <p>Concurrency: stateless, shared; runs on the channel's event loop, where the shutdown is a
 * system call made at once.
 */
@Sharable
public final class ShutdownInputOnClose extends ChannelOutboundHandlerAdapter {

    /** The handler's name in the pipeline. */
    public static final String NAME = "shutdown-input-on-close";

    private static final ShutdownInputOnClose INSTANCE = new ShutdownInputOnClose();

    private ShutdownInputOnClose() {}

    /** Puts the handler first in {@code channel}'s pipeline when it is an io_uring socket; else nothing. */
    public static void install(Channel channel) {
        if (channel instanceof IoUringSocketChannel) {
            channel.pipeline().addFirst(NAME, INSTANCE);
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (ctx.channel() instanceof DuplexChannel socket && socket.isOpen() && !socket.isInputShutdown()) {
            socket.shutdownInput();
        }
        ctx.close(promise);
    }
}
