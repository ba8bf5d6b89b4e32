package io.cellrouter.loadtest.bench.standard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** h2load's summary as recorded from real runs. */
class H2loadOutputParserTest {

    @Test
    void timedRun_readsRateCountMeanAndMax_andNoPercentiles() throws Exception {
        DriverResult r = H2loadOutputParser.parse(Samples.read("h2load-nginx.txt"));

        assertThat(r.requestsPerSecond()).isEqualTo(6144.0);
        assertThat(r.requests()).isEqualTo(12288);
        assertThat(r.errors()).isZero();
        assertThat(r.meanMicros()).isEqualTo(28320);
        assertThat(r.maxMicros()).isEqualTo(1_170_000);
        assertThat(r.hasP99()).isFalse();
        assertThat(r.p50Micros()).isEqualTo(DriverResult.NOT_REPORTED);
    }

    @Test
    void non2xxAnswers_countAsErrors() throws Exception {
        DriverResult r = H2loadOutputParser.parse(Samples.read("h2load-404.txt"));

        assertThat(r.requests()).isEqualTo(36210);
        assertThat(r.errors()).isEqualTo(36209);
    }

    @Test
    void noRequestInTheMeasuredWindow_isAFailure_notAZero() {
        // Recorded against a server that closed each connection after 1,000 requests (GOAWAY):
        // h2load does not reconnect in -D mode and reports 0 req/s with 0 failed.
        assertThatThrownBy(() -> H2loadOutputParser.parse(Samples.read("h2load-no-requests.txt")))
                .isInstanceOf(DriverException.class)
                .hasMessageContaining("completed no request");
    }

    @Test
    void connectionRefused_isAFailure() {
        assertThatThrownBy(() -> H2loadOutputParser.parse(Samples.read("h2load-refused.txt")))
                .isInstanceOf(DriverException.class)
                .hasMessageContaining("completed no request");
    }

    @Test
    void unrelatedOutput_isAFailureNamingTheMissingResult() {
        assertThatThrownBy(() -> H2loadOutputParser.parse("h2load: unrecognized option '--bogus'\n"))
                .isInstanceOf(DriverException.class)
                .hasMessageContaining("h2load printed no result");
    }
}
