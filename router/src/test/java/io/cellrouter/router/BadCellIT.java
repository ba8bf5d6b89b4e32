package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.BadCell;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import java.net.http.HttpResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A cell that resets, closes mid-response or answers garbage: its customer gets the right error,
 * the bad upstream connection is not reused, and the other cells' customers are unaffected.
 */
@org.junit.jupiter.api.Timeout(60)
class BadCellIT {

    BadCell bad;

    @RegisterExtension
    final RouterExtension router = new RouterExtension("", r -> badCellYaml(), "  victim: bad\n");

    /** A fresh misbehaving cell for each test, started when the router's registry is written. */
    private String badCellYaml() {
        try {
            bad = new BadCell();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return "  - name: bad\n    endpoint: http://127.0.0.1:%d\n".formatted(bad.port());
    }

    @AfterEach
    void stopBadCell() throws Exception {
        bad.close();
    }

    static Stream<Arguments> misbehaviours() {
        return Stream.of(
                Arguments.of("reset before answering", BadCell.RESET, 502, "cell_unreachable"),
                Arguments.of("closes before answering", "", 502, "cell_unreachable"),
                Arguments.of("garbage", "this is not http\r\n\r\n", 502, "bad_cell_response"),
                Arguments.of(
                        "both Content-Length and Transfer-Encoding",
                        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        502,
                        "bad_cell_response"),
                Arguments.of(
                        "bad status line", "HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n", 502, "bad_cell_response"));
    }

    @ParameterizedTest(name = "{0} -> {2} {3}")
    @MethodSource("misbehaviours")
    void misbehavingCell_givesItsCustomerTheError_andOthersAreUnaffected(
            String name, String answer, int status, String error) throws Exception {
        bad.answer(answer);

        HttpResponse<String> victim = router.get("victim", "/x");
        HttpResponse<String> bystander = router.get("acme", "/x");

        assertThat(victim.statusCode()).as(name).isEqualTo(status);
        assertThat(victim.body()).contains("\"error\":\"" + error + "\"");
        assertThat(bystander.statusCode()).isEqualTo(200);
        assertThat(bystander.headers().firstValue("x-served-by")).hasValue("cell-1");
    }

    @org.junit.jupiter.api.Test
    void closeMidResponse_cutsTheClientOff_andTheConnectionIsNotReused() throws Exception {
        bad.answer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part of it");
        int before = bad.connections();

        RawHttp.Response cut = null;
        Exception failure = null;
        try {
            cut = RawHttp.exchange(
                    router.server().proxyAddress(), "GET /x HTTP/1.1\r\nHost: a\r\nx-customer-id: victim\r\n\r\n");
        } catch (Exception e) {
            failure = e;
        }
        // Either the read fails, or fewer bytes than announced arrive before the close.
        assertThat(failure != null || cut.body().length() < 100).isTrue();

        bad.answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertThat(router.get("victim", "/y").statusCode()).isEqualTo(200);
        assertThat(bad.connections()).isGreaterThan(before);
    }
}
