package io.cellrouter.router.forward;

import io.cellrouter.registry.cache.Resolution;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.router.accesslog.AccessLog;
import io.cellrouter.router.metrics.RouterMetrics;
import io.cellrouter.router.testing.StubResolver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An HTTP/1.1 client connection on an {@link EmbeddedChannel} (the codec and the proxy handler),
 * routed by a {@link StubResolver}, whose cell sides are {@link FakeCellLeg}s the test hands out:
 * the exchange from the client's bytes to the cell side and back, without sockets.
 */
final class Http1Fixture implements Http1CellConnector.Source {

    static final Cell CELL_A = new Cell("cell-a", URI.create("http://127.0.0.1:1"), CellState.ACTIVE);
    static final Cell CELL_B = new Cell("cell-b", URI.create("http://127.0.0.1:2"), CellState.ACTIVE);

    /** One request for a cell side. */
    record Opened(Cell cell, UpstreamListener answer, boolean upgrade, Promise<CellLeg> promise) {
        /** The cell side is ready: returns it. */
        FakeCellLeg ready() {
            FakeCellLeg leg = new FakeCellLeg();
            promise.setSuccess(leg);
            return leg;
        }
    }

    final StubResolver resolver = new StubResolver();
    final RouterMetrics metrics = new RouterMetrics();
    final List<Opened> opened = new ArrayList<>();
    final ProxyContext context;
    final EmbeddedChannel channel;

    Http1Fixture() {
        this("");
    }

    /** {@code proxyYaml}: more keys under {@code proxy:}, each line indented by two spaces. */
    Http1Fixture(String proxyYaml) {
        this(proxyYaml, null);
    }

    /** The same, whose exchanges go to {@code accessLog} (null: none). */
    Http1Fixture(String proxyYaml, AccessLog accessLog) {
        context = TestProxyContexts.of(
                "proxy:\n  maxInitialLineLength: 256\n  maxHeaderSize: 1024\n" + proxyYaml,
                resolver,
                metrics,
                accessLog);
        channel = new EmbeddedChannel(new HttpServerCodec(), new Http1ProxyHandler(context, this));
        channel.freezeTime(); // time moves only by advanceTimeBy: a slow test thread cannot fire a timer early
    }

    /** Routes {@code customer} to {@code cell}. */
    Http1Fixture route(String customer, Cell cell) {
        resolver.answer(
                customer, new Resolution(Resolution.Outcome.ROUTE, cell, Resolution.Source.REGISTRY, null, null));
        return this;
    }

    @Override
    public Future<CellLeg> open(Cell cell, EventLoop loop, UpstreamListener answer, boolean upgrade) {
        Promise<CellLeg> promise = loop.newPromise();
        opened.add(new Opened(cell, answer, upgrade, promise));
        return promise;
    }

    /** The last request for a cell side. */
    Opened lastOpened() {
        return opened.get(opened.size() - 1);
    }

    /** Writes {@code bytes} as the client and returns what the router answered. */
    String send(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        return answered();
    }

    /** What the router wrote to the client since the last look. */
    String answered() {
        StringBuilder out = new StringBuilder();
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) msg;
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return out.toString();
    }
}
