package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.transport.ClientAddress;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ForwardHeadersTest {

    private static final ClientAddress UNTRUSTED = new ClientAddress("10.0.0.1", false);
    private static final ClientAddress TRUSTED_PROXY = new ClientAddress("10.0.0.2", true);

    @Test
    void toCell_removesHopByHopAndConnectionNamed_butKeepsFraming() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("connection", "keep-alive, X-Private, transfer-encoding")
                .add("x-private", "1")
                .add("keep-alive", "timeout=5")
                .add("te", "gzip")
                .add("upgrade", "h2c")
                .add("proxy-authorization", "x")
                .add("transfer-encoding", "chunked")
                .add("host", "h.example")
                .add("x-app", "kept");

        ForwardHeaders.toCell(h, UNTRUSTED, "http", "cell-9");

        assertThat(h.names())
                .doesNotContain("connection", "x-private", "keep-alive", "te", "upgrade", "proxy-authorization");
        assertThat(h.get("transfer-encoding")).isEqualTo("chunked");
        assertThat(h.get("x-app")).isEqualTo("kept");
        assertThat(h.get("x-forwarded-for")).isEqualTo("10.0.0.1");
        assertThat(h.get("x-forwarded-host")).isEqualTo("h.example");
        assertThat(h.get("x-cell-router-cell")).isEqualTo("cell-9");
    }

    @Test
    void toCell_keepsTeTrailers_whichGrpcNeeds() {
        HttpHeaders h = new DefaultHttpHeaders().add("te", "trailers").add("x-http2-stream-id", "3");

        ForwardHeaders.toCell(h, UNTRUSTED, "http", "cell-1");

        assertThat(h.get("te")).isEqualTo("trailers");
        assertThat(h.contains("x-http2-stream-id")).isFalse();
    }

    @Test
    void toCell_replacesClientSuppliedRouterHeaders() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("X-Forwarded-For", "6.6.6.6")
                .add("x-forwarded-port", "1")
                .add("X-Cell-Router-Cell", "other")
                .add("x-cell-router-debug", "1");

        ForwardHeaders.toCell(h, UNTRUSTED, "http", "cell-1");

        assertThat(h.getAll("x-forwarded-for")).containsExactly("10.0.0.1");
        assertThat(h.getAll("x-cell-router-cell")).containsExactly("cell-1");
        assertThat(h.contains("x-cell-router-debug")).isFalse();
        assertThat(h.contains("x-forwarded-port")).isFalse();
        assertThat(h.contains("x-forwarded-host")).isFalse();
    }

    @Test
    void toCell_untrustedPeer_forwardedClaimsReplacedOrRemoved() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("x-forwarded-for", "6.6.6.6")
                .add("x-forwarded-for", "7.7.7.7")
                .add("x-forwarded-proto", "https")
                .add("forwarded", "for=6.6.6.6;proto=https")
                .add("x-real-ip", "6.6.6.6");

        ForwardHeaders.toCell(h, UNTRUSTED, "http", "cell-1");

        assertThat(h.getAll("x-forwarded-for")).containsExactly("10.0.0.1");
        assertThat(h.getAll("x-forwarded-proto")).containsExactly("http");
        assertThat(h.contains("forwarded")).isFalse();
        assertThat(h.contains("x-real-ip")).isFalse();
    }

    @Test
    void toCell_trustedProxy_forwardedForAppendedToAndTheOthersKept() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("x-forwarded-for", "203.0.113.7, 198.51.100.1")
                .add("x-forwarded-for", "192.0.2.9")
                .add("x-forwarded-proto", "https")
                .add("forwarded", "for=203.0.113.7;proto=https")
                .add("x-real-ip", "203.0.113.7")
                .add("x-cell-router-cell", "forged");

        ForwardHeaders.toCell(h, TRUSTED_PROXY, "http", "cell-1");

        assertThat(h.getAll("x-forwarded-for")).containsExactly("203.0.113.7, 198.51.100.1, 192.0.2.9, 10.0.0.2");
        assertThat(h.getAll("x-forwarded-proto")).containsExactly("https");
        assertThat(h.get("forwarded")).isEqualTo("for=203.0.113.7;proto=https");
        assertThat(h.get("x-real-ip")).isEqualTo("203.0.113.7");
        assertThat(h.getAll("x-cell-router-cell")).containsExactly("cell-1");
    }

    @Test
    void toCell_trustedProxyWithoutForwardedHeaders_getsTheRoutersOwn() {
        HttpHeaders h = new DefaultHttpHeaders();

        ForwardHeaders.toCell(h, TRUSTED_PROXY, "https", "cell-1");

        assertThat(h.getAll("x-forwarded-for")).containsExactly("10.0.0.2");
        assertThat(h.getAll("x-forwarded-proto")).containsExactly("https");
    }

    @Test
    void toCellHttp2_untrustedPeer_forwardedClaimsReplacedOrRemoved() {
        Http2Headers h = new DefaultHttp2Headers()
                .add("x-forwarded-for", "6.6.6.6")
                .add("x-forwarded-proto", "https")
                .add("forwarded", "for=6.6.6.6")
                .add("x-real-ip", "6.6.6.6")
                .add("x-forwarded-prefix", "//evil.example")
                .add("x-forwarded-client-cert", "URI=spiffe://acme/admin");

        ForwardHeaders.toCell(h, UNTRUSTED, "http", "cell-1");

        assertThat(h.getAll("x-forwarded-for")).containsExactly("10.0.0.1");
        assertThat(h.getAll("x-forwarded-proto")).containsExactly("http");
        assertThat(h.contains("forwarded")).isFalse();
        assertThat(h.contains("x-real-ip")).isFalse();
        assertThat(h.contains("x-forwarded-prefix")).isFalse();
        assertThat(h.contains("x-forwarded-client-cert")).isFalse();
    }

    @Test
    void toCellHttp2_trustedProxy_forwardedForAppendedToAndTheOthersKept() {
        Http2Headers h = new DefaultHttp2Headers()
                .add("x-forwarded-for", "203.0.113.7")
                .add("x-forwarded-for", "192.0.2.9")
                .add("x-forwarded-proto", "https")
                .add("forwarded", "for=203.0.113.7")
                .add("x-real-ip", "203.0.113.7");

        ForwardHeaders.toCell(h, TRUSTED_PROXY, "http", "cell-1");

        assertThat(h.getAll("x-forwarded-for")).hasSize(1).first().hasToString("203.0.113.7, 192.0.2.9, 10.0.0.2");
        assertThat(h.get("x-forwarded-proto")).hasToString("https");
        assertThat(h.get("forwarded")).hasToString("for=203.0.113.7");
        assertThat(h.get("x-real-ip")).hasToString("203.0.113.7");
    }

    @Test
    void toClient_removesHopByHop() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("connection", "keep-alive, x-cell-secret")
                .add("x-cell-secret", "1")
                .add("content-length", "5");

        ForwardHeaders.toClient(h);

        assertThat(h.names()).containsExactly("content-length");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Connection",
                "keep-alive",
                "Proxy-Connection",
                "proxy-authenticate",
                "Proxy-Authorization",
                "te",
                "Upgrade",
                "x-http2-stream-id",
                "X-HTTP2-Scheme"
            })
    void toClient_eachHopByHopOrConversionField_aloneAmongOrdinaryOnes_isRemoved(String name) {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("content-type", "text/plain")
                .add(name, "x")
                .add("content-length", "5");

        ForwardHeaders.toClient(h);

        assertThat(h.names()).containsExactly("content-type", "content-length");
    }

    @Test
    void toClient_onlyOrdinaryFields_leavesThemAsTheyAre() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("content-type", "text/plain")
                .add("x-forwarded-for", "10.0.0.1")
                .add("set-cookie", "a=1")
                .add("set-cookie", "b=2");

        ForwardHeaders.toClient(h);

        assertThat(h.entries())
                .extracting(e -> e.getKey() + "=" + e.getValue())
                .containsExactly(
                        "content-type=text/plain", "x-forwarded-for=10.0.0.1", "set-cookie=a=1", "set-cookie=b=2");
    }
}
