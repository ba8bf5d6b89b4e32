package io.cellrouter.router.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.MountedSecret;
import io.cellrouter.router.testing.MutualTlsCell;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.TestCertificates;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS to cells (README: "Mutual TLS to cells"): an {@code https://} cell that demands a
 * client certificate from the test CA is reached with {@code proxy.upstream.clientCertificate},
 * refused without it, and sees the new certificate after the files change.
 */
class CellClientCertificateIT {

    @TempDir
    static Path dir;

    static TestCertificates certs;
    static MutualTlsCell cell;
    static Path caPem;

    @BeforeAll
    static void startCell() throws Exception {
        certs = TestCertificates.create();
        cell = new MutualTlsCell("secure", certs.issueServer("secure-cell"), certs.ca());
        caPem = certs.caPem().toPath();
    }

    @AfterAll
    static void stopCell() {
        cell.close();
    }

    /** A router with the secure cell (customer mtls-co); {@code upstreamLines} more keys under upstream. */
    static RouterExtension routerWith(java.util.function.Supplier<String> upstreamLines) {
        return new RouterExtension(
                        "",
                        r -> "  - name: secure\n    endpoint: https://localhost:%d\n".formatted(cell.port()),
                        "  mtls-co: secure\n")
                .proxy(() -> "  upstream:\n    connectTimeout: 1s\n    responseTimeout: 5s\n"
                        + "    trustCertificates: " + caPem + "\n" + upstreamLines.get());
    }

    @Nested
    class WithAClientCertificate {

        MountedSecret secret;

        /** Idle pooled connections close after 300 ms: a rotation reaches the cell soon. */
        @RegisterExtension
        final RouterExtension router = routerWith(this::clientCertificateLines);

        /** A fresh secret for each test, made when its router starts. */
        private String clientCertificateLines() {
            try {
                secret = MountedSecret.create(
                        dir.resolve("client-" + System.nanoTime()), certs.issueClient("router-gen1"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return "    idleTimeout: 300ms\n"
                    + "    clientCertificate: " + secret.certificate() + "\n"
                    + "    clientPrivateKey: " + secret.privateKey() + "\n";
        }

        @Test
        void httpsCellDemandingAClientCertificate_isReachedWithIt() throws Exception {
            HttpResponse<String> response = router.get("mtls-co", "/hello");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("secure");
            assertThat(response.headers().firstValue("x-client-subject")).hasValue("CN=router-gen1");
        }

        @Test
        void clientCertificateRotated_newConnectionsPresentTheNewOne_brokenPairsRefused() throws Exception {
            assertThat(router.get("mtls-co", "/hello").headers().firstValue("x-client-subject"))
                    .hasValue("CN=router-gen1");

            secret.swap(certs.issueClient("router-gen2"));
            await().atMost(Duration.ofSeconds(10)).until(() -> reloads("success") == 1);
            // Pooled connections keep the certificate they were made with until they idle out
            // (300 ms here); every connection made after the reload presents the new one.
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(700))
                    .until(() -> router.get("mtls-co", "/hello")
                            .headers()
                            .firstValue("x-client-subject")
                            .orElse("")
                            .equals("CN=router-gen2"));

            secret.swap(
                    certs.issueClient("router-gen3").getCertificatePathPEM(),
                    certs.issueClient("stranger").getPrivateKeyPEM());
            await().atMost(Duration.ofSeconds(10)).until(() -> reloads("failure") == 1);
            HttpResponse<String> afterRefusal = router.get("mtls-co", "/hello");
            assertThat(afterRefusal.statusCode()).isEqualTo(200);
            assertThat(afterRefusal.headers().firstValue("x-client-subject")).hasValue("CN=router-gen2");
        }

        private double reloads(String result) {
            Matcher m = Pattern.compile("cellrouter_tls_reloads_total\\{certificate=\"proxy.upstream\",result=\""
                            + result + "\"\\} ([0-9.]+)")
                    .matcher(router.server().metrics().scrape());
            return m.find() ? Double.parseDouble(m.group(1)) : -1;
        }
    }

    @Nested
    class WithoutAClientCertificate {

        @RegisterExtension
        final RouterExtension router = routerWith(() -> "");

        @Test
        void httpsCellDemandingAClientCertificate_refusesTheRouter_502CellUnreachable() throws Exception {
            int refusedBefore = cell.refusedHandshakes();

            HttpResponse<String> response = router.get("mtls-co", "/hello");

            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(response.body()).contains("cell_unreachable");
            assertThat(cell.refusedHandshakes()).isGreaterThan(refusedBefore);
        }
    }
}
