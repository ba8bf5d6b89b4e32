package io.cellrouter.router.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every proxied connection (client and cell): when the transport reports a
 * failed read, the connection's byte stream may have a hole, so nothing it reads afterwards goes
 * further and the connection closes.
 *
 * <p>Why: a connection reading from an io_uring buffer ring ({@link Transport}) has its bytes taken
 * out of the socket by the kernel before Netty gives the ring a new buffer. When that allocation
 * fails (direct memory exhausted), Netty reports the error and drops those bytes, but the
 * connection stays open and its next receive is delivered: a request body, or a cell's answer,
 * with bytes missing from its middle, which the codecs behind would take for the stream it is not.
 * The transport's own reports come in at the head of the pipeline, so this handler sees them and
 * no exception raised by a handler behind it.
 *
 * <p>Concurrency: one instance per connection, confined to its event loop.
 */
public final class ReadFailureGuard extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ReadFailureGuard.class);

    /** The pipeline name of the guard. */
    public static final String NAME = "read-guard";

    private boolean failed;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!failed) {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!failed) {
            failed = true;
            LOG.debug("{} read failed; closing, nothing more read is passed on", ctx.channel(), cause);
            ctx.close();
        }
        ctx.fireExceptionCaught(cause);
    }

    /** Whether a read failed (the connection is closing). */
    boolean failed() {
        return failed;
    }
}
