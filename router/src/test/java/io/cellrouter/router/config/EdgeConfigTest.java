package io.cellrouter.router.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cellrouter.router.config.RouterConfig.ProxyProtocol;
import io.cellrouter.router.testing.TestCertificates;
import io.netty.pkitesting.X509Bundle;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The edge keys: {@code proxy.proxyProtocol}, {@code proxy.trustedProxies}, the client
 * certificate for cells, and the certificate pairs {@code check} probes.
 */
class EdgeConfigTest {

    @TempDir
    Path dir;

    private static RouterConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "cfg.yaml", Path.of("/etc/cr"), Map.<String, String>of()::get);
    }

    private static void assertRefused(String yaml, String key, String value, String message) {
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cfg.yaml: " + key)
                .hasMessageContaining(value)
                .hasMessageContaining(message);
    }

    @Test
    void defaults_noProxyProtocol_noTrustedProxies() {
        RouterConfig.Proxy proxy = parse("").proxy();

        assertThat(proxy.proxyProtocol()).isEqualTo(ProxyProtocol.OFF);
        assertThat(proxy.trustedProxies()).isEmpty();
        assertThat(proxy.upstream().clientCertificate()).isNull();
    }

    @ParameterizedTest
    @CsvSource({"off, OFF", "'off', OFF", "v1, V1", "v2, V2", "any, ANY", "V2, V2"})
    void proxyProtocol_values(String written, ProxyProtocol expected) {
        RouterConfig config = parse("proxy:\n  proxyProtocol: " + written + "\n  trustedProxies: [10.0.0.0/8]\n");

        assertThat(config.proxy().proxyProtocol()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"on", "v3", "yes-please"})
    void proxyProtocol_otherValues_refused(String written) {
        assertRefused(
                "proxy:\n  proxyProtocol: " + written + "\n",
                "proxy.proxyProtocol",
                written.equals("on") ? "true" : written,
                "must be off, v1, v2 or any");
    }

    @Test
    void proxyProtocol_withoutTrustedProxies_refusedNamingTrustedProxies() {
        assertRefused(
                "proxy:\n  proxyProtocol: v2\n",
                "proxy.trustedProxies",
                "[]",
                "a PROXY header is accepted only from a trusted proxy");
    }

    @Test
    void trustedProxies_ipv4AndIpv6RangesAndSingleAddresses() throws Exception {
        RouterConfig.Proxy proxy = parse("proxy:\n  trustedProxies: [10.0.0.0/8, '2001:db8::/32', 192.0.2.7, '::1']\n")
                .proxy();

        assertThat(proxy.trustedProxies())
                .extracting(Cidr::toString)
                .containsExactly("10.0.0.0/8", "2001:db8:0:0:0:0:0:0/32", "192.0.2.7/32", "0:0:0:0:0:0:0:1/128");
        assertThat(proxy.trusts(InetAddress.getByName("10.200.3.4"))).isTrue();
        assertThat(proxy.trusts(InetAddress.getByName("11.0.0.1"))).isFalse();
        assertThat(proxy.trusts(InetAddress.getByName("2001:db8:ffff::5"))).isTrue();
        assertThat(proxy.trusts(InetAddress.getByName("2001:db9::5"))).isFalse();
        assertThat(proxy.trusts(InetAddress.getByName("192.0.2.7"))).isTrue();
        assertThat(proxy.trusts(InetAddress.getByName("192.0.2.8"))).isFalse();
        assertThat(proxy.trusts(InetAddress.getByName("::1"))).isTrue();
        assertThat(proxy.trusts(InetAddress.getByName("127.0.0.1"))).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
        "10.0.0.0/33, the prefix length must be from 0 to 32",
        "'2001:db8::/129', the prefix length must be from 0 to 128",
        "10.0.0.0/x, the prefix length",
        "proxy.example.com, must be an IPv4 or IPv6 address",
        "10.0.0.300, must be an IPv4 or IPv6 address",
    })
    void trustedProxies_badEntry_refusedNamingItsValue(String entry, String message) {
        assertRefused("proxy:\n  trustedProxies: ['" + entry + "']\n", "proxy.trustedProxies", entry, message);
    }

    @Test
    void clientCertificate_withoutItsKey_refused() {
        assertRefused(
                "proxy:\n  upstream:\n    clientCertificate: client.pem\n",
                "proxy.upstream.clientPrivateKey",
                "",
                "is required with clientCertificate");
        assertRefused(
                "proxy:\n  upstream:\n    clientPrivateKey: client-key.pem\n",
                "proxy.upstream.clientCertificate",
                "",
                "is required with clientPrivateKey");
    }

    @Test
    void check_certificatePairs_missingAndMismatchedFilesAreProblems() throws Exception {
        TestCertificates certs = TestCertificates.create();
        X509Bundle server = certs.issueServer("listener");
        X509Bundle client = certs.issueClient("router");
        X509Bundle other = certs.issueClient("someone-else");
        Files.writeString(dir.resolve("server.pem"), server.getCertificatePathPEM());
        Files.writeString(dir.resolve("server-key.pem"), server.getPrivateKeyPEM());
        Files.writeString(dir.resolve("client.pem"), client.getCertificatePathPEM());
        Files.writeString(dir.resolve("other-key.pem"), other.getPrivateKeyPEM());
        Files.writeString(dir.resolve("registry.yaml"), "cells: []\ncustomers: {}\n");

        List<ConfigProblem> problems = problems(
                """
                proxy:
                  tls:
                    certificate: server.pem
                    privateKey: server-key.pem
                  upstream:
                    clientCertificate: client.pem
                    clientPrivateKey: other-key.pem
                """);

        assertThat(problems).singleElement().satisfies(problem -> {
            assertThat(problem.key()).isEqualTo("proxy.upstream.clientCertificate");
            assertThat(problem.message()).contains("do not make a working pair");
            assertThat(problem.message())
                    .doesNotContain(
                            other.getPrivateKeyPEM().lines().skip(1).findFirst().orElseThrow());
        });

        List<ConfigProblem> missing = problems(
                """
                proxy:
                  upstream:
                    clientCertificate: client.pem
                    clientPrivateKey: nowhere.pem
                """);
        assertThat(missing).singleElement().satisfies(problem -> {
            assertThat(problem.key()).isEqualTo("proxy.upstream.clientPrivateKey");
            assertThat(problem.message()).contains("does not exist");
        });
    }

    /**
     * PEM text pasted where a key file's path belongs, written or from the environment: the problem
     * names the key, never the key material.
     */
    @Test
    void privateKeyTextInsteadOfItsPath_isNeverShown() throws Exception {
        String pem = "-----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-----END PRIVATE KEY-----";
        Files.writeString(dir.resolve("client.pem"), "x");
        Map<String, String> env = Map.of("KEY", pem, "LISTEN", "not-an-address");
        List<ConfigProblem> problems = ConfigLoader.parseAll(
                        "proxy:\n  upstream:\n    clientCertificate: client.pem\n"
                                + "    clientPrivateKey: ${KEY}\n  tls:\n    certificate: client.pem\n"
                                + "    privateKey: \"" + pem + "\"\n",
                        "cfg.yaml",
                        dir,
                        env::get)
                .problems();
        // Any value from the environment may be a secret: a problem there names the key only.
        List<ConfigProblem> fromEnvironment = ConfigLoader.parseAll(
                        "proxy:\n  listen: ${LISTEN}\n", "cfg.yaml", dir, env::get)
                .problems();

        assertThat(problems)
                .extracting(ConfigProblem::key)
                .containsExactlyInAnyOrder("proxy.upstream.clientPrivateKey", "proxy.tls.privateKey");
        assertThat(problems).allSatisfy(problem -> assertThat(problem.render("cfg.yaml"))
                .contains("<redacted>")
                .doesNotContain("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"));
        assertThat(fromEnvironment).singleElement().satisfies(problem -> {
            assertThat(problem.key()).isEqualTo("proxy.listen");
            assertThat(problem.describe())
                    .contains("from the environment, not shown")
                    .doesNotContain("not-an-address");
        });
    }

    private List<ConfigProblem> problems(String yaml) {
        return ConfigLoader.parseAll(yaml, "cfg.yaml", dir, Map.<String, String>of()::get)
                .problems();
    }
}
