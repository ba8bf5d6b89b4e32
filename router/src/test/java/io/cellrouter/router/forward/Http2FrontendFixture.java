package io.cellrouter.router.forward;

import io.cellrouter.registry.cache.Resolution;
import io.cellrouter.router.metrics.RouterMetrics;
import io.cellrouter.router.testing.StubResolver;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A client's HTTP/2 connection to the router, on an {@link EmbeddedChannel}: a real {@link
 * Http2Frontend} with a {@link ProxyContext} over a {@link StubResolver}, and the client's end as
 * an {@link Http2Wire}. No cell: a stream whose route never comes stays open, its exchange waiting,
 * for a test to write to it as a relay would.
 */
final class Http2FrontendFixture implements AutoCloseable {

    /** Header fields the client's frame strings show. */
    static final String[] SHOWN = {
        ":status", "content-type", "grpc-status", "grpc-message", "x-request-id", "proxy-authenticate", "x-note"
    };

    final StubResolver resolver = new StubResolver();
    final RouterMetrics metrics = new RouterMetrics();
    final ProxyContext context;
    final Http2Frontend front;
    final EmbeddedChannel channel;
    final Http2Wire client = new Http2Wire(false, SHOWN);
    /** The frames the router wrote as the connection started. */
    final List<String> opening;

    /**
     * A connection whose client announced {@code clientSettings} (its windows, for one). The
     * router's stream window is the smallest allowed (65,535 bytes), so that the credit it returns
     * shows as a WINDOW_UPDATE once half of it has been acknowledged.
     */
    Http2FrontendFixture(Http2Settings clientSettings) {
        this(clientSettings, "");
    }

    /** The same, with {@code proxyYaml}: more keys under {@code proxy:}, each line indented by two spaces. */
    Http2FrontendFixture(Http2Settings clientSettings, String proxyYaml) {
        this(clientSettings, proxyYaml, false);
    }

    /** The same, the router draining already when the connection starts ({@code drainFirst}). */
    Http2FrontendFixture(Http2Settings clientSettings, String proxyYaml, boolean drainFirst) {
        context = TestProxyContexts.of(
                "proxy:\n  maxBodySize: 50000\n  http2:\n    initialStreamWindow: 65535\n" + proxyYaml,
                resolver,
                metrics);
        if (drainFirst) {
            context.drain().startDraining();
        }
        front = Http2Frontend.create(context);
        channel = new EmbeddedChannel(front);
        channel.freezeTime(); // time moves only by advanceTimeBy: a slow test thread cannot fire a timer early
        channel.writeInbound(client.clientPreface(clientSettings));
        channel.writeInbound(client.settingsAck());
        opening = client.read(channel); // the router's SETTINGS, its connection window, the ack of ours
    }

    Http2FrontendFixture() {
        this(new Http2Settings());
    }

    /** A request head of customer {@code customer}: POST /orders, with {@code extra} name-value pairs. */
    static Http2Headers request(String customer, String... extra) {
        Http2Headers headers = new DefaultHttp2Headers()
                .method("POST")
                .scheme("http")
                .authority("router")
                .path("/orders")
                .set("x-customer-id", customer);
        for (int i = 0; i < extra.length; i += 2) {
            headers.add(extra[i], extra[i + 1]);
        }
        return headers;
    }

    /**
     * Opens stream {@code streamId} for a customer whose route never comes: the stream stays open
     * and its exchange waits, holding (not acknowledging) the {@code bodyBytes} the client sends.
     */
    void openWaitingStream(int streamId, int bodyBytes, boolean endStream) {
        resolver.answer("waiting", new CompletableFuture<Resolution>());
        channel.writeInbound(client.headers(streamId, request("waiting"), endStream && bodyBytes == 0));
        int left = bodyBytes;
        while (left > 0) {
            int frame = Math.min(left, 16_384);
            left -= frame;
            channel.writeInbound(client.data(streamId, frame, endStream && left == 0));
        }
    }

    /** The frames the router wrote to the client since the last call. */
    List<String> frames() {
        return client.read(channel);
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
        client.close();
    }
}
