package io.cellrouter.loadtest.cell;

import io.cellrouter.loadtest.load.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A deliberately cheap stand-in cell for benchmarks: answers every HTTP/1.1 or h2c request with a
 * small fixed JSON body ({@code {"cell":"NAME"}}) and echoes {@code cellrouter.loadtest.Echo} gRPC
 * calls, all on one port. It parses as little as it can and writes pre-encoded bytes, so that in a
 * side-by-side benchmark the cell costs little and the difference is the proxy.
 *
 * <pre>
 *  accept ─► ProtocolSniffer ─┬─ "PRI * HTTP/2.0" preface ─► H2CellHandler (plain GET or gRPC Echo)
 *                             └─ anything else ────────────► HttpRequestDecoder ─► Http1CellHandler
 * </pre>
 */
public final class LoadTestCell implements AutoCloseable {

    private final String name;
    private final EventLoopGroup group;
    private final Channel channel;
    private final RequestTally tally;
    private final CellResponses responses;

    private LoadTestCell(
            String name, EventLoopGroup group, Channel channel, RequestTally tally, CellResponses responses) {
        this.name = name;
        this.group = group;
        this.channel = channel;
        this.tally = tally;
        this.responses = responses;
    }

    public static LoadTestCell start(String name, InetSocketAddress address, int threads) throws InterruptedException {
        return start(name, address, threads, false);
    }

    /** {@code count}: tally the HTTP/1.1 requests by customer, method and shadow mark ({@link #tally()}). */
    public static LoadTestCell start(String name, InetSocketAddress address, int threads, boolean count)
            throws InterruptedException {
        RequestTally tally = count ? new RequestTally() : null;
        Transport transport = Transport.detect();
        EventLoopGroup group = transport.newGroup(threads, "cell-" + name);
        CellResponses responses = new CellResponses(name);
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ProtocolSniffer(responses, tally));
                        }
                    })
                    .bind(address)
                    .sync()
                    .channel();
            return new LoadTestCell(name, group, channel, tally, responses);
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
            responses.release();
            throw e;
        }
    }

    public String name() {
        return name;
    }

    /** The requests counted so far, or null when the cell was started without counting. */
    public RequestTally tally() {
        return tally;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        responses.release(); // every channel is closed with its loop: nothing writes them any more
    }
}
