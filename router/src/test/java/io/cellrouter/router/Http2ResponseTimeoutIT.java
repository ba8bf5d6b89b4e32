package io.cellrouter.router;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.WireMockCell;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code upstream.responseTimeout} over HTTP/2: the streams of one client connection share one
 * timer, yet each stream's 504 comes a full timeout after its own request, not with an earlier
 * stream's, and a stream answered meanwhile is not disturbed. The cell is WireMock, silent on
 * {@code /silent} for longer than the timeout.
 */
@Timeout(60)
class Http2ResponseTimeoutIT {

    private static final long TIMEOUT_MILLIS = 2000;
    /** Between the two silent requests: the second's timeout must count from its own arming. */
    private static final long GAP_MILLIS = 800;

    private static WireMockCell cell;

    @BeforeAll
    static void startCell() {
        cell = WireMockCell.start("quiet");
        cell.stub(get(urlEqualTo("/silent"))
                .willReturn(aResponse().withStatus(200).withFixedDelay(10_000)));
        cell.stub(
                get(urlEqualTo("/quick")).willReturn(aResponse().withStatus(200).withBody("quick")));
    }

    @AfterAll
    static void stopCell() {
        cell.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension("", r -> cell.registryYaml(), "  patient: quiet\n")
            .proxy(() -> "  upstream:\n    connectTimeout: 1s\n    responseTimeout: " + TIMEOUT_MILLIS + "ms\n");

    @Test
    void twoSilentStreams_eachTimesOutAFullTimeoutAfterItsOwnRequest() throws Exception {
        try (H2Client h2 = new H2Client(router.server().proxyAddress())) {
            long firstSent = System.nanoTime();
            CompletableFuture<Long> first = timed(h2, "/silent", firstSent);

            // The gap is the point of the test: nothing to await but the clock.
            Thread.sleep(GAP_MILLIS);
            long secondSent = System.nanoTime();
            CompletableFuture<Long> second = timed(h2, "/silent", secondSent);
            H2Client.Response quick = h2.send(H2Client.request("GET", "/quick", "x-customer-id", "patient"), null)
                    .get(10, TimeUnit.SECONDS);
            assertThat(quick.status()).isEqualTo("200");

            long firstMillis = first.get(20, TimeUnit.SECONDS);
            long secondMillis = second.get(20, TimeUnit.SECONDS);
            assertThat(firstMillis).isGreaterThanOrEqualTo(TIMEOUT_MILLIS);
            assertThat(secondMillis)
                    .as("the second stream's wait counts from its own request, not the first's")
                    .isGreaterThanOrEqualTo(TIMEOUT_MILLIS);
            assertThat(secondMillis).as("yet it does time out").isLessThan(TIMEOUT_MILLIS + 5000);

            H2Client.Response after = h2.send(H2Client.request("GET", "/quick", "x-customer-id", "patient"), null)
                    .get(10, TimeUnit.SECONDS);
            assertThat(after.status()).as("the connection still serves").isEqualTo("200");
        }
    }

    /** The milliseconds from {@code sentNanos} to the stream's 504 (any other answer fails it). */
    private static CompletableFuture<Long> timed(H2Client h2, String path, long sentNanos) {
        return h2.send(H2Client.request("GET", path, "x-customer-id", "patient"), null)
                .thenApply(response -> {
                    assertThat(response.status()).isEqualTo("504");
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentNanos);
                });
    }
}
