package io.cellrouter.loadtest.bench.standard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** wrk's output as recorded from real runs. */
class WrkOutputParserTest {

    @Test
    void latencyRun_readsRatePercentilesMeanMaxAndCount() throws Exception {
        DriverResult r = WrkOutputParser.parse(Samples.read("wrk-router.txt"));

        assertThat(r.requestsPerSecond()).isEqualTo(3923.49);
        assertThat(r.requests()).isEqualTo(7889);
        assertThat(r.errors()).isZero();
        assertThat(r.p50Micros()).isEqualTo(5810);
        assertThat(r.p99Micros()).isEqualTo(79220);
        assertThat(r.meanMicros()).isEqualTo(12920);
        assertThat(r.maxMicros()).isEqualTo(93650);
    }

    @Test
    void microsecondFigures_readExactly() throws Exception {
        DriverResult r = WrkOutputParser.parse(Samples.read("wrk-non2xx.txt"));

        assertThat(r.p50Micros()).isEqualTo(135);
        assertThat(r.p99Micros()).isEqualTo(4000);
        assertThat(r.meanMicros()).isEqualTo(327);
        assertThat(r.maxMicros()).isEqualTo(11350);
    }

    @Test
    void non2xxAnswers_countAsErrors() throws Exception {
        DriverResult r = WrkOutputParser.parse(Samples.read("wrk-non2xx.txt"));

        assertThat(r.requests()).isEqualTo(30757);
        assertThat(r.errors()).isEqualTo(17001);
    }

    @Test
    void socketErrors_countAsErrors() throws Exception {
        DriverResult r = WrkOutputParser.parse(Samples.read("wrk-socket-errors.txt"));

        assertThat(r.errors()).isEqualTo(19112);
        assertThat(r.requestsPerSecond()).isEqualTo(8685.61);
    }

    @Test
    void connectionRefused_isAFailureNamingTheMissingResult() {
        assertThatThrownBy(() -> WrkOutputParser.parse(Samples.read("wrk-refused.txt")))
                .isInstanceOf(DriverException.class)
                .hasMessageContaining("wrk printed no result");
    }

    @Test
    void withoutLatencyFlag_isAFailureSayingSo() {
        String noDistribution =
                Samples.read("wrk-router.txt").replaceAll("(?s)  Latency Distribution.*?99%[^\\n]*\\n", "");

        assertThatThrownBy(() -> WrkOutputParser.parse(noDistribution))
                .isInstanceOf(DriverException.class)
                .hasMessageContaining("--latency");
    }

    @Test
    void noRequestCompleted_isAFailure() {
        String none = Samples.read("wrk-router.txt").replace("7889 requests in", "0 requests in");

        assertThatThrownBy(() -> WrkOutputParser.parse(none))
                .isInstanceOf(DriverException.class)
                .hasMessageContaining("no request");
    }
}
