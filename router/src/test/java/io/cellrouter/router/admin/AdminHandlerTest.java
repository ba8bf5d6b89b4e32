package io.cellrouter.router.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.metrics.RouterMetrics;
import io.cellrouter.router.testing.StubResolver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class AdminHandlerTest {

    private static final String TOKEN = "0123456789abcdef-token";
    private final StubResolver resolver = new StubResolver();
    private final AtomicBoolean ready = new AtomicBoolean(true);

    private String request(String head) {
        return send(TOKEN, head);
    }

    /** As {@link #request}, on a listener without a token (loopback only). */
    private String tokenless(String head) {
        return send(null, head);
    }

    private String send(String token, String head) {
        EmbeddedChannel ch = new EmbeddedChannel(new AdminChannelInitializer(
                resolver, null, new RouterMetrics(), ready::get, token, java.time.Clock.systemUTC()));
        ch.writeInbound(Unpooled.copiedBuffer(head + "\r\n", StandardCharsets.ISO_8859_1));
        StringBuilder out = new StringBuilder();
        Object msg;
        while ((msg = ch.readOutbound()) != null) {
            out.append(((ByteBuf) msg).toString(StandardCharsets.UTF_8));
            ((ByteBuf) msg).release();
        }
        return out.toString();
    }

    @Test
    void withoutAToken_onlyLoopbackHostsAreAnswered_againstDnsRebinding() {
        assertThat(tokenless("GET /admin/v1/whoami HTTP/1.1\r\nHost: 127.0.0.1:9090\r\n"))
                .startsWith("HTTP/1.1 200")
                .contains("loopback-no-token");
        assertThat(tokenless("GET /admin/v1/whoami HTTP/1.1\r\nHost: localhost:9090\r\n"))
                .startsWith("HTTP/1.1 200");
        assertThat(tokenless("GET /admin/v1/whoami HTTP/1.1\r\nHost: rebound.evil.example:9090\r\n"))
                .startsWith("HTTP/1.1 403")
                .contains("loopback");
        assertThat(tokenless("GET /healthz HTTP/1.1\r\nHost: rebound.evil.example:9090\r\n"))
                .startsWith("HTTP/1.1 200");
    }

    @Test
    void healthz_isOpen() {
        assertThat(request("GET /healthz HTTP/1.1\r\nHost: a\r\n")).startsWith("HTTP/1.1 200");
    }

    @Test
    void readyz_is503_untilReady() {
        ready.set(false);
        assertThat(request("GET /readyz HTTP/1.1\r\nHost: a\r\n")).startsWith("HTTP/1.1 503");
        ready.set(true);
        assertThat(request("GET /readyz HTTP/1.1\r\nHost: a\r\n")).startsWith("HTTP/1.1 200");
    }

    @Test
    void metrics_isPrometheusText() {
        assertThat(request("GET /metrics HTTP/1.1\r\nHost: a\r\n"))
                .startsWith("HTTP/1.1 200")
                .contains("text/plain; version=0.0.4");
    }

    @Test
    void adminApi_withoutToken_returns401() {
        assertThat(request("GET /admin/v1/cells HTTP/1.1\r\nHost: a\r\n"))
                .startsWith("HTTP/1.1 401")
                .contains("www-authenticate: Bearer");
    }

    @Test
    void adminApi_withWrongToken_returns401() {
        assertThat(request("GET /admin/v1/cells HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer nope\r\n"))
                .startsWith("HTTP/1.1 401");
    }

    @Test
    void adminApi_withToken_listsCells() {
        assertThat(request("GET /admin/v1/cells HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + TOKEN + "\r\n"))
                .startsWith("HTTP/1.1 200")
                .contains("{\"cells\":[]}");
    }

    @Test
    void unknownPath_returns404() {
        assertThat(request("GET /nope HTTP/1.1\r\nHost: a\r\n")).startsWith("HTTP/1.1 404");
    }

    @Test
    void wrongMethod_returns405() {
        assertThat(request("DELETE /admin/v1/cells HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + TOKEN + "\r\n"))
                .startsWith("HTTP/1.1 405");
    }
}
