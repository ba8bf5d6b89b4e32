package io.cellrouter.router.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cellrouter.router.testing.ExternalTools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/prometheus/alerts.yaml} as Prometheus's own tool reads it: valid rules, and the
 * unit tests of {@code alerts_test.yaml} (thresholds and {@code for:} durations on synthetic
 * series) pass. That every rule fires on a real router is {@code MonitoringIT}'s job.
 */
class AlertRulesTest {

    private static final Path PROMETHEUS_DIR =
            ExternalTools.repositoryRoot().resolve("deploy").resolve("prometheus");

    @Test
    void promtoolCheckRules_passes() throws Exception {
        ExternalTools.Result result =
                ExternalTools.run(PROMETHEUS_DIR, List.of(promtool().toString(), "check", "rules", "alerts.yaml"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS: " + rules().size() + " rules found");
    }

    @Test
    void promtoolTestRules_thresholdsAndDurationsHoldOnSyntheticSeries() throws Exception {
        ExternalTools.Result result =
                ExternalTools.run(PROMETHEUS_DIR, List.of(promtool().toString(), "test", "rules", "alerts_test.yaml"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void everyRule_hasASeverity_aSummary_aRunbookLine_andAForDuration() throws Exception {
        List<JsonNode> rules = rules();
        assertThat(rules).hasSizeGreaterThanOrEqualTo(9);
        for (JsonNode rule : rules) {
            String name = rule.path("alert").asText();
            assertThat(name).as("every rule is an alert").startsWith("CellRouter");
            assertThat(rule.path("labels").path("severity").asText()).as(name).isIn("critical", "warning", "info");
            assertThat(rule.path("annotations").path("summary").asText())
                    .as(name)
                    .isNotBlank();
            assertThat(rule.path("annotations").path("runbook").asText())
                    .as(name)
                    .hasSizeGreaterThan(40)
                    .doesNotContain("\n");
            assertThat(rule.path("for").asText()).as(name).matches("\\d+[smh]");
        }
    }

    /** Every rule of every group of alerts.yaml. */
    static List<JsonNode> rules() throws java.io.IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory())
                .readTree(PROMETHEUS_DIR.resolve("alerts.yaml").toFile());
        List<JsonNode> rules = new ArrayList<>();
        root.path("groups").forEach(group -> group.path("rules").forEach(rules::add));
        return rules;
    }

    private static Path promtool() {
        return ExternalTools.require("promtool", "prometheus");
    }
}
