package io.cellrouter.router.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The per-cell meters carry the cell's region and tier as the registry has them now: after an
 * operator changes them, the next use re-tags the cell's meters (the old series leave the
 * scrape), and the counts that callers hold go on.
 */
class PerCellTagsTest {

    private static Cell cell(String region, String tier) {
        return cell(region, tier, 1);
    }

    private static Cell cell(String region, String tier, long version) {
        return new Cell("c", URI.create("http://127.0.0.1:1"), CellState.ACTIVE, region, tier, Map.of(), version);
    }

    @Test
    void regionOrTierChanged_metersAreRetagged_andCountsGoOn() {
        RouterMetrics metrics = new RouterMetrics();
        Cell before = cell("eu-west-1", "gold");
        metrics.requestCompleted(before, "http1", "2xx", 1_000, 100, 500);
        AtomicInteger connections = metrics.upstreamConnections(before);
        connections.incrementAndGet();
        metrics.websocketTunnels(before).incrementAndGet();
        metrics.tunnelEnded(before, 1_000);

        Cell after = cell("eu-central-1", "gold", 2);
        metrics.requestCompleted(after, "http1", "2xx", 1_000, 100, 500);
        assertThat(metrics.upstreamConnections(after)).isSameAs(connections);
        metrics.websocketTunnels(after);
        metrics.tunnelEnded(after, 1_000);

        String scrape = metrics.scrape();
        assertThat(scrape).doesNotContain("region=\"eu-west-1\"");
        assertThat(scrape)
                .contains("cellrouter_requests_total{cell=\"c\",outcome=\"2xx\",protocol=\"http1\","
                        + "region=\"eu-central-1\",tier=\"gold\"} 1.0")
                .contains("cellrouter_upstream_connections{cell=\"c\",region=\"eu-central-1\",tier=\"gold\"} 1.0")
                .contains("cellrouter_websocket_tunnels{cell=\"c\",region=\"eu-central-1\",tier=\"gold\"} 1.0")
                .contains("cellrouter_websocket_tunnel_duration_seconds_count{cell=\"c\",region=\"eu-central-1\","
                        + "tier=\"gold\"} 1");
    }

    /**
     * An exchange routed before the change ends after it, with the older copy of the cell: it is
     * counted under the current tags, and the meters do not flip back to the old ones.
     */
    @Test
    void olderCopyOfTheCellAfterTheChange_countsUnderTheNewTags() {
        RouterMetrics metrics = new RouterMetrics();
        Cell before = cell("eu-west-1", "gold", 1);
        Cell after = cell("eu-central-1", "gold", 2);
        metrics.requestCompleted(after, "http1", "2xx", 1_000, 100, 500);
        AtomicInteger connections = metrics.upstreamConnections(after);
        metrics.tunnelEnded(after, 1_000);

        metrics.requestCompleted(before, "http1", "2xx", 1_000, 100, 500);
        metrics.tunnelEnded(before, 1_000);

        assertThat(metrics.upstreamConnections(before)).isSameAs(connections);
        String scrape = metrics.scrape();
        assertThat(scrape).doesNotContain("region=\"eu-west-1\"");
        assertThat(scrape)
                .contains("cellrouter_requests_total{cell=\"c\",outcome=\"2xx\",protocol=\"http1\","
                        + "region=\"eu-central-1\",tier=\"gold\"} 2.0");
    }

    @Test
    void sameTags_sameMeters() {
        RouterMetrics metrics = new RouterMetrics();
        AtomicInteger first = metrics.upstreamConnections(cell(null, null));
        AtomicInteger second = metrics.upstreamConnections(cell(null, null));

        assertThat(second).isSameAs(first);
        metrics.requestCompleted(cell(null, null), "h2", "2xx", 1_000, 100, 500);
        metrics.requestCompleted(cell(null, null), "h2", "2xx", 1_000, 100, 500);
        assertThat(metrics.scrape())
                .contains(
                        "cellrouter_requests_total{cell=\"c\",outcome=\"2xx\",protocol=\"h2\",region=\"\",tier=\"\"} 2.0");
    }
}
