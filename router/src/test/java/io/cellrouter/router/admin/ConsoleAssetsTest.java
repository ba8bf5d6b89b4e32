package io.cellrouter.router.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.metrics.RouterMetrics;
import io.cellrouter.router.testing.StubResolver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The console's files on the admin listener: open (the page signs in itself), with strict headers. */
class ConsoleAssetsTest {

    private static String request(String head) {
        EmbeddedChannel ch = new EmbeddedChannel(new AdminChannelInitializer(
                new StubResolver(),
                null,
                new RouterMetrics(),
                () -> true,
                "0123456789abcdef-token",
                java.time.Clock.systemUTC()));
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
    void root_isTheConsolePage_withoutAToken_andWithItsSecurityHeaders() {
        String answer = request("GET / HTTP/1.1\r\nHost: a\r\n");

        assertThat(answer)
                .startsWith("HTTP/1.1 200")
                .contains("content-type: text/html; charset=utf-8")
                .contains("content-security-policy: " + ConsoleAssets.CSP)
                .contains("x-frame-options: DENY")
                .contains("X-Content-Type-Options: nosniff")
                .contains("<script src=\"/console/console.js\" defer></script>");
    }

    @Test
    void scriptAndStyle_areServedWithTheirTypes() {
        assertThat(request("GET /console/console.js HTTP/1.1\r\nHost: a\r\n"))
                .startsWith("HTTP/1.1 200")
                .contains("content-type: text/javascript");
        assertThat(request("GET /console/console.css HTTP/1.1\r\nHost: a\r\n"))
                .startsWith("HTTP/1.1 200")
                .contains("content-type: text/css");
    }

    @Test
    void otherMethods_are405_andOtherFiles404() {
        assertThat(request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n"))
                .startsWith("HTTP/1.1 405")
                .contains("allow: GET, HEAD");
        assertThat(request("HEAD / HTTP/1.1\r\nHost: a\r\n")).startsWith("HTTP/1.1 200");
        assertThat(request("GET /console/../config.yaml HTTP/1.1\r\nHost: a\r\n"))
                .startsWith("HTTP/1.1 404");
        assertThat(request("GET /console/ HTTP/1.1\r\nHost: a\r\n")).startsWith("HTTP/1.1 404");
    }
}
