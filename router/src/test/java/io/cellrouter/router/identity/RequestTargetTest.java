package io.cellrouter.router.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestTargetTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/a?b, /a?b",
        "http://h:1/a/b?c, /a/b?c",
        "http://h, /",
        "http://h?q=1, /?q=1",
        "/v1/customers/acme/../../customers/globex/x, /v1/customers/globex/x",
        "/a/./b, /a/b",
        "/a/b/.., /a/",
        "/a/b/., /a/b/",
        "/a/b/, /a/b/",
        "/., /",
        "/%61dmin/%7e%2D, /admin/~-",
        "/a/%2e%2E/b, /b",
        "/a%20b/%c3%a9, /a%20b/%C3%A9",
        "/a//b, /a//b",
        "/x?q=../../y, /x?q=../../y",
        "/.a/..b/...c, /.a/..b/...c"
    })
    void normalises(String uri, String expected) {
        assertThat(RequestTarget.parse(uri).originForm()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "/a/..%2fb",
                "/a/%2F",
                "/a/%5c",
                "/a/%00",
                "/a\\b",
                "/a/..;/b",
                "/a/.;x/b",
                "/..",
                "/a/../../b",
                "/a//../b",
                "/%zz",
                "/%4",
                "/a b",
                "/a#b",
                "a/b",
                "/a?b\u0001"
            })
    void refusesWhatCannotBeNormalisedSafely(String uri) {
        assertThatThrownBy(() -> RequestTarget.parse(uri))
                .isInstanceOfSatisfying(
                        RouterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/admin", "/admin/v1/cells", "//admin/v1", "/ADMIN/x", "/x/../admin/v1", "/%61dmin/v1"})
    void adminPaths_inAnySpelling(String uri) {
        assertThat(RequestTarget.parse(uri).isAdminPath()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/administrator", "/x/admin", "/", "*", "/v1/admin/x"})
    void notAdminPaths(String uri) {
        assertThat(RequestTarget.parse(uri).isAdminPath()).isFalse();
    }

    @org.junit.jupiter.api.Test
    void commonPath_isReturnedAsIs() {
        String uri = "/v1/orders/42";
        assertThat(RequestTarget.parse(uri).path()).isSameAs(uri);
    }
}
