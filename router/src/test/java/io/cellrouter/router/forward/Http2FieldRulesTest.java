package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What {@link Http2FieldRules} takes for malformed, and what it lets through. */
class Http2FieldRulesTest {

    private static Http2Headers head() {
        return new DefaultHttp2Headers(false)
                .method("GET")
                .path("/x")
                .scheme("http")
                .authority("a")
                .add("x-customer-id", "acme");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http", "https", "git+ssh", "a.b-c", "H2", "x"})
    void schemesOfRfc3986_pass(String scheme) {
        assertThatCode(() -> Http2FieldRules.check(1, head().scheme(scheme))).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ht tp", "1http", "+http", "http/", "", "htt_p", "h\u00e9"})
    void otherSchemes_areAStreamError(String scheme) {
        assertThatThrownBy(() -> Http2FieldRules.check(3, head().scheme(scheme)))
                .isInstanceOfSatisfying(Http2Exception.StreamException.class, e -> {
                    assertThat(e.streamId()).isEqualTo(3);
                    assertThat(e.error()).isEqualTo(Http2Error.PROTOCOL_ERROR);
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "a\tb", "", "a"})
    void valuesWithoutWhitespaceAtTheEnd_pass(String value) {
        assertThatCode(() -> Http2FieldRules.check(1, head().add("x-foo", value)))
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a ", "a\t", "a \t", " "})
    void valuesEndingWithWhitespace_areAStreamError_withoutTheValueInTheMessage(String value) {
        assertThatThrownBy(() -> Http2FieldRules.check(1, head().add("x-secret", "s3cr3t" + value)))
                .isInstanceOf(Http2Exception.StreamException.class)
                .hasMessageContaining("x-secret")
                .hasMessageNotContaining("s3cr3t");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x-checksum", ":path"})
    void trailersAndPseudoHeadersFollowTheSameRule(String name) {
        assertThatThrownBy(() -> Http2FieldRules.check(1, new DefaultHttp2Headers(false).add(name, "v\t")))
                .isInstanceOf(Http2Exception.StreamException.class);
    }
}
