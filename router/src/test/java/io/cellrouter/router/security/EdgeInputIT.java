package io.cellrouter.router.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.WireMockCell;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a request path and a few client headers can do at the edge: the admin API's paths are
 * never forwarded however they are spelt, the path identity source matches the normalised path
 * (and the cell receives that same path), paths that cannot be normalised safely are refused,
 * {@code Forwarded} and {@code X-Real-IP} from clients never reach a cell, and only HTTP/1.0 and
 * HTTP/1.1 are spoken. Alice lives on wm-a, Bob on wm-b, both WireMock cells.
 */
@Timeout(60)
class EdgeInputIT {

    private WireMockCell alicesCell;
    private WireMockCell bobsCell;

    @RegisterExtension
    final RouterExtension router = new RouterExtension("", r -> startCells(), "  alice: wm-a\n  bob: wm-b\n");

    private String startCells() {
        alicesCell = WireMockCell.start("wm-a");
        bobsCell = WireMockCell.start("wm-b");
        return alicesCell.registryYaml() + bobsCell.registryYaml();
    }

    @AfterEach
    void stopCells() {
        alicesCell.close();
        bobsCell.close();
    }

    private RawHttp.Response send(String requestLine, String headers) throws Exception {
        return RawHttp.exchange(router.server().proxyAddress(), requestLine + "\r\nHost: a\r\n" + headers + "\r\n");
    }

    private void assertNothingForwarded() {
        assertThat(alicesCell.received()).isEmpty();
        assertThat(bobsCell.received()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "/admin/v1/cells",
                "/%61dmin/v1/cells",
                "//admin/v1/cells",
                "/x/../admin/v1/cells",
                "/x/%2e%2E/admin/v1/cells",
                "/./admin/v1/cells",
                "/ADMIN/v1/cells",
                "http://a/x/../admin/v1/cells"
            })
    void adminPathInAnySpelling_is404_andNeverForwarded(String target) throws Exception {
        RawHttp.Response response = send("GET " + target + " HTTP/1.1", "x-customer-id: alice\r\n");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.body()).contains("\"error\":\"not_found\"");
        assertNothingForwarded();
    }

    @Test
    void pathIdentity_matchesTheNormalisedPath_andTheCellReceivesIt() throws Exception {
        RawHttp.Response response = send("GET /v1/customers/alice/../../customers/bob/x?q=1 HTTP/1.1", "");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("wm-b");
        assertThat(bobsCell.received())
                .singleElement()
                .extracting(LoggedRequest::getUrl)
                .isEqualTo("/v1/customers/bob/x?q=1");
        assertThat(alicesCell.received()).isEmpty();
    }

    @Test
    void pathIdentity_percentEncodedUnreservedCharacters_areDecodedBeforeMatching() throws Exception {
        RawHttp.Response response = send("GET /v1/%63ustomers/b%6Fb/x HTTP/1.1", "");

        assertThat(response.body()).isEqualTo("wm-b");
        assertThat(bobsCell.received())
                .singleElement()
                .extracting(LoggedRequest::getUrl)
                .isEqualTo("/v1/customers/bob/x");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "/v1/customers/alice/..%2f..%2fcustomers/bob/x",
                "/v1/customers/alice/%2e%2e%2Fbob/x",
                "/v1/customers/alice/..;/..;/customers/bob/x",
                "/v1/customers/alice/..%5c..%5ccustomers/bob/x",
                "/v1/customers/%zz/x",
                "/v1/customers/alice%/x",
                "/../v1/customers/bob/x",
                "/v1/customers/alice//../bob/x"
            })
    void pathThatCannotBeNormalisedSafely_is400_andNeverForwarded(String target) throws Exception {
        RawHttp.Response response = send("GET " + target + " HTTP/1.1", "");

        assertThat(response.status()).isEqualTo(400);
        assertNothingForwarded();
    }

    @Test
    void forwardedAndRealIpFromAClient_neverReachTheCell() throws Exception {
        RawHttp.Response response = send(
                "GET /x HTTP/1.1",
                "x-customer-id: alice\r\nForwarded: for=10.9.9.9;proto=https\r\nX-Real-IP: 10.9.9.9\r\n"
                        + "X-Forwarded-For: 10.9.9.9\r\n");

        assertThat(response.status()).isEqualTo(200);
        LoggedRequest received = alicesCell.received().get(0);
        assertThat(received.containsHeader("forwarded")).isFalse();
        assertThat(received.containsHeader("x-real-ip")).isFalse();
        assertThat(received.getHeader("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(received.getHeader("x-cell-router-cell")).isEqualTo("wm-a");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"HTTP/9.9", "HTTP/1.2", "HTTP/2.0", "HTTP/0.9"})
    void httpVersionOtherThan10Or11_is505_andClosed(String version) throws Exception {
        InetSocketAddress address = router.server().proxyAddress();
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream()
                    .write(("GET /x " + version + "\r\nHost: a\r\nx-customer-id: alice\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            RawHttp.Response response = RawHttp.read(in);

            assertThat(response.status()).isEqualTo(505);
            assertThat(response.closed()).isTrue();
            assertThat(in.read()).isEqualTo(-1);
        }
        assertNothingForwarded();
    }

    @Test
    void queryIdentity_brokenPercentEscape_is400_andNeverForwarded() throws Exception {
        RawHttp.Response response = send("GET /x?customer=alice&x=%zz HTTP/1.1", "");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("\"error\":\"malformed_request\"").contains("percent-escape");
        assertNothingForwarded();
    }

    /** A decoder that stops after its first 1,024 parameters would route to alice; a cell reading the last, to bob. */
    @Test
    void queryIdentity_secondParameterAfterAThousandOthers_isAmbiguous() throws Exception {
        String filler = "a=1&".repeat(1100);
        RawHttp.Response response = send("GET /x?customer=alice&" + filler + "customer=bob HTTP/1.1", "");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("\"error\":\"ambiguous_identity\"");
        assertNothingForwarded();
    }

    private RawHttp.Response aliceWithHost(String host) throws Exception {
        return RawHttp.exchange(
                router.server().proxyAddress(),
                "GET /x HTTP/1.1\r\nHost: " + host + "\r\nx-customer-id: alice\r\n\r\n");
    }

    @ParameterizedTest(name = "Host: {0}")
    @ValueSource(
            strings = {
                "a.example:x@b.example",
                "a.example/b",
                "a.example:80:90",
                "[::1",
                "a b",
                "a%zz",
                "example.com:99999",
                "example.com:65536",
                "[::1]:65536"
            })
    void hostThatIsNotAHostAndPort_is400_andNeverForwarded(String host) throws Exception {
        RawHttp.Response response = aliceWithHost(host);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("\"error\":\"malformed_request\"");
        assertNothingForwarded();
    }

    @ParameterizedTest(name = "Host: {0}")
    @ValueSource(
            strings = {
                "a.example",
                "a.example:8443",
                "[::1]:8080",
                "127.0.0.1",
                "xn--bcher-kva.example",
                "example.com:65535",
                "example.com:000080"
            })
    void hostThatIsAHostAndPort_isServed(String host) throws Exception {
        RawHttp.Response response = aliceWithHost(host);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("wm-a");
    }

    @ParameterizedTest(name = "CONNECT {0}")
    @ValueSource(strings = {"/x", "a.example:443"})
    void connect_is405_andNeverForwarded(String target) throws Exception {
        RawHttp.Response response = send("CONNECT " + target + " HTTP/1.1", "x-customer-id: alice\r\n");

        assertThat(response.status()).isEqualTo(405);
        assertThat(response.body()).contains("\"error\":\"method_not_allowed\"");
        assertNothingForwarded();
    }
}
