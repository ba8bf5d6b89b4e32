package io.cellrouter.loadtest.bench.standard;

import static io.cellrouter.loadtest.bench.standard.ReportFixture.at;
import static io.cellrouter.loadtest.bench.standard.ReportFixture.failed;
import static io.cellrouter.loadtest.bench.standard.ReportFixture.measured;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code --rounds}: each target's median round in the table, every round and the router's ratios
 * within each round beside it, failed rounds by number; one round prints exactly what it always did.
 */
class StandardReportRoundsTest {

    private static final Map<String, Object> HEADER = Map.of("commit", "abc1234");

    /** One target's rounds at these throughputs (wrk's recorded figures otherwise). */
    private static List<StandardBench.Measurement> rounds(String target, double... rps) throws Exception {
        List<StandardBench.Measurement> out = new ArrayList<>();
        for (double r : rps) {
            out.add(measured(target, at(ReportFixture.wrkRouter(), r)));
        }
        return out;
    }

    /** A row as the bench builds it: each target's cell is its median round. */
    private static StandardBench.Row row(StandardLoad load, Map<String, List<StandardBench.Measurement>> rounds) {
        Map<String, StandardBench.Measurement> cells = new LinkedHashMap<>();
        rounds.forEach((target, runs) -> cells.put(target, MedianRound.reported(runs)));
        return new StandardBench.Row(load, "wrk 4.1.0", "wrk -t1 -c32", null, cells, rounds);
    }

    /** HTTP/1.1 over three rounds; the router's second round is the one a burst of other work hit. */
    private static StandardBench.Row threeRounds() throws Exception {
        Map<String, List<StandardBench.Measurement>> rounds = new LinkedHashMap<>();
        rounds.put("direct", rounds("direct", 60_000, 66_000, 63_000));
        rounds.put("haproxy", rounds("haproxy", 30_000, 36_000, 34_000));
        rounds.put("nginx", rounds("nginx", 32_000, 35_000, 40_000));
        rounds.put("router", rounds("router", 33_000, 18_000, 31_000));
        return row(StandardLoad.HTTP1, rounds);
    }

    private static StandardReport report(int count, StandardBench.Row... rows) {
        return new StandardReport(HEADER, Duration.ofSeconds(3), Duration.ofSeconds(10), count, List.of(rows));
    }

    @Test
    void median_ofAnOddCount_isTheMiddleThroughput() throws Exception {
        List<StandardBench.Measurement> runs = rounds("router", 30_000, 10_000, 20_000);

        assertThat(MedianRound.index(runs)).isEqualTo(2);
        assertThat(MedianRound.reported(runs).result().requestsPerSecond()).isEqualTo(20_000);
    }

    @Test
    void median_ofAnEvenCount_isTheLowerMiddle() throws Exception {
        assertThat(MedianRound.index(rounds("router", 40_000, 10_000, 30_000, 20_000)))
                .isEqualTo(3);
        assertThat(MedianRound.index(rounds("router", 7_000, 5_000))).isEqualTo(1);
        assertThat(MedianRound.index(rounds("router", 5_000, 7_000))).isZero();
    }

    @Test
    void oneRound_isReportedAsItIs_measuredOrFailed() throws Exception {
        StandardBench.Measurement ok = measured("router", ReportFixture.wrkRouter());
        StandardBench.Measurement no = failed("router", "no routed answer");

        assertThat(MedianRound.reported(List.of(ok))).isSameAs(ok);
        assertThat(MedianRound.reported(List.of(no))).isSameAs(no);
    }

    @Test
    void median_ofEqualThroughputs_keepsRunOrder() throws Exception {
        assertThat(MedianRound.index(rounds("router", 5_000, 5_000, 5_000))).isEqualTo(1);
    }

    @Test
    void ratios_compareTheMedians_andTheTableSaysWhichRound() throws Exception {
        StandardBench.Row row = threeRounds();

        // Medians: direct 63,000 (round 3), haproxy 34,000 (3), nginx 35,000 (2), router 31,000 (3).
        assertThat(StandardReport.ratio(row, "router", "haproxy")).isCloseTo(31.0 / 34, within(1e-9));
        assertThat(StandardReport.ratio(row, "router", "nginx")).isCloseTo(31.0 / 35, within(1e-9));
        String text = report(3, row).text();
        assertThat(text)
                .contains("3 rounds: the servers of a load stay up and each round loads every target once")
                .contains("round with the median throughput")
                .contains("of an even count, the lower-middle one")
                .containsPattern("HTTP/1\\.1\\s+1\\.00\\s+0\\.54\\s+0\\.56\\s+0\\.49\\s+0\\.91\\s+0\\.89\\s+")
                .containsPattern("HTTP/1\\.1\\s+direct\\s+63000 .* 0\\s+round 3 \\(median of 3\\)\n")
                .containsPattern("HTTP/1\\.1\\s+nginx\\s+35000 .* 0\\s+round 2 \\(median of 3\\)\n")
                .containsPattern("HTTP/1\\.1\\s+cell-router\\s+31000 .* 0\\s+round 3 \\(median of 3\\)\n")
                .containsPattern("target\\s+req/s\\s+p50\\s+p99\\s+mean\\s+max\\s+requests\\s+errors\\s+round\n");
    }

    @Test
    void everyRound_isListed_withTheRoutersRatiosWithinEachRound() throws Exception {
        StandardBench.Row row = threeRounds();

        assertThat(RoundsReport.ratio(row, 0, "router", "haproxy")).isCloseTo(1.1, within(1e-9));
        assertThat(RoundsReport.ratio(row, 1, "router", "haproxy")).isCloseTo(0.5, within(1e-9));
        assertThat(RoundsReport.ratio(row, 2, "router", "nginx")).isCloseTo(0.775, within(1e-9));
        assertThat(report(3, row).text())
                .contains("Rounds (req/s of each round, in run order; * the median round")
                .containsPattern("target\\s+round 1\\s+round 2\\s+round 3\n")
                .containsPattern("HTTP/1\\.1\\s+direct\\s+60000\\s+66000\\s+63000\\*\n")
                .containsPattern("HTTP/1\\.1\\s+nginx\\s+32000\\s+35000\\*\\s+40000\n")
                .containsPattern("HTTP/1\\.1\\s+cell-router\\s+33000\\s+18000\\s+31000\\*\n")
                .containsPattern("HTTP/1\\.1\\s+r/haproxy\\s+1\\.10\\s+0\\.50\\s+0\\.91\n")
                .containsPattern("HTTP/1\\.1\\s+r/nginx\\s+1\\.03\\s+0\\.51\\s+0\\.78\n");
    }

    @Test
    void json_keepsEveryField_andAddsEachTargetsRoundsItsMedianAndTheRoundRatios() throws Exception {
        JsonNode json = new ObjectMapper().readTree(report(3, threeRounds()).json());

        assertThat(json.get("rounds").asInt()).isEqualTo(3);
        JsonNode load = json.get("loads").get(0);
        JsonNode router = load.get("targets").get("router");
        assertThat(router.get("requests_per_second").asDouble()).isEqualTo(31_000.0);
        assertThat(router.get("p99_us").asLong())
                .isEqualTo(ReportFixture.wrkRouter().p99Micros());
        assertThat(router.get("description").asText()).isEqualTo("router on 127.0.0.1");
        assertThat(router.get("median_round").asInt()).isEqualTo(3);
        assertThat(router.get("rounds_measured").asInt()).isEqualTo(3);
        assertThat(router.get("rounds")).hasSize(3);
        assertThat(router.get("rounds").get(1).get("round").asInt()).isEqualTo(2);
        assertThat(router.get("rounds").get(1).get("requests_per_second").asDouble())
                .isEqualTo(18_000.0);
        assertThat(load.get("ratios").get("router_vs_haproxy").asDouble()).isEqualTo(0.912);
        assertThat(load.get("round_ratios")).hasSize(3);
        assertThat(load.get("round_ratios").get(1).get("router_vs_haproxy").asDouble())
                .isEqualTo(0.5);
        assertThat(load.get("round_ratios").get(2).get("router_vs_nginx").asDouble())
                .isEqualTo(0.775);
        assertThat(json.get("failed")).isEmpty();
    }

    @Test
    void aFailedRound_isReportedByNumber_andTheMedianIsOverTheOthers() throws Exception {
        Map<String, List<StandardBench.Measurement>> rounds = new LinkedHashMap<>();
        rounds.put("direct", rounds("direct", 60_000, 66_000, 63_000));
        List<StandardBench.Measurement> haproxy = rounds("haproxy", 30_000, 0, 36_000);
        haproxy.set(1, failed("haproxy", "wrk exited with 1: connection refused"));
        rounds.put("haproxy", haproxy);
        rounds.put("router", rounds("router", 33_000, 18_000, 31_000));
        StandardBench.Row row = row(StandardLoad.HTTP1, rounds);

        assertThat(MedianRound.index(haproxy))
                .as("lower-middle of the two measured")
                .isZero();
        assertThat(StandardReport.ratio(row, "router", "haproxy")).isCloseTo(31.0 / 30, within(1e-9));
        String text = report(3, row).text();
        assertThat(text)
                .containsPattern("HTTP/1\\.1\\s+haproxy\\s+30000 .* 0\\s+round 1 \\(median of 2; round 2 FAILED\\)\n")
                .containsPattern("HTTP/1\\.1\\s+haproxy\\s+30000\\*\\s+FAILED\\s+36000\n")
                .containsPattern("HTTP/1\\.1\\s+r/haproxy\\s+1\\.10\\s+-\\s+0\\.86\n")
                .contains("FAILED   HTTP/1.1 haproxy round 2/3: wrk exited with 1: connection refused");
        JsonNode json = new ObjectMapper().readTree(report(3, row).json());
        JsonNode target = json.get("loads").get(0).get("targets").get("haproxy");
        assertThat(target.get("median_round").asInt()).isEqualTo(1);
        assertThat(target.get("rounds_measured").asInt()).isEqualTo(2);
        assertThat(target.get("rounds").get(1).get("failed").asText()).contains("connection refused");
        assertThat(json.get("failed").get(0).asText())
                .isEqualTo("http1 haproxy round 2/3: wrk exited with 1: connection refused");
    }

    @Test
    void everyRoundFailed_isFailed_withEachRoundSaid() throws Exception {
        Map<String, List<StandardBench.Measurement>> rounds = new LinkedHashMap<>();
        rounds.put("direct", rounds("direct", 60_000, 66_000));
        rounds.put("router", List.of(failed("router", "no routed answer"), failed("router", "exited")));
        StandardBench.Row row = row(StandardLoad.HTTP1, rounds);

        String text = report(2, row).text();
        assertThat(text)
                .containsPattern("HTTP/1\\.1\\s+1\\.00\\s+-\\s+-\\s+FAILED\\s+-\\s+-\\s+-\n")
                .containsPattern("HTTP/1\\.1\\s+cell-router\\s+FAILED\\s+FAILED\n")
                .contains("FAILED   HTTP/1.1 cell-router round 1/2: no routed answer")
                .contains("FAILED   HTTP/1.1 cell-router round 2/2: exited");
        JsonNode router = new ObjectMapper()
                .readTree(report(2, row).json())
                .get("loads")
                .get(0)
                .get("targets")
                .get("router");
        assertThat(router.get("failed").asText()).isEqualTo("failed in all 2 rounds; round 1: no routed answer");
        assertThat(router.get("median_round").isNull()).isTrue();
    }

    @Test
    void aRoundWithFailedRequests_isSaidLoudly_evenWhenTheMedianIsClean() throws Exception {
        Map<String, List<StandardBench.Measurement>> rounds = new LinkedHashMap<>();
        rounds.put("direct", rounds("direct", 60_000, 66_000, 63_000));
        List<StandardBench.Measurement> router = rounds("router", 33_000, 0, 31_000);
        router.set(1, measured("router", ReportFixture.wrkNon2xx()));
        rounds.put("router", router);

        String text = report(3, row(StandardLoad.HTTP1, rounds)).text();

        assertThat(text)
                .containsPattern("HTTP/1\\.1\\s+cell-router\\s+33000\\s+30603!\\s+31000\\*\n")
                .contains("ERRORS   HTTP/1.1 cell-router round 2/3: 17001 failed requests");
    }

    @Test
    void theRoutersOwnView_isThatOfItsMedianRound() throws Exception {
        Map<String, List<StandardBench.Measurement>> rounds = new LinkedHashMap<>();
        rounds.put("direct", rounds("direct", 60_000, 66_000, 63_000));
        List<StandardBench.Measurement> router = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long p99 = 1000L * (i + 1);
            router.add(new StandardBench.Measurement(
                    "router",
                    "r",
                    at(ReportFixture.wrkRouter(), new double[] {33_000, 18_000, 31_000}[i]),
                    null,
                    false,
                    new RouterTimes(
                            new RouterTimes.Split(10, 500, p99),
                            new RouterTimes.Split(10, 5, 50),
                            new RouterTimes.Split(10, 400, p99),
                            false),
                    null));
        }
        rounds.put("router", router);

        String text = report(3, row(StandardLoad.HTTP1, rounds)).text();

        assertThat(text)
                .contains("The router's own view of its median round (its histograms")
                .containsPattern("HTTP/1\\.1\\s+500 / 3000\\s+5 / 50\\s+400 / 3000\n");
    }

    @Test
    void oneRound_printsExactlyWhatTheBenchPrintedBeforeRounds() throws Exception {
        // The recorded files are the report of ReportFixture.oneRound() as printed by the code before
        // --rounds existed (commit b81a752); rows now carry their one round, as the bench builds them.
        List<StandardBench.Row> rows = new ArrayList<>();
        for (StandardBench.Row r : ReportFixture.oneRound()) {
            Map<String, List<StandardBench.Measurement>> rounds = new LinkedHashMap<>();
            r.measurements().forEach((target, m) -> {
                if (!m.missing()) {
                    rounds.put(target, List.of(m));
                }
            });
            rows.add(new StandardBench.Row(r.load(), r.tool(), r.client(), r.missing(), r.measurements(), rounds));
        }
        StandardReport withRounds = new StandardReport(HEADER, Duration.ofSeconds(3), Duration.ofSeconds(10), 1, rows);
        StandardReport without =
                new StandardReport(HEADER, Duration.ofSeconds(3), Duration.ofSeconds(10), ReportFixture.oneRound());

        for (StandardReport r : List.of(withRounds, without)) {
            assertThat(r.text()).isEqualTo(Samples.report("one-round.txt"));
            assertThat(r.json()).isEqualTo(Samples.report("one-round.json"));
        }
    }
}
