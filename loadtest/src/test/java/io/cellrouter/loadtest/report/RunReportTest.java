package io.cellrouter.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellrouter.loadtest.load.CustomerDistribution;
import io.cellrouter.loadtest.load.ErrorKind;
import io.cellrouter.loadtest.load.GrpcCall;
import io.cellrouter.loadtest.load.Identities;
import io.cellrouter.loadtest.load.LoadPlan;
import io.cellrouter.loadtest.load.Protocol;
import io.cellrouter.loadtest.load.RunResult;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The {@code --json} shape of docs/BENCHMARKS.md, keys in order, extra keys only after them. */
class RunReportTest {

    @Test
    void json_hasTheDocumentedShape() throws Exception {
        Histogram h = new Histogram(3_600_000_000_000L, 3);
        for (int i = 0; i < 2499; i++) {
            h.recordValue(180_000); // 180 us
        }
        h.recordValue(1_300_000);
        Map<String, Long> errors = new LinkedHashMap<>();
        for (String kind : ErrorKind.FIXED) {
            errors.put(kind, 0L);
        }
        RunResult result = new RunResult(plan(), h, 2499, 2500, errors, 499.8123, "epoll", 0);

        JsonNode json = new ObjectMapper().readTree(RunReport.json(result));

        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertThat(keys.subList(0, 6))
                .containsExactly("protocol", "requested_rate", "achieved_rate", "requests", "errors", "latency_us");
        assertThat(json.get("protocol").asText()).isEqualTo("http1");
        assertThat(json.get("requested_rate").isIntegralNumber()).isTrue();
        assertThat(json.get("requested_rate").asLong()).isEqualTo(500);
        assertThat(json.get("achieved_rate").asDouble()).isEqualTo(499.8);
        assertThat(json.get("requests").asLong()).isEqualTo(2499);
        assertThat(json.get("errors").get("timeout").asLong()).isZero();
        List<String> latencyKeys = new ArrayList<>();
        json.get("latency_us").fieldNames().forEachRemaining(latencyKeys::add);
        assertThat(latencyKeys.subList(0, 5)).containsExactly("p50", "p90", "p99", "p999", "max");
        assertThat(json.get("latency_us").get("p50").isIntegralNumber()).isTrue();
        assertThat(json.get("latency_us").get("p50").asLong()).isEqualTo(180);
        assertThat(json.get("latency_us").get("max").asLong()).isEqualTo(1300);
    }

    @Test
    void text_namesTheErrorsThatHappened() {
        Histogram h = new Histogram(3_600_000_000_000L, 3);
        h.recordValue(1000);
        Map<String, Long> errors = new LinkedHashMap<>();
        errors.put(ErrorKind.TIMEOUT, 3L);
        errors.put(ErrorKind.STATUS_5XX, 0L);
        String text = RunReport.text(new RunResult(plan(), h, 1, 4, errors, 0.2, "nio", 0));
        assertThat(text).contains("errors    timeout 3").doesNotContain("status_5xx");
    }

    private static LoadPlan plan() {
        return new LoadPlan(
                List.of(URI.create("http://127.0.0.1:8080")),
                Protocol.HTTP1,
                false,
                500,
                Duration.ofSeconds(5),
                Duration.ZERO,
                8,
                1,
                CustomerDistribution.uniform(10),
                Identities.header("x-customer-id"),
                "/",
                Duration.ofSeconds(5),
                100,
                GrpcCall.UNARY,
                1,
                0,
                1,
                0);
    }
}
