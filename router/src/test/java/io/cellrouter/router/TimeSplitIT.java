package io.cellrouter.router;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellrouter.router.testing.AuditCapture;
import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.WireMockCell;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where a request's time went: the access log's {@code router_us} (before the request left for the
 * cell) and {@code cell_us} (from then until the head of the cell's answer), and the
 * {@code cellrouter_request_cell_seconds} histogram. A WireMock cell that waits before it answers
 * makes the cell's share known.
 */
@Timeout(60)
class TimeSplitIT {

    private static final int CELL_DELAY_MILLIS = 400;

    private static WireMockCell slowCell;

    @BeforeAll
    static void startSlowCell() {
        slowCell = WireMockCell.start("slow");
        slowCell.stub(get(urlEqualTo("/slow"))
                .willReturn(aResponse().withStatus(200).withBody("late").withFixedDelay(CELL_DELAY_MILLIS)));
    }

    @AfterAll
    static void stopSlowCell() {
        slowCell.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension("", r -> slowCell.registryYaml(), "  patient: slow\n");

    @RegisterExtension
    final AuditCapture accessLog = AuditCapture.accessLog();

    @Test
    void http1_slowCell_itsWaitIsTheCellsTime_notTheRouters() throws Exception {
        RawHttp.Response response = RawHttp.exchange(
                router.server().proxyAddress(),
                "GET /slow HTTP/1.1\r\nHost: a\r\nx-customer-id: patient\r\nx-request-id: split-h1\r\n\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertSplit(accessLine("split-h1"));
    }

    @Test
    void http2_slowCell_itsWaitIsTheCellsTime_notTheRouters() throws Exception {
        try (H2Client h2 = new H2Client(router.server().proxyAddress())) {
            H2Client.Response response = h2.send(
                            H2Client.request("GET", "/slow", "x-customer-id", "patient", "x-request-id", "split-h2"),
                            null)
                    .get(10, TimeUnit.SECONDS);
            assertThat(response.status()).isEqualTo("200");
        }
        assertSplit(accessLine("split-h2"));
    }

    @Test
    void cellTime_isAHistogramPerCell() throws Exception {
        for (int i = 0; i < 2; i++) {
            RawHttp.Response response = RawHttp.exchange(
                    router.server().proxyAddress(), "GET /slow HTTP/1.1\r\nHost: a\r\nx-customer-id: patient\r\n\r\n");
            assertThat(response.status()).isEqualTo(200);
        }

        String exposed = router.server().metrics().scrape();
        assertThat(sample(exposed, "cellrouter_request_cell_seconds_count", "slow"))
                .isEqualTo(2.0);
        assertThat(sample(exposed, "cellrouter_request_cell_seconds_sum", "slow"))
                .isGreaterThanOrEqualTo(2 * CELL_DELAY_MILLIS / 1000.0);
        assertThat(exposed).contains("cellrouter_request_cell_seconds_bucket{");
    }

    @Test
    void routersOwnAnswer_hasNoCellTime() throws Exception {
        RawHttp.Response response = RawHttp.exchange(
                router.server().proxyAddress(),
                "GET /x HTTP/1.1\r\nHost: a\r\nx-customer-id: nobody\r\nx-request-id: split-404\r\n\r\n");

        assertThat(response.status()).isEqualTo(404);
        JsonNode line = accessLine("split-404");
        assertThat(line.has("cell_us")).isFalse();
        assertThat(line.path("router_us").asLong()).isEqualTo(-1);
    }

    private static void assertSplit(JsonNode line) {
        long total = line.path("duration_us").asLong();
        long router = line.path("router_us").asLong();
        long cell = line.path("cell_us").asLong();
        assertThat(line.path("status").asInt()).isEqualTo(200);
        assertThat(cell).as("cell_us").isGreaterThanOrEqualTo(CELL_DELAY_MILLIS * 1000L);
        assertThat(router).as("router_us").isBetween(0L, cell / 4);
        assertThat(router + cell).as("router_us + cell_us").isLessThanOrEqualTo(total);
    }

    private JsonNode accessLine(String requestId) {
        return accessLog.awaitRequest(requestId);
    }

    /** The value of {@code name}'s sample for {@code cell} (summed over its other tags), or 0. */
    private static double sample(String exposed, String name, String cell) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)} (\\S+)$", Pattern.MULTILINE)
                .matcher(exposed);
        double sum = 0;
        while (m.find()) {
            if (m.group(1).contains("cell=\"" + cell + "\"")) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }
}
