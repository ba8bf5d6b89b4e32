package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AbsoluteTargetTest {

    @ParameterizedTest(name = "{0} with Host {1}")
    @CsvSource({
        "/a, other.example",
        "http://acme.example/a, acme.example",
        "HTTP://ACME.example/a, acme.EXAMPLE",
        "http://acme.example:80/a, acme.example",
        "https://acme.example/a, acme.example:443",
        "http://acme.example:8080?q, acme.example:8080",
    })
    void check_targetNamingTheHost_passes(String uri, String host) {
        assertThatCode(() -> AbsoluteTarget.check(uri, host)).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0} with Host {1}")
    @CsvSource({
        "http://bob.example/a, alice.example",
        "http://alice.example:8080/a, alice.example",
        "https://alice.example:80/a, alice.example",
        "http://u@alice.example/a, alice.example",
        "http://alice.example@bob.example/a, alice.example",
        "ftp://alice.example/a, alice.example",
    })
    void check_targetNamingAnotherHost_isRefused(String uri, String host) {
        assertThatThrownBy(() -> AbsoluteTarget.check(uri, host))
                .isInstanceOfSatisfying(
                        RouterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST));
    }
}
