package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.H2TestCell;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the router does when an HTTP/2 cell refuses or resets streams. */
class Http2UpstreamIT {

    static H2TestCell h2;

    @BeforeAll
    static void start() throws Exception {
        h2 = new H2TestCell("h2-cell");
    }

    @AfterAll
    static void stop() {
        h2.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
            "",
            r -> "  - name: h2-cell\n    endpoint: h2c://127.0.0.1:%d\n".formatted(h2.port()),
            "  h2c-customer: h2-cell\n");

    private H2Client.Response call(String method, String path, String contentType, byte[] body) throws Exception {
        try (H2Client client = new H2Client(router.server().proxyAddress())) {
            var headers = H2Client.request(method, path, "x-customer-id", "h2c-customer");
            if (contentType != null) {
                headers.add("content-type", contentType);
            }
            return client.send(headers, body).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void goAway_streamAboveLastStreamId_isRetriedOnANewConnectionToTheSameCell() throws Exception {
        int connectionsBefore = h2.connections();
        h2.armGoAway();

        H2Client.Response response = call("POST", "/goaway-first", null, "hello".getBytes(StandardCharsets.UTF_8));

        assertThat(response.status()).isEqualTo("200");
        assertThat(response.bodyStart()).contains("cell=h2-cell").contains("bytes=5");
        assertThat(h2.connections() - connectionsBefore).isEqualTo(2);
    }

    @Test
    void refusedStream_beforeHeaders_isGrpcUnavailable() throws Exception {
        H2Client.Response response = call("POST", "/reset/7", "application/grpc", new byte[5]);

        assertThat(response.trailersOnly()).isTrue();
        assertThat(response.header("grpc-status")).isEqualTo("14");
    }

    @Test
    void enhanceYourCalm_isGrpcResourceExhausted() throws Exception {
        H2Client.Response response = call("POST", "/reset/11", "application/grpc", new byte[5]);

        assertThat(response.header("grpc-status")).isEqualTo("8");
    }

    @Test
    void cancel_isGrpcCancelled() throws Exception {
        assertThat(call("POST", "/reset/8", "application/grpc", new byte[5]).header("grpc-status"))
                .isEqualTo("1");
    }

    @Test
    void internalError_isGrpcInternal() throws Exception {
        assertThat(call("POST", "/reset/2", "application/grpc", new byte[5]).header("grpc-status"))
                .isEqualTo("13");
    }

    /** An HTTP/1.1 client's answer cannot start with a body: DATA before HEADERS is the cell's fault, 502. */
    @Test
    void dataBeforeHeaders_toAnHttp11Client_is502() throws Exception {
        RawHttp.Response response = RawHttp.exchange(
                router.server().proxyAddress(),
                "GET /data-first HTTP/1.1\r\nHost: a\r\nx-customer-id: h2c-customer\r\nConnection: close\r\n\r\n");

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.body()).contains("bad_cell_response").doesNotContain("headless");
    }

    @Test
    void resetBeforeHeaders_forPlainHttp_is502() throws Exception {
        H2Client.Response response = call("GET", "/reset/2", null, null);

        assertThat(response.status()).isEqualTo("502");
        assertThat(response.bodyStart()).contains("cell_unreachable");
    }

    /** The cell's connection dropped before it answered (no RST_STREAM, no GOAWAY): UNAVAILABLE, which clients retry. */
    @Test
    void connectionLostBeforeTheAnswer_isGrpcUnavailable() throws Exception {
        H2Client.Response response = call("POST", "/drop", "application/grpc", new byte[5]);

        assertThat(response.trailersOnly()).isTrue();
        assertThat(response.header("grpc-status")).isEqualTo("14");
    }

    @Test
    void connectionLostBeforeTheAnswer_forPlainHttp_is502() throws Exception {
        H2Client.Response response = call("GET", "/drop", null, null);

        assertThat(response.status()).isEqualTo("502");
        assertThat(response.bodyStart()).contains("cell_unreachable");
    }

    // ----- a head HTTP/2 forbids: the codec resets the stream, and the answer is the cell's fault -----

    /**
     * An answer head with a field HTTP/2 forbids is refused by the codec, which resets the cell's
     * stream: a broken answer ({@code bad_cell_response}), not a stream the cell closed ({@code
     * cell_unreachable}, as it was reported before), for every kind of client.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/bad-header/upper", "/bad-header/connection"})
    void forbiddenFieldInTheAnswerHead_toAnHttp2Client_isBadCellResponse(String path) throws Exception {
        H2Client.Response response = call("GET", path, null, null);

        assertThat(response.status()).isEqualTo("502");
        assertThat(response.bodyStart()).contains("bad_cell_response").doesNotContain("after a bad head");
    }

    @Test
    void forbiddenFieldInTheAnswerHead_toAnHttp11Client_isBadCellResponse() throws Exception {
        RawHttp.Response response = RawHttp.exchange(
                router.server().proxyAddress(),
                "GET /bad-header/upper HTTP/1.1\r\nHost: a\r\nx-customer-id: h2c-customer\r\nConnection: close\r\n\r\n");

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.body()).contains("bad_cell_response").doesNotContain("after a bad head");
    }

    @Test
    void forbiddenFieldInTheAnswerHead_toAGrpcCall_isInternal() throws Exception {
        H2Client.Response response = call("POST", "/bad-header/connection", "application/grpc", new byte[5]);

        assertThat(response.header("grpc-status")).isEqualTo("13");
        assertThat(response.header("grpc-message")).contains("bad_cell_response");
    }

    // ----- a content-length the cell's DATA does not match -----

    /** HEADERS with content-length: 1000 that end the stream: no body where one was announced. */
    @Test
    void lengthAndNoBody_toAnHttp2Client_is502() throws Exception {
        H2Client.Response response = call("GET", "/length-no-body", null, null);

        assertThat(response.status()).isEqualTo("502");
        assertThat(response.bodyStart()).contains("bad_cell_response");
    }

    @Test
    void lengthAndNoBody_answeringAHead_isTheAnswer() throws Exception {
        H2Client.Response response = call("HEAD", "/length-no-body", null, null);

        assertThat(response.status()).isEqualTo("200");
        assertThat(response.header("content-length")).isEqualTo("1000");
        assertThat(response.resetCode()).isEqualTo(-1);
        assertThat(response.headersEndStream()).containsExactly(true);
    }

    @Test
    void lengthAndNoBody_ina304_isTheAnswer() throws Exception {
        H2Client.Response response = call("GET", "/length-no-body/304", null, null);

        assertThat(response.status()).isEqualTo("304");
        assertThat(response.resetCode()).isEqualTo(-1);
    }

    /** The head has gone to the client when the empty end comes: the stream is reset, never ended as if whole. */
    @Test
    void lengthAndAnEmptyEnd_toAnHttp2Client_isReset() throws Exception {
        H2Client.Response response = call("GET", "/length-empty-data", null, null);

        assertThat(response.resetCode()).as(response.toString()).isEqualTo(2L); // INTERNAL_ERROR
        assertThat(response.bytes()).isZero();
    }

    @Test
    void lengthAndAShortBody_toAnHttp2Client_isReset() throws Exception {
        H2Client.Response response = call("GET", "/length-short", null, null);

        assertThat(response.resetCode()).as(response.toString()).isEqualTo(2L);
    }

    @Test
    void lengthAndNoBody_toAnHttp11Client_is502_andItsConnectionGoesOn() throws Exception {
        try (java.net.Socket socket = RawHttp.connect(router.server().proxyAddress(), 5000)) {
            RawHttp.write(socket, "GET /length-no-body HTTP/1.1\r\nHost: a\r\nx-customer-id: h2c-customer\r\n\r\n");
            RawHttp.Response response = RawHttp.read(socket.getInputStream());

            assertThat(response.status()).isEqualTo(502);
            assertThat(response.body()).contains("bad_cell_response");

            RawHttp.write(socket, "GET /fine HTTP/1.1\r\nHost: a\r\nx-customer-id: h2c-customer\r\n\r\n");
            assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(200);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/length-empty-data", "/length-short"})
    void lengthNotMet_toAnHttp11Client_closesItsConnection(String path) throws Exception {
        try (java.net.Socket socket = RawHttp.connect(router.server().proxyAddress(), 5000)) {
            RawHttp.write(socket, "GET " + path + " HTTP/1.1\r\nHost: a\r\nx-customer-id: h2c-customer\r\n\r\n");

            // Cut short: the connection ends before the 1000 bytes announced (a wait would be a keep-alive).
            assertThatThrownBy(() -> RawHttp.read(socket.getInputStream()))
                    .isInstanceOf(java.io.IOException.class)
                    .isNotInstanceOf(java.net.SocketTimeoutException.class);
        }
    }

    // ----- an informational answer that ends the stream (RFC 9113 section 8.1: malformed) -----

    @Test
    void interimThatEndsTheStream_is502AtOnce() throws Exception {
        H2Client.Response response = call("GET", "/interim-end", null, null);

        assertThat(response.status()).isEqualTo("502");
        assertThat(response.bodyStart()).contains("bad_cell_response");
    }

    @Test
    void interimThatEndsTheStream_ofAGrpcCall_isGrpcInternal() throws Exception {
        H2Client.Response response = call("POST", "/interim-end", "application/grpc", new byte[5]);

        assertThat(response.trailersOnly()).as(response.toString()).isTrue();
        assertThat(response.header("grpc-status")).isEqualTo("13");
    }

    @Test
    void interimThatEndsTheStream_toAnHttp11Client_is502() throws Exception {
        RawHttp.Response response = RawHttp.exchange(
                router.server().proxyAddress(),
                "GET /interim-end HTTP/1.1\r\nHost: a\r\nx-customer-id: h2c-customer\r\nConnection: close\r\n\r\n");

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.body()).contains("bad_cell_response");
    }
}
