package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class ForwardHeadersTest {

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

        ForwardHeaders.toCell(h, "10.0.0.1", "http", "cell-9");

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

        ForwardHeaders.toCell(h, "10.0.0.1", "http", "cell-1");

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

        ForwardHeaders.toCell(h, "10.0.0.1", "http", "cell-1");

        assertThat(h.getAll("x-forwarded-for")).containsExactly("10.0.0.1");
        assertThat(h.getAll("x-cell-router-cell")).containsExactly("cell-1");
        assertThat(h.contains("x-cell-router-debug")).isFalse();
        assertThat(h.contains("x-forwarded-port")).isFalse();
        assertThat(h.contains("x-forwarded-host")).isFalse();
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
}
