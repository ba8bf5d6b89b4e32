package io.cellrouter.loadtest.bench.standard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** grpc-java's AsyncClient output as recorded from real runs. */
class GrpcBenchOutputParserTest {

    @Test
    void unaryRun_readsQpsPercentilesAndMax() throws Exception {
        DriverResult r = GrpcBenchOutputParser.parse(Samples.read("grpc-unary-router.txt"));

        assertThat(r.requestsPerSecond()).isEqualTo(216.0);
        assertThat(r.p50Micros()).isEqualTo(81407);
        assertThat(r.p99Micros()).isEqualTo(206847);
        assertThat(r.maxMicros()).isEqualTo(214015);
        assertThat(r.errors()).isZero();
        assertThat(r.requests()).isEqualTo(DriverResult.NOT_REPORTED);
        assertThat(r.meanMicros()).isEqualTo(DriverResult.NOT_REPORTED);
    }

    @Test
    void streamingRun_readsTheSameFigures() throws Exception {
        DriverResult r = GrpcBenchOutputParser.parse(Samples.read("grpc-streaming-nginx.txt"));

        assertThat(r.requestsPerSecond()).isEqualTo(2546.0);
        assertThat(r.p99Micros()).isEqualTo(42239);
    }

    @Test
    void failedCall_isAFailure() {
        // The client stops at the first failed call and prints no figures.
        assertThatThrownBy(() -> GrpcBenchOutputParser.parse(Samples.read("grpc-refused.txt")))
                .isInstanceOf(DriverException.class)
                .hasMessageContaining("printed no result");
    }

    @Test
    void missingPercentile_isAFailureNamingIt() {
        String cut = Samples.read("grpc-unary-router.txt").replaceAll("(?m)^99%ile.*\\n", "");

        assertThatThrownBy(() -> GrpcBenchOutputParser.parse(cut))
                .isInstanceOf(DriverException.class)
                .hasMessageContaining("99%ile Latency");
    }
}
