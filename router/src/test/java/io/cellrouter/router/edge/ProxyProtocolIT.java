package io.cellrouter.router.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.AuditCapture;
import io.cellrouter.router.testing.Haproxy;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.TestCertificates;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PROXY protocol and trusted proxies with a real HAProxy in front of the router (README:
 * "Where a request came from"). Clients connect from 127.0.0.2 (or ::1) so that the client's
 * address differs from the proxy's (127.0.0.1, the one trusted proxy).
 */
class ProxyProtocolIT {

    static final String CLIENT = "127.0.0.2";
    static final String REQUEST =
            "GET /hello HTTP/1.1\r\nHost: example.test\r\nx-customer-id: acme\r\n" + "Connection: close\r\n\r\n";

    static TestCertificates certs;
    static File chain;
    static File key;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.create();
        chain = certs.serverChainPem();
        key = certs.serverKeyPem();
    }

    static String request(String... extraHeaders) {
        StringBuilder request = new StringBuilder(
                "GET /hello HTTP/1.1\r\nHost: example.test\r\nx-customer-id: acme\r\nConnection: close\r\n");
        for (String header : extraHeaders) {
            request.append(header).append("\r\n");
        }
        return request.append("\r\n").toString();
    }

    static double counter(RouterExtension router, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$")
                .matcher(router.server().metrics().scrape());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** The router's connection counters, as scraped: what refused or closed a connection. */
    static String connectionCounters(RouterExtension router) {
        return router.server()
                .metrics()
                .scrape()
                .lines()
                .filter(line -> line.startsWith("cellrouter_proxy_protocol_rejected_total")
                        || line.startsWith("cellrouter_connections_refused_total")
                        || line.startsWith("cellrouter_client_connections"))
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    static HttpHeaders lastAtCell(RouterExtension router) {
        List<HttpHeaders> received = router.cell("cell-1").receivedHeaders();
        assertThat(received).isNotEmpty();
        return received.get(received.size() - 1);
    }

    /** {@code proxyProtocol: v2} on both listeners, 127.0.0.1 trusted; haproxy sends v2. */
    @Nested
    class V2Listener {

        @RegisterExtension
        final RouterExtension router = new RouterExtension()
                .proxy(() ->
                        """
                          proxyProtocol: v2
                          trustedProxies: [127.0.0.1/32, '::1']
                          requestHeaderTimeout: 1s
                          tls:
                            listen: 127.0.0.1:0
                            certificate: %s
                            privateKey: %s
                          upstream:
                            connectTimeout: 1s
                            responseTimeout: 5s
                        """
                                .formatted(chain, key));

        @RegisterExtension
        final AuditCapture accessLog = AuditCapture.accessLog();

        @TempDir
        Path dir;

        Haproxy haproxy;

        @BeforeEach
        void startHaproxy() throws Exception {
            InetSocketAddress proxy = router.server().proxyAddress();
            InetSocketAddress tls = router.server().tlsAddress();
            haproxy = Haproxy.start(
                    dir,
                    List.of(
                            new Haproxy.Frontend("127.0.0.1", proxy, "send-proxy-v2"),
                            new Haproxy.Frontend("::1", proxy, "send-proxy-v2"),
                            new Haproxy.Frontend("127.0.0.1", tls, "send-proxy-v2")));
        }

        @AfterEach
        void stopHaproxy() {
            if (haproxy != null) {
                haproxy.close();
            }
        }

        @Test
        void haproxySendProxyV2_cellSeesTheOriginalClientAddress_andTheAccessLogToo() throws Exception {
            RawHttp.Response response = ClientSockets.exchange(CLIENT, haproxy.address(0), REQUEST);

            assertThat(response.status()).isEqualTo(200);
            HttpHeaders atCell = lastAtCell(router);
            assertThat(atCell.getAll("x-forwarded-for")).containsExactly(CLIENT);
            assertThat(atCell.get("x-forwarded-proto")).isEqualTo("http");
            await().atMost(Duration.ofSeconds(5)).until(() -> accessLog.lines().stream()
                    .anyMatch(line -> line.contains("\"remote\":\"" + CLIENT + "\"")));
        }

        @Test
        void haproxySendProxyV2_ipv6Client_addressFromTheHeader() throws Exception {
            RawHttp.Response response = ClientSockets.exchange("::1", haproxy.address(1), REQUEST);

            assertThat(response.status()).isEqualTo(200);
            assertThat(lastAtCell(router).getAll("x-forwarded-for")).containsExactly("0:0:0:0:0:0:0:1");
        }

        @Test
        void haproxyInFrontOfTheTlsListener_headerThenHandshake_clientAddressKept() throws Exception {
            RawHttp.Response response =
                    ClientSockets.exchangeTls(CLIENT, haproxy.address(2), certs.clientContext(), REQUEST);

            assertThat(response.status()).isEqualTo(200);
            HttpHeaders atCell = lastAtCell(router);
            assertThat(atCell.getAll("x-forwarded-for")).containsExactly(CLIENT);
            assertThat(atCell.get("x-forwarded-proto")).isEqualTo("https");
        }

        @Test
        void spoofedForwardedHeadersFromAnUntrustedClient_areReplaced() throws Exception {
            RawHttp.Response response = ClientSockets.exchange(
                    CLIENT,
                    haproxy.address(0),
                    request(
                            "X-Forwarded-For: 6.6.6.6",
                            "X-Forwarded-Proto: https",
                            "Forwarded: for=6.6.6.6;proto=https",
                            "X-Real-IP: 6.6.6.6"));

            assertThat(response.status()).isEqualTo(200);
            HttpHeaders atCell = lastAtCell(router);
            assertThat(atCell.getAll("x-forwarded-for")).containsExactly(CLIENT);
            assertThat(atCell.getAll("x-forwarded-proto")).containsExactly("http");
            assertThat(atCell.contains("forwarded")).isFalse();
            assertThat(atCell.contains("x-real-ip")).isFalse();
        }

        @Test
        void connectionWithoutProxyHeader_isClosed_evenFromTheTrustedProxy() throws Exception {
            String invalid = "cellrouter_proxy_protocol_rejected_total{reason=\"invalid\"}";
            double before = counter(router, invalid);

            assertThat(ClientSockets.closedWithoutAnswer(
                            "127.0.0.1",
                            router.server().proxyAddress(),
                            REQUEST.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                    .isTrue();

            assertThat(router.cell("cell-1").requestCount()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> counter(router, invalid) == before + 1);
        }

        @Test
        void untrustedPeer_isClosed_evenWithAWellFormedProxyHeader() throws Exception {
            String untrusted = "cellrouter_proxy_protocol_rejected_total{reason=\"untrusted_peer\"}";
            double before = counter(router, untrusted);
            byte[] spoof = ProxyHeaders.v2Tcp4(new byte[] {1, 2, 3, 4}, new byte[] {127, 0, 0, 1}, 4000, 80);

            assertThat(ClientSockets.closedWithoutAnswer(
                            CLIENT, router.server().proxyAddress(), concat(spoof, REQUEST)))
                    .isTrue();

            assertThat(router.cell("cell-1").requestCount()).isZero();
            // With the router's connection counters on failure. This once failed now and then on
            // io_uring: haproxy's probe connections, reset before the router took them up, had no
            // peer address and were counted as untrusted peers too (ProxyProtocolReaderTest).
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(counter(router, untrusted))
                    .as(() -> connectionCounters(router))
                    .isEqualTo(before + 1));
        }

        @Test
        void v1HeaderOnAV2Listener_isClosed() throws Exception {
            String version = "cellrouter_proxy_protocol_rejected_total{reason=\"version\"}";
            double before = counter(router, version);

            assertThat(ClientSockets.closedWithoutAnswer(
                            "127.0.0.1",
                            router.server().proxyAddress(),
                            concat(ProxyHeaders.v1("1.2.3.4", "127.0.0.1", 4000, 80), REQUEST)))
                    .isTrue();

            assertThat(router.cell("cell-1").requestCount()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> counter(router, version) == before + 1);
        }

        @Test
        void noHeaderAtAll_closedAfterRequestHeaderTimeout() throws Exception {
            String timeout = "cellrouter_proxy_protocol_rejected_total{reason=\"timeout\"}";
            double before = counter(router, timeout);

            assertThat(ClientSockets.closedWithoutAnswer(
                            "127.0.0.1", router.server().proxyAddress(), new byte[0]))
                    .isTrue();

            await().atMost(Duration.ofSeconds(5)).until(() -> counter(router, timeout) == before + 1);
        }

        @Test
        void localCommand_theProxySpeaksForItself_andIsTrusted() throws Exception {
            RawHttp.Response response = ClientSockets.exchange(
                    "127.0.0.1",
                    router.server().proxyAddress(),
                    ProxyHeaders.v2Local(),
                    request("X-Forwarded-For: 198.51.100.9"));

            assertThat(response.status()).isEqualTo(200);
            assertThat(lastAtCell(router).getAll("x-forwarded-for")).containsExactly("198.51.100.9, 127.0.0.1");
        }

        /**
         * UNKNOWN: the proxy forwards a client it cannot name. The proxy's address stands for it,
         * but not the proxy's trust: the client's own X-Forwarded-For never reaches the cell.
         */
        @Test
        void unknownProtocol_theProxysAddressStands_butUntrusted() throws Exception {
            RawHttp.Response response = ClientSockets.exchange(
                    "127.0.0.1",
                    router.server().proxyAddress(),
                    ProxyHeaders.v2Unknown(),
                    request("X-Forwarded-For: 198.51.100.9"));

            assertThat(response.status()).isEqualTo(200);
            assertThat(lastAtCell(router).getAll("x-forwarded-for")).containsExactly("127.0.0.1");
        }

        @Test
        void headerAndRequestInOneWrite_bothRead() throws Exception {
            byte[] header =
                    ProxyHeaders.v2Tcp4(new byte[] {(byte) 203, 0, 113, 5}, new byte[] {127, 0, 0, 1}, 4000, 80);

            RawHttp.Response response =
                    ClientSockets.exchange("127.0.0.1", router.server().proxyAddress(), header, REQUEST);

            assertThat(response.status()).isEqualTo(200);
            assertThat(lastAtCell(router).getAll("x-forwarded-for")).containsExactly("203.0.113.5");
        }
    }

    /** {@code proxyProtocol: any}: haproxy's v1 and v2 are both read. */
    @Nested
    class AnyListener {

        @RegisterExtension
        final RouterExtension router = new RouterExtension()
                .proxy(() -> "  proxyProtocol: any\n  trustedProxies: [127.0.0.1]\n"
                        + "  upstream:\n    connectTimeout: 1s\n    responseTimeout: 5s");

        @TempDir
        Path dir;

        @Test
        void haproxySendProxyV1AndV2_bothGiveTheClientAddress() throws Exception {
            InetSocketAddress proxy = router.server().proxyAddress();
            try (Haproxy haproxy = Haproxy.start(
                    dir,
                    List.of(
                            new Haproxy.Frontend("127.0.0.1", proxy, "send-proxy"),
                            new Haproxy.Frontend("127.0.0.1", proxy, "send-proxy-v2")))) {
                for (int i = 0; i < 2; i++) {
                    RawHttp.Response response = ClientSockets.exchange(CLIENT, haproxy.address(i), REQUEST);

                    assertThat(response.status()).isEqualTo(200);
                    assertThat(lastAtCell(router).getAll("x-forwarded-for")).containsExactly(CLIENT);
                }
            }
        }
    }

    /** {@code proxyProtocol: off} (the default) with a trusted proxy: its forwarded headers are believed. */
    @Nested
    class TrustedProxiesWithoutProxyProtocol {

        @RegisterExtension
        final RouterExtension router = new RouterExtension()
                .proxy(() -> "  trustedProxies: [127.0.0.1/32]\n"
                        + "  upstream:\n    connectTimeout: 1s\n    responseTimeout: 5s");

        @Test
        void fromTheTrustedProxy_forwardedForAppendedTo_theOthersKept() throws Exception {
            RawHttp.Response response = ClientSockets.exchange(
                    "127.0.0.1",
                    router.server().proxyAddress(),
                    request(
                            "X-Forwarded-For: 203.0.113.7",
                            "X-Forwarded-Proto: https",
                            "Forwarded: for=203.0.113.7;proto=https",
                            "X-Real-IP: 203.0.113.7"));

            assertThat(response.status()).isEqualTo(200);
            HttpHeaders atCell = lastAtCell(router);
            assertThat(atCell.getAll("x-forwarded-for")).containsExactly("203.0.113.7, 127.0.0.1");
            assertThat(atCell.getAll("x-forwarded-proto")).containsExactly("https");
            assertThat(atCell.get("forwarded")).isEqualTo("for=203.0.113.7;proto=https");
            assertThat(atCell.get("x-real-ip")).isEqualTo("203.0.113.7");
        }

        @Test
        void fromAnyoneElse_replacedByWhatTheRouterSaw() throws Exception {
            RawHttp.Response response = ClientSockets.exchange(
                    CLIENT,
                    router.server().proxyAddress(),
                    request(
                            "X-Forwarded-For: 203.0.113.7",
                            "X-Forwarded-Proto: https",
                            "Forwarded: for=203.0.113.7;proto=https",
                            "X-Real-IP: 203.0.113.7"));

            assertThat(response.status()).isEqualTo(200);
            HttpHeaders atCell = lastAtCell(router);
            assertThat(atCell.getAll("x-forwarded-for")).containsExactly(CLIENT);
            assertThat(atCell.getAll("x-forwarded-proto")).containsExactly("http");
            assertThat(atCell.contains("forwarded")).isFalse();
            assertThat(atCell.contains("x-real-ip")).isFalse();
        }

        @Test
        void aProxyHeaderWhenNoneIsExpected_isNotBelieved() throws Exception {
            RawHttp.Response response = ClientSockets.exchange(
                    "127.0.0.1",
                    router.server().proxyAddress(),
                    ProxyHeaders.v1("1.2.3.4", "127.0.0.1", 4000, 80),
                    REQUEST);

            assertThat(response.status()).isEqualTo(400);
            assertThat(router.cell("cell-1").requestCount()).isZero();
        }
    }

    static byte[] concat(byte[] prefix, String request) {
        byte[] tail = request.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] all = java.util.Arrays.copyOf(prefix, prefix.length + tail.length);
        System.arraycopy(tail, 0, all, prefix.length, tail.length);
        return all;
    }
}
