package io.cellrouter.router.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellrouter.router.testing.ExternalTools;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shape of {@code deploy/grafana/cell-router.json} as Grafana imports it: unique panel ids,
 * panels laid out on the 24-column grid without overlapping, every query on the data source
 * variable and filtered by the instance variable. That every query answers on a real Prometheus is
 * {@code MonitoringIT}'s job.
 */
class DashboardTest {

    private static JsonNode dashboard;
    private static List<JsonNode> panels;

    @BeforeAll
    static void parse() throws IOException {
        dashboard = new ObjectMapper()
                .readTree(ExternalTools.repositoryRoot()
                        .resolve("deploy/grafana/cell-router.json")
                        .toFile());
        panels = new ArrayList<>();
        dashboard.path("panels").forEach(panels::add);
    }

    @Test
    void panels_haveUniqueIds_andTileTheGridWithoutOverlapping() {
        Set<Integer> ids = new HashSet<>();
        Set<String> cells = new HashSet<>();
        for (JsonNode panel : panels) {
            assertThat(ids.add(panel.path("id").asInt()))
                    .as("id " + panel.path("id"))
                    .isTrue();
            assertThat(panel.path("title").asText()).isNotBlank();
            JsonNode grid = panel.path("gridPos");
            int x = grid.path("x").asInt();
            int y = grid.path("y").asInt();
            int w = grid.path("w").asInt();
            int h = grid.path("h").asInt();
            assertThat(w).as(panel.path("title").asText()).isPositive();
            assertThat(h).isPositive();
            assertThat(x + w).as(panel.path("title").asText()).isLessThanOrEqualTo(24);
            for (int i = x; i < x + w; i++) {
                for (int j = y; j < y + h; j++) {
                    assertThat(cells.add(i + "," + j))
                            .as(panel.path("title").asText() + " overlaps another panel")
                            .isTrue();
                }
            }
        }
    }

    @Test
    void everyQuery_usesTheDataSourceVariable_andIsFilteredByInstance() {
        int queries = 0;
        for (JsonNode panel : panels) {
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            String title = panel.path("title").asText();
            assertThat(panel.path("datasource").path("uid").asText()).as(title).isEqualTo("${datasource}");
            assertThat(panel.path("targets")).as(title).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("refId").asText()).as(title).isNotBlank();
                assertThat(target.path("expr").asText()).as(title).contains("instance=~\"$instance\"");
                queries++;
            }
        }
        assertThat(queries).isGreaterThanOrEqualTo(20);
    }

    @Test
    void variables_dataSource_instance_andCell_areDefinedAndUsed() {
        List<String> names = new ArrayList<>();
        dashboard
                .path("templating")
                .path("list")
                .forEach(v -> names.add(v.path("name").asText()));
        assertThat(names).containsExactly("datasource", "instance", "cell");
        String all = dashboard.path("panels").toString();
        assertThat(all).contains("cell=~\\\"$cell\\\"");
        assertThat(dashboard.path("uid").asText()).isEqualTo("cell-router");
    }
}
