package io.cellrouter.loadtest.bench.standard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The table: ratios to direct, haproxy and nginx; missing tools and failures said out loud. */
class StandardReportTest {

    private static DriverResult result(double rps, long p99) {
        return new DriverResult(rps, 1000, 0, p99 / 2, p99, DriverResult.NOT_REPORTED, p99 * 2);
    }

    private static StandardBench.Measurement measurement(String target, DriverResult r) {
        return new StandardBench.Measurement(target, target + " description", r, null, false);
    }

    private static StandardBench.Row grpcRow() {
        Map<String, StandardBench.Measurement> cells = new LinkedHashMap<>();
        cells.put("direct", measurement("direct", result(10_000, 1000)));
        cells.put("haproxy", measurement("haproxy", result(6_900, 1500)));
        cells.put("nginx", measurement("nginx", result(3_400, 2500)));
        cells.put("router", measurement("router", result(2_700, 1800)));
        return new StandardBench.Row(
                StandardLoad.GRPC_UNARY, "grpc-java benchmark client 1.79.0", "AsyncClient", null, cells);
    }

    private static StandardBench.Row missingH2load() {
        return new StandardBench.Row(
                StandardLoad.H2C,
                "h2load",
                "h2load -c16 -m10",
                "h2load is not installed: apt-get install -y nghttp2-client",
                Map.of());
    }

    private static StandardBench.Row http1WithoutNginx() {
        Map<String, StandardBench.Measurement> cells = new LinkedHashMap<>();
        cells.put("direct", measurement("direct", result(50_000, 400)));
        cells.put(
                "haproxy", new StandardBench.Measurement("haproxy", "h", null, "no routed answer within 15 s", false));
        cells.put(
                "nginx",
                new StandardBench.Measurement(
                        "nginx", null, null, "nginx is not installed: apt-get install -y nginx", true));
        cells.put("router", measurement("router", new DriverResult(21_000, 1000, 12, 300, 4200, 900, 9000)));
        return new StandardBench.Row(StandardLoad.HTTP1, "wrk", "wrk -t1 -c32", null, cells);
    }

    private static StandardReport report() {
        return new StandardReport(
                Map.of("commit", "abc1234"),
                Duration.ofSeconds(3),
                Duration.ofSeconds(10),
                List.of(grpcRow(), missingH2load(), http1WithoutNginx()));
    }

    @Test
    void ratios_toDirect_andRouterToHaproxyAndNginx_andP99ToDirect() {
        StandardBench.Row row = grpcRow();

        assertThat(StandardReport.ratio(row, "haproxy", "direct")).isEqualTo(0.69);
        assertThat(StandardReport.ratio(row, "router", "haproxy"))
                .isCloseTo(0.391, org.assertj.core.data.Offset.offset(0.001));
        assertThat(StandardReport.ratio(row, "router", "nginx"))
                .isCloseTo(0.794, org.assertj.core.data.Offset.offset(0.001));
        assertThat(StandardReport.p99Ratio(row, "router")).isEqualTo(1.8);
    }

    @Test
    void text_showsTheRatioTable_andEveryMissingToolAndFailureLoudly() {
        String text = report().text();

        assertThat(text)
                .containsPattern("gRPC unary\\s+1\\.00\\s+0\\.69\\s+0\\.34\\s+0\\.27\\s+0\\.39\\s+0\\.79\\s+1\\.80")
                .containsPattern("h2c\\s+MISSING: h2load is not installed: apt-get install -y nghttp2-client")
                .containsPattern("HTTP/1\\.1\\s+1\\.00\\s+FAILED\\s+MISSING\\s+0\\.42!")
                .contains("MISSING  h2c: h2load is not installed: apt-get install -y nghttp2-client")
                .contains("MISSING  HTTP/1.1 nginx: nginx is not installed: apt-get install -y nginx")
                .contains("FAILED   HTTP/1.1 haproxy: no routed answer within 15 s")
                .contains("ERRORS   HTTP/1.1 cell-router: 12 failed requests")
                .contains("3 s warm-up (not recorded), then 10 s measured");
    }

    @Test
    void json_carriesResultsRatiosAndTheMissingList() throws Exception {
        JsonNode json = new ObjectMapper().readTree(report().json());

        assertThat(json.get("commit").asText()).isEqualTo("abc1234");
        JsonNode grpc = json.get("loads").get(0);
        assertThat(grpc.get("load").asText()).isEqualTo("grpc-unary");
        assertThat(grpc.get("targets").get("router").get("requests_per_second").asDouble())
                .isEqualTo(2700.0);
        assertThat(grpc.get("targets").get("router").get("mean_us").isNull()).isTrue();
        assertThat(grpc.get("ratios").get("haproxy_vs_direct").asDouble()).isEqualTo(0.69);
        assertThat(grpc.get("ratios").has("direct_vs_direct")).isFalse();
        assertThat(grpc.get("ratios").get("router_vs_haproxy").asDouble()).isEqualTo(0.391);
        assertThat(grpc.get("ratios").get("router_p99_vs_direct").asDouble()).isEqualTo(1.8);
        assertThat(json.get("loads").get(1).get("missing").asText()).contains("apt-get install -y nghttp2-client");
        assertThat(json.get("loads")
                        .get(2)
                        .get("targets")
                        .get("nginx")
                        .get("missing")
                        .asText())
                .contains("apt-get install -y nginx");
        assertThat(json.get("loads").get(2).get("ratios").get("router_vs_nginx").isNull())
                .isTrue();
        assertThat(json.get("missing")).hasSize(2);
        assertThat(json.get("failed").get(0).asText()).startsWith("http1 haproxy: ");
    }

    @Test
    void routersOwnView_isShownBesideTheClientsFigures_textAndJson() throws Exception {
        StandardReport report = http1ReportWith(ReportFixture.routerTimes());

        assertThat(report.text())
                .contains("The router's own view")
                .containsPattern("HTTP/1\\.1\\s+700 / 4100\\s+12 / 40\\s+650 / 4000")
                .doesNotContain("over the measured run only");
        JsonNode router = routerTimesJson(report);
        assertThat(router.get("cell").get("p99_us").asLong()).isEqualTo(4000);
        assertThat(router.get("before_cell").get("p50_us").asLong()).isEqualTo(12);
        assertThat(router.has("measured_only")).isFalse();
    }

    @Test
    void routersOwnView_overTheMeasuredRunOnly_isMarked() throws Exception {
        StandardReport report = http1ReportWith(RouterTimes.between(
                "cellrouter_request_duration_seconds_bucket{le=\"0.001\"} 0\n",
                "cellrouter_request_duration_seconds_bucket{le=\"0.001\"} 100\n",
                true));

        assertThat(report.text())
                .containsPattern("HTTP/1\\.1 \\*\\s+1000 / 1000")
                .contains("* over the measured run only: its client warms up in a run of its own");
        assertThat(routerTimesJson(report).get("measured_only").asBoolean()).isTrue();
    }

    @Test
    void cpuPerRequest_ofEachProxy_besideTheThroughput_textAndJson() throws Exception {
        Map<String, StandardBench.Measurement> cells = new LinkedHashMap<>();
        cells.put("direct", measurement("direct", result(50_000, 400)));
        cells.put("haproxy", withCpu("haproxy", 26.04, true));
        cells.put("nginx", withCpu("nginx", 24.5, true));
        cells.put("router", withCpu("router", 23.96, true));
        Map<String, StandardBench.Measurement> grpc = new LinkedHashMap<>();
        grpc.put("direct", measurement("direct", result(10_000, 1000)));
        grpc.put("router", withCpu("router", 61.0, false));
        StandardReport report = new StandardReport(
                Map.of("commit", "abc1234"),
                Duration.ofSeconds(3),
                Duration.ofSeconds(10),
                List.of(
                        new StandardBench.Row(StandardLoad.GRPC_UNARY, "grpc", "AsyncClient", null, grpc),
                        new StandardBench.Row(StandardLoad.HTTP1, "wrk", "wrk -t1 -c32", null, cells)));

        assertThat(report.text())
                .contains("CPU per request of each proxy (us")
                .containsPattern("gRPC unary\\s+-\\s+-\\s+61\\.0\\n")
                .containsPattern("HTTP/1\\.1 \\*\\s+26\\.0\\s+24\\.5\\s+24\\.0\\n")
                .contains("* over the measured run only; other rows over warm-up and measured run");
        JsonNode http1 =
                new ObjectMapper().readTree(report.json()).get("loads").get(1).get("targets");
        assertThat(http1.get("nginx").get("cpu_per_request").get("us").asDouble())
                .isEqualTo(24.5);
        assertThat(http1.get("router")
                        .get("cpu_per_request")
                        .get("measured_only")
                        .asBoolean())
                .isTrue();
        assertThat(http1.get("direct").has("cpu_per_request")).isFalse();
    }

    @Test
    void noCpuMeasured_noCpuLines() {
        StandardReport report = new StandardReport(
                Map.of("commit", "abc1234"), Duration.ofSeconds(3), Duration.ofSeconds(10), List.of(grpcRow()));

        assertThat(report.text()).doesNotContain("CPU per request");
    }

    private static StandardBench.Measurement withCpu(String target, double micros, boolean measuredOnly) {
        return new StandardBench.Measurement(
                target,
                target + " description",
                result(36_000, 2000),
                null,
                false,
                null,
                new CpuPerRequest(micros, measuredOnly));
    }

    /** An HTTP/1.1 report of direct and the router, the router with {@code times} of its own. */
    private static StandardReport http1ReportWith(RouterTimes times) {
        Map<String, StandardBench.Measurement> cells = new LinkedHashMap<>();
        cells.put("direct", measurement("direct", result(50_000, 400)));
        cells.put(
                "router", new StandardBench.Measurement("router", "r", result(40_000, 4700), null, false, times, null));
        return new StandardReport(
                Map.of("commit", "abc1234"),
                Duration.ofSeconds(3),
                Duration.ofSeconds(10),
                List.of(new StandardBench.Row(StandardLoad.HTTP1, "wrk", "wrk -t1 -c32", null, cells)));
    }

    private static JsonNode routerTimesJson(StandardReport report) throws Exception {
        return new ObjectMapper()
                .readTree(report.json())
                .get("loads")
                .get(0)
                .get("targets")
                .get("router")
                .get("router_times");
    }

    @Test
    void noRouterView_noSection() {
        assertThat(report().text()).doesNotContain("The router's own view");
    }
}
