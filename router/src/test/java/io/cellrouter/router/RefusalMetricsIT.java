package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.RouterExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Refusals the router makes on a cell's behalf are counted under that cell: an offline cell's
 * customers ({@code cell_offline}) and a frozen customer ({@code customer_frozen}) show on their
 * cell's meters, where an operator watching that cell looks, not under {@code cell="none"}.
 */
class RefusalMetricsIT {

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
            "",
            r -> "  - name: cell-3\n    endpoint: http://127.0.0.1:9\n    state: offline\n",
            "  umbrella: cell-3\noverrides:\n  - customer: initech\n    freeze: true\n"
                    + "    expiresAt: 2099-01-01T00:00:00Z\n");

    private String metrics() throws Exception {
        return router.client()
                .send(HttpRequest.newBuilder(router.admin("/metrics")).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    @Test
    void cellOffline_isCountedUnderTheOfflineCell() throws Exception {
        assertThat(router.get("umbrella", "/x").statusCode()).isEqualTo(503);

        // Recorded on the proxy's event loop right after the answer is written: wait for it.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(metrics())
                .containsPattern(
                        "cellrouter_requests_total\\{cell=\"cell-3\",outcome=\"cell_offline\",protocol=\"http1\"[^}]*} 1.0")
                .doesNotContain("cell=\"none\",outcome=\"cell_offline\""));
    }

    @Test
    void customerFrozen_isCountedUnderTheCellItIsPlacedOn() throws Exception {
        HttpResponse<String> frozen = router.get("initech", "/x");

        assertThat(frozen.statusCode()).isEqualTo(503);
        assertThat(frozen.body()).contains("customer_frozen");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(metrics())
                .containsPattern(
                        "cellrouter_requests_total\\{cell=\"cell-1\",outcome=\"customer_frozen\",protocol=\"http1\"[^}]*} 1.0")
                .doesNotContain("cell=\"none\",outcome=\"customer_frozen\""));
    }
}
