package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostSyntaxTest {

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(
            strings = {
                "",
                "a.example",
                "A.Example:8443",
                "a.example:",
                "127.0.0.1:80",
                "[::1]",
                "[::1]:8080",
                "a.example:65535",
                "[::1]:65535",
                "a.example:0",
                "a.example:000080",
                "a.example:0000000000000000000000065535",
                "[v1.fe80::a+en1]",
                "xn--bcher-kva.example",
                "a%2Eexample",
                "a_b~c!$&'()*+,;=d"
            })
    void hostAndOptionalPort_isValid(String value) {
        assertThat(HostSyntax.valid(value)).isTrue();
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(
            strings = {
                "a.example:x@b.example",
                "user@a.example",
                "a.example/b",
                "a.example?b",
                "a.example#b",
                "a.example:80:90",
                "a.example:8o",
                "a.example:65536",
                "a.example:99999",
                "a.example:100000",
                "a.example:000065536",
                "a.example:99999999999999999999",
                "[::1]:65536",
                "a b",
                "a\tb",
                "[::1",
                "[::1]x",
                "[::1]:80a",
                "[::1/64]",
                "a%zz",
                "a%2",
                "a\\b",
                "a\"b",
                "é.example"
            })
    void anythingElse_isNot(String value) {
        assertThat(HostSyntax.valid(value)).isFalse();
    }
}
