package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.transport.ClientAddress;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.List;
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

    private static final List<AsciiString> IDENTITY =
            List.of(AsciiString.of("x-customer-id"), AsciiString.of("authorization"));

    /** Spelled with '_' for '-', a trusted proxy's too: CGI-style servers read them as the router's. */
    @Test
    void toCell_underscoreSpellingsOfDecidedFields_areRemoved_evenFromATrustedProxy() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("x-customer-id", "acme")
                .add("X_Customer_Id", "globex")
                .add("x-forwarded-for", "203.0.113.7")
                .add("x_forwarded_for", "6.6.6.6")
                .add("x-forwarded_proto", "http")
                .add("x_real_ip", "6.6.6.6")
                .add("x_cell_router_cell", "cell-2")
                .add("x-forwarded-my_field", "proxy's")
                .add("x_app", "kept");

        ForwardHeaders.toCell(h, TRUSTED_PROXY, "https", "cell-1", IDENTITY);

        assertThat(h.names())
                .containsExactlyInAnyOrder(
                        "x-customer-id",
                        "x-forwarded-for",
                        "x-forwarded-my_field",
                        "x_app",
                        "x-forwarded-proto",
                        "x-cell-router-cell");
        assertThat(h.getAll("x-customer-id")).containsExactly("acme");
        assertThat(h.getAll("x-forwarded-for")).containsExactly("203.0.113.7, 10.0.0.2");
        assertThat(h.getAll("x-cell-router-cell")).containsExactly("cell-1");
    }

    @Test
    void toCellHttp2_underscoreSpellingsOfDecidedFields_areRemoved() {
        Http2Headers h = new DefaultHttp2Headers()
                .add("x-customer-id", "acme")
                .add("x_customer_id", "globex")
                .add("x_forwarded_for", "6.6.6.6")
                .add("x_real_ip", "6.6.6.6")
                .add("x_cell_router_cell", "cell-2")
                .add("x_app", "kept");

        ForwardHeaders.toCell(h, UNTRUSTED, "http", "cell-1", IDENTITY);

        assertThat(h.names())
                .extracting(CharSequence::toString)
                .containsExactlyInAnyOrder(
                        "x-customer-id", "x_app", "x-forwarded-for", "x-forwarded-proto", "x-cell-router-cell");
        assertThat(h.getAll("x-forwarded-for"))
                .extracting(CharSequence::toString)
                .containsExactly("10.0.0.1");
    }

    /** An identity header configured with '_' is removed in its '-' spelling. */
    @Test
    void toCell_identityFieldConfiguredWithUnderscore_losesItsHyphenSpelling() {
        HttpHeaders h = new DefaultHttpHeaders().add("x_tenant", "acme").add("X-Tenant", "globex");

        ForwardHeaders.toCell(h, UNTRUSTED, "http", "cell-1", List.of(AsciiString.of("x_tenant")));

        assertThat(h.getAll("x_tenant")).containsExactly("acme");
        assertThat(h.contains("x-tenant")).isFalse();
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
