package io.cellrouter.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadFailureGuardTest {

    /** What the handler behind the guard saw. */
    private static final class Behind extends ChannelInboundHandlerAdapter {
        final List<String> events = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            events.add("read " + buf.toString(StandardCharsets.US_ASCII));
            buf.release();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            events.add("complete");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            events.add("exception " + cause.getMessage());
        }
    }

    @Test
    void beforeAFailedRead_everythingPasses() {
        Behind behind = new Behind();
        EmbeddedChannel channel = new EmbeddedChannel(new ReadFailureGuard(), behind);

        channel.writeInbound(ascii("GET / HTTP/1.1\r\n"));

        assertThat(behind.events).containsExactly("read GET / HTTP/1.1\r\n", "complete");
        assertThat(channel.isOpen()).isTrue();
    }

    /**
     * The transport reports a failed read at the head: the guard asks for the close, and the bytes
     * of a receive delivered before the close is done (as io_uring does from a batch of
     * completions) go nowhere. The close is held back here to let such a read arrive.
     */
    @Test
    void afterAFailedRead_closesAndPassesNothingMore() {
        Behind behind = new Behind();
        ReadFailureGuard guard = new ReadFailureGuard();
        List<String> closes = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(
                new ChannelOutboundHandlerAdapter() {
                    @Override
                    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
                        closes.add("close"); // held back: the transport closes after its batch
                    }
                },
                guard,
                behind);

        channel.pipeline().fireExceptionCaught(new OutOfMemoryError("direct memory"));
        ByteBuf late = ascii("the bytes after the hole");
        channel.pipeline().fireChannelRead(late);
        channel.pipeline().fireChannelReadComplete();

        assertThat(guard.failed()).isTrue();
        assertThat(closes).containsExactly("close");
        assertThat(late.refCnt()).as("released, not passed on").isZero();
        assertThat(behind.events).containsExactly("exception direct memory");
    }

    /** A handler behind the guard that throws is its own business: the guard does not see it. */
    @Test
    void anExceptionBehindTheGuard_isNotAFailedRead() {
        ReadFailureGuard guard = new ReadFailureGuard();
        Behind behind = new Behind();
        EmbeddedChannel channel = new EmbeddedChannel(
                guard,
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ((ByteBuf) msg).release();
                        throw new IllegalStateException("a handler's own failure");
                    }
                },
                behind);

        channel.writeInbound(ascii("x"));

        assertThat(guard.failed()).isFalse();
        assertThat(behind.events).contains("exception a handler's own failure");
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }
}
