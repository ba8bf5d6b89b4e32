package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which fields the router's HPACK encoders (to clients and to cells) never index. */
class Http2TuningTest {

    @ParameterizedTest
    @ValueSource(strings = {"authorization", "proxy-authorization", "cookie", "x-request-id", "traceparent"})
    void neverIndexed_credentialsAndPerRequestValues(String name) {
        assertThat(Http2Tuning.NEVER_INDEXED.isSensitive(name, "value")).isTrue();
    }

    @Test
    void indexed_fieldsThatRepeat() {
        assertThat(Http2Tuning.NEVER_INDEXED.isSensitive("content-type", "application/grpc"))
                .isFalse();
        assertThat(Http2Tuning.NEVER_INDEXED.isSensitive("x-forwarded-proto", "https"))
                .isFalse();
    }
}
