package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellrouter.router.testing.AuditCapture;
import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One request id from the client to the cell and back, in the access log too: kept when the
 * client sends a good one, generated otherwise; the W3C trace context passes and is logged.
 */
class RequestIdIT {

    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @RegisterExtension
    final RouterExtension router = new RouterExtension();

    @RegisterExtension
    final AuditCapture accessLog = AuditCapture.accessLog();

    private JsonNode accessLine(String requestId) {
        return accessLog.awaitRequest(requestId);
    }

    private HttpHeaders lastSeenByCell1() {
        List<HttpHeaders> seen = router.cell("cell-1").receivedHeaders();
        return seen.get(seen.size() - 1);
    }

    @Test
    void clientsId_reachesTheCell_comesBack_andIsLogged_withTheTrace() throws Exception {
        RawHttp.Response response = RawHttp.exchange(
                router.server().proxyAddress(),
                "GET /x HTTP/1.1\r\nHost: a\r\nx-customer-id: acme\r\nx-request-id: order-42/retry-1\r\n"
                        + "traceparent: " + TRACEPARENT + "\r\nUser-Agent: test-agent/1\r\n\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("x-request-id")).isEqualTo("order-42/retry-1");
        assertThat(lastSeenByCell1().get("x-request-id")).isEqualTo("order-42/retry-1");
        assertThat(lastSeenByCell1().get("traceparent")).isEqualTo(TRACEPARENT);
        JsonNode line = accessLine("order-42/retry-1");
        assertThat(line.path("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(line.path("user_agent").asText()).isEqualTo("test-agent/1");
        assertThat(line.path("upstream").asText())
                .isEqualTo(router.cell("cell-1").endpoint().substring(7));
    }

    @Test
    void noId_oneIsGenerated_andTheCellAndClientSeeTheSame() throws Exception {
        RawHttp.Response response = RawHttp.exchange(
                router.server().proxyAddress(), "GET /x HTTP/1.1\r\nHost: a\r\nx-customer-id: acme\r\n\r\n");

        String id = response.header("x-request-id");
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(lastSeenByCell1().get("x-request-id")).isEqualTo(id);
        assertThat(accessLine(id).path("status").asInt()).isEqualTo(200);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"too-long", "has space", "tab\tinside", "two"})
    void unacceptableId_isReplaced(String sent) throws Exception {
        String header =
                switch (sent) {
                    case "two" -> "x-request-id: a\r\nx-request-id: b\r\n";
                    case "too-long" -> "x-request-id: " + "x".repeat(129) + "\r\n";
                    default -> "x-request-id: " + sent + "\r\n";
                };
        RawHttp.Response response = RawHttp.exchange(
                router.server().proxyAddress(),
                "GET /x HTTP/1.1\r\nHost: a\r\nx-customer-id: acme\r\n" + header + "\r\n");

        String id = response.header("x-request-id");
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(router.cell("cell-1").receivedHeaders()).last().satisfies(h -> assertThat(h.getAll("x-request-id"))
                .containsExactly(id));
    }

    @Test
    void routersOwnAnswer_carriesTheId_andTrueByteCounts() throws Exception {
        RawHttp.Response response = RawHttp.exchange(
                router.server().proxyAddress(),
                "GET /x HTTP/1.1\r\nHost: a\r\nx-customer-id: nobody\r\nx-request-id: lost-1\r\n\r\n");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.header("x-request-id")).isEqualTo("lost-1");
        JsonNode line = accessLine("lost-1");
        assertThat(line.path("error").asText()).isEqualTo("unknown_customer");
        assertThat(line.path("bytes_out").asLong()).isEqualTo(response.body().length());
        assertThat(line.has("upstream")).isFalse();
    }

    @Test
    void http2_idKeptOrGenerated_bothWays() throws Exception {
        try (H2Client h2 = new H2Client(router.server().proxyAddress())) {
            H2Client.Response kept = h2.send(
                            H2Client.request("GET", "/x", "x-customer-id", "acme", "x-request-id", "h2-kept"), null)
                    .get(10, TimeUnit.SECONDS);
            H2Client.Response generated = h2.send(H2Client.request("GET", "/y", "x-customer-id", "acme"), null)
                    .get(10, TimeUnit.SECONDS);

            assertThat(kept.header("x-request-id")).isEqualTo("h2-kept");
            String id = generated.header("x-request-id");
            assertThat(id).matches("[0-9a-f]{32}");
            assertThat(router.cell("cell-1").receivedHeaders())
                    .extracting(h -> h.get("x-request-id"))
                    .contains("h2-kept", id);
            assertThat(accessLine("h2-kept").path("protocol").asText()).isEqualTo("h2");
        }
    }
}
