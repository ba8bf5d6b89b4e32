package io.cellrouter.router.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The latency histograms stay small enough for a fleet in front of many cells: a few buckets per
 * (cell, protocol), not a hundred, and a request lands in the bucket of its latency.
 */
class LatencyHistogramsTest {

    private static final Cell CELL =
            new Cell("c", URI.create("http://127.0.0.1:1"), CellState.ACTIVE, "eu-west-1", "gold", Map.of(), 1);

    private static long buckets(String scrape, String histogram) {
        return scrape.lines()
                .filter(l -> l.startsWith(histogram + "_bucket{") && l.contains("protocol=\"http1\""))
                .count();
    }

    @Test
    void eachRequestHistogram_hasAtMostTwentyBucketsPerCellAndProtocol() {
        RouterMetrics metrics = new RouterMetrics();
        metrics.requestCompleted(CELL, "http1", "2xx", 1_000_000, 20_000, 900_000);

        String scrape = metrics.scrape();

        for (String histogram : new String[] {
            "cellrouter_request_duration_seconds",
            "cellrouter_request_router_seconds",
            "cellrouter_request_cell_seconds"
        }) {
            assertThat(buckets(scrape, histogram)).as(histogram).isBetween(10L, 20L);
        }
    }

    @Test
    void aRequest_isCountedFromTheBucketOfItsLatencyOn() {
        RouterMetrics metrics = new RouterMetrics();
        metrics.requestCompleted(CELL, "http1", "2xx", TimeUnit.MILLISECONDS.toNanos(3), 20_000, 900_000);

        String scrape = metrics.scrape();

        assertThat(scrape)
                .contains("cellrouter_request_duration_seconds_bucket{cell=\"c\",protocol=\"http1\","
                        + "region=\"eu-west-1\",tier=\"gold\",le=\"0.0025\"} 0")
                .contains("cellrouter_request_duration_seconds_bucket{cell=\"c\",protocol=\"http1\","
                        + "region=\"eu-west-1\",tier=\"gold\",le=\"0.005\"} 1")
                .contains("cellrouter_request_router_seconds_bucket{cell=\"c\",protocol=\"http1\","
                        + "region=\"eu-west-1\",tier=\"gold\",le=\"2.5E-5\"} 1");
    }
}
