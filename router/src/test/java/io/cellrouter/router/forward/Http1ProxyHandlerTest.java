package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.cache.Resolution;
import io.cellrouter.router.metrics.RouterMetrics;
import io.cellrouter.router.pipeline.ProxyChannelInitializer;
import io.cellrouter.router.testing.StubResolver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The proxy pipeline on an EmbeddedChannel: every answer the router gives without a cell. */
class Http1ProxyHandlerTest {

    private final StubResolver resolver = new StubResolver();
    private final RouterMetrics metrics = new RouterMetrics();

    private final ProxyContext context =
            TestProxyContexts.of("proxy:\n  maxInitialLineLength: 256\n  maxHeaderSize: 1024\n", resolver, metrics);

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(
                new ProxyChannelInitializer(context, new DefaultChannelGroup(GlobalEventExecutor.INSTANCE)));
    }

    private static String send(EmbeddedChannel ch, String request) {
        ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        return drain(ch);
    }

    private static String drain(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        Object msg;
        while ((msg = ch.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) msg;
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return out.toString();
    }

    @Test
    void noIdentity_answers401_andKeepsTheConnection() {
        EmbeddedChannel ch = channel();

        String response = send(ch, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 401 Unauthorized").contains("\"error\":\"missing_identity\"");
        assertThat(ch.isOpen()).isTrue();
        assertThat(send(ch, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 401");
    }

    @Test
    void unknownCustomer_answers404() {
        String response = send(channel(), "GET / HTTP/1.1\r\nHost: a\r\nx-customer-id: nobody\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 404 Not Found").contains("\"error\":\"unknown_customer\"");
    }

    @Test
    void frozenCustomer_answers503WithRetryAfter() {
        resolver.answer(
                "acme",
                new Resolution(
                        Resolution.Outcome.FROZEN, null, Resolution.Source.OVERRIDE, null, Duration.ofMillis(2500)));

        String response = send(channel(), "GET / HTTP/1.1\r\nHost: a\r\nx-customer-id: acme\r\n\r\n");

        assertThat(response)
                .startsWith("HTTP/1.1 503")
                .contains("retry-after: 3")
                .contains("\"error\":\"customer_frozen\"");
    }

    @Test
    void registryUnavailable_answers503WithRetryAfter() {
        resolver.answer(
                "acme",
                new Resolution(
                        Resolution.Outcome.REGISTRY_UNAVAILABLE,
                        null,
                        Resolution.Source.NONE,
                        null,
                        Duration.ofSeconds(5)));

        String response = send(channel(), "GET / HTTP/1.1\r\nHost: a\r\nx-customer-id: acme\r\n\r\n");

        assertThat(response)
                .startsWith("HTTP/1.1 503")
                .contains("retry-after: 5")
                .contains("registry_unavailable");
    }

    @Test
    void pendingResolution_buffersAFewMessages_thenStopsReading_untilItCompletes() {
        CompletableFuture<Resolution> later = new CompletableFuture<>();
        resolver.answer("acme", later);
        EmbeddedChannel ch = channel();

        assertThat(send(ch, "GET / HTTP/1.1\r\nHost: a\r\nx-customer-id: acme\r\n\r\n"))
                .isEmpty();
        assertThat(ch.config().isAutoRead())
                .as("a slow route alone does not stop reading")
                .isTrue();
        String pipelined = "GET /2 HTTP/1.1\r\nHost: a\r\nx-customer-id: nobody\r\n\r\n";
        assertThat(send(ch, pipelined + pipelined + pipelined)).isEmpty();
        assertThat(ch.config().isAutoRead())
                .as("pipelined requests filled the queue")
                .isFalse();

        later.complete(
                new Resolution(Resolution.Outcome.UNKNOWN_CUSTOMER, null, Resolution.Source.REGISTRY, null, null));
        ch.runPendingTasks();

        String answers = drain(ch);
        assertThat(answers.split("HTTP/1.1 404", -1)).hasSize(5);
        assertThat(ch.config().isAutoRead()).isTrue();
    }

    @Test
    void malformedRequestLine_answers400_andCloses() {
        EmbeddedChannel ch = channel();

        String response = send(ch, "GET\u0001 / HTTP/1.1\r\nHost: a\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 400");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void requestLineTooLong_answers414_andCloses() {
        EmbeddedChannel ch = channel();

        String response = send(ch, "GET /" + "a".repeat(400) + " HTTP/1.1\r\nHost: a\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 414");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void headersTooLarge_answers431_andCloses() {
        EmbeddedChannel ch = channel();

        String response = send(ch, "GET / HTTP/1.1\r\nHost: a\r\nx-big: " + "b".repeat(2000) + "\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 431");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void errorBeforeTheBodyWasRead_closesTheConnection() {
        EmbeddedChannel ch = channel();

        String response = send(ch, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");

        assertThat(response).startsWith("HTTP/1.1 401").contains("connection: close");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void unparseableContentLength_answers400_andCloses() {
        EmbeddedChannel ch = channel();

        String response =
                send(ch, "POST / HTTP/1.1\r\nHost: a\r\nx-customer-id: acme\r\nContent-Length: 1, 2\r\n\r\nab");

        assertThat(response).startsWith("HTTP/1.1 400");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void draining_closesAConnectionBetweenRequests() {
        EmbeddedChannel ch = channel();
        assertThat(send(ch, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 401");

        context.drain().startDraining();
        ch.pipeline().fireUserEventTriggered(DrainState.DRAIN_EVENT);

        assertThat(ch.isOpen()).isFalse();
    }

    /**
     * A connection whose first request has not been read when the drain starts may have it in the
     * socket already: closed then, it would be reset under the client. It gets its answer, then the end.
     */
    @Test
    void draining_answersTheFirstRequestOfAConnectionThatHadNotBegunOne_withConnectionClose() {
        EmbeddedChannel ch = channel();
        assertThat(DrainState.awaitingFirstRequest(ch)).isTrue();

        context.drain().startDraining();
        ch.pipeline().fireUserEventTriggered(DrainState.DRAIN_EVENT);
        assertThat(ch.isOpen()).as("open for its first request").isTrue();

        String response = send(ch, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 401").containsIgnoringCase("connection: close");
        assertThat(DrainState.awaitingFirstRequest(ch)).isFalse();
        assertThat(ch.isOpen()).isFalse();
    }
}
