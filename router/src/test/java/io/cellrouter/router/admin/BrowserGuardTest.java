package io.cellrouter.router.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BrowserGuardTest {

    private static HttpRequest request(String... headers) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/admin/v1/whoami");
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().add(headers[i], headers[i + 1]);
        }
        return request;
    }

    @Test
    void scriptsAndTheCli_sendNoBrowserHeaders_andPass() {
        assertThat(BrowserGuard.refusal(request("Host", "127.0.0.1:9090"), true))
                .isNull();
        assertThat(BrowserGuard.refusal(request("Host", "router.internal:9090"), false))
                .isNull();
        assertThat(BrowserGuard.refusal(request(), true)).isNull();
    }

    @Test
    void ownOrigin_passes_inEitherScheme_andAnyCase() {
        assertThat(BrowserGuard.refusal(request("Host", "127.0.0.1:9090", "Origin", "http://127.0.0.1:9090"), true))
                .isNull();
        assertThat(BrowserGuard.refusal(
                        request("Host", "Admin.Example:443", "Origin", "https://admin.example:443"), false))
                .isNull();
        assertThat(BrowserGuard.refusal(
                        request(
                                "Host",
                                "localhost:9090",
                                "Origin",
                                "http://localhost:9090",
                                "Sec-Fetch-Site",
                                "same-origin"),
                        true))
                .isNull();
        assertThat(BrowserGuard.refusal(request("Host", "localhost:9090", "Sec-Fetch-Site", "none"), true))
                .isNull();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "http://evil.example",
                "null",
                "http://127.0.0.1:9091",
                "http://127.0.0.1:9090.evil.example",
                "ftp://127.0.0.1:9090",
                "http://127.0.0.1"
            })
    void anotherOrigin_isRefused(String origin) {
        assertThat(BrowserGuard.refusal(request("Host", "127.0.0.1:9090", "Origin", origin), false))
                .contains("another site's page");
    }

    @Test
    void behindAProxyThatRewritesHost_theBrowsersSameOriginMark_decides() {
        assertThat(BrowserGuard.refusal(
                        request(
                                "Host",
                                "127.0.0.1:9090",
                                "Origin",
                                "https://admin.example",
                                "Sec-Fetch-Site",
                                "same-origin"),
                        false))
                .isNull();
        assertThat(BrowserGuard.refusal(
                        request(
                                "Host",
                                "127.0.0.1:9090",
                                "Origin",
                                "https://admin.example",
                                "Sec-Fetch-Site",
                                "cross-site"),
                        false))
                .contains("Sec-Fetch-Site");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cross-site", "same-site", "Cross-Site"})
    void fetchSiteOtherThanOwn_isRefused(String site) {
        assertThat(BrowserGuard.refusal(request("Host", "127.0.0.1:9090", "Sec-Fetch-Site", site), false))
                .contains("Sec-Fetch-Site");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "127.0.0.1",
                "127.0.0.1:9090",
                "127.3.4.5:1",
                "localhost",
                "LOCALHOST:9090",
                "localhost.:9090",
                "127.0.0.1.",
                "[::1]:9090",
                "[::1]"
            })
    void loopbackHosts(String host) {
        assertThat(BrowserGuard.loopback(host)).isTrue();
        assertThat(BrowserGuard.refusal(request("Host", host), true)).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "rebound.evil.example:9090",
                "127.0.0.1.evil.example",
                "localhost.evil.example:9090",
                "10.0.0.1:9090",
                "[::1]x",
                "[::1",
                "[::2]:9090",
                "0x7f000001"
            })
    void otherHosts_areRefusedWithoutAToken_only(String host) {
        assertThat(BrowserGuard.loopback(host)).isFalse();
        assertThat(BrowserGuard.refusal(request("Host", host), true)).contains("loopback", host);
        assertThat(BrowserGuard.refusal(request("Host", host), false)).isNull();
    }
}
