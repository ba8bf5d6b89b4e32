package io.cellrouter.router.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cellrouter.router.config.ConfigException;
import io.cellrouter.router.testing.TestCertificates;
import io.cellrouter.router.transport.TlsPairCheck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.SslContext;
import io.netty.pkitesting.X509Bundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloads called directly (the watcher's part is FileChangeWatcherTest's and CertificateRotationIT's). */
class ReloadingSslContextTest {

    static TestCertificates certs;

    @TempDir
    Path dir;

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeAll
    static void ca() throws Exception {
        certs = TestCertificates.create();
    }

    /** Unwatched: reload() reads the files when the test says (the watcher: CertificateRotationIT). */
    private ReloadingSslContext open(Path certificate, Path key) {
        return ReloadingSslContext.openUnwatched(
                "proxy.tls", certificate, key, TlsContexts::server, meters, java.time.Clock.systemUTC());
    }

    private double reloads(String result) {
        return meters.get("cellrouter.tls.reloads")
                .tag("certificate", "proxy.tls")
                .tag("result", result)
                .counter()
                .count();
    }

    @Test
    void pairCheck_goodPair_none_mismatchedOrGarbage_saysWhy() throws Exception {
        X509Bundle a = certs.issueServer("a");
        X509Bundle b = certs.issueServer("b");
        Path cert = dir.resolve("a.pem");
        TestCertificates.writePem(a, cert, dir.resolve("a-key.pem"));
        Files.writeString(dir.resolve("b-key.pem"), b.getPrivateKeyPEM());
        Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN PRIVATE KEY-----\nnot base64!\n");

        assertThat(TlsPairCheck.problem(cert, dir.resolve("a-key.pem"))).isNull();
        assertThat(TlsPairCheck.problem(cert, dir.resolve("b-key.pem"))).contains("do not make a working pair");
        assertThat(TlsPairCheck.problem(cert, dir.resolve("garbage.pem"))).startsWith("cannot be used");
        assertThat(TlsPairCheck.problem(cert, dir.resolve("missing.pem"))).startsWith("cannot be read");
    }

    @Test
    void open_refusedPair_isAConfigErrorNamingTheFilesNotTheKey() throws Exception {
        X509Bundle a = certs.issueServer("a");
        X509Bundle b = certs.issueServer("b");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Files.writeString(cert, a.getCertificatePathPEM());
        Files.writeString(key, b.getPrivateKeyPEM());
        String keyLine = b.getPrivateKeyPEM().lines().skip(1).findFirst().orElseThrow();

        assertThatThrownBy(() -> open(cert, key))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("proxy.tls")
                .hasMessageContaining(cert.toString())
                .hasMessageNotContaining(keyLine);
    }

    @Test
    void reload_expiredPair_refusedAndTheOldStays_oneNotValidYetIsTaken() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        TestCertificates.writePem(certs.issueServer("current"), cert, key);
        java.time.Instant now = java.time.Instant.parse("2026-12-06T12:00:00Z");
        try (ReloadingSslContext context = ReloadingSslContext.openUnwatched(
                "proxy.tls",
                cert,
                key,
                TlsContexts::server,
                meters,
                java.time.Clock.fixed(now, java.time.ZoneOffset.UTC))) {
            SslContext current = context.get();

            TestCertificates.writePem(
                    certs.issueServer("old", now.minus(Duration.ofDays(400)), now.minus(Duration.ofDays(35))),
                    cert,
                    key);
            assertThat(context.reload()).isFalse();
            assertThat(context.get()).isSameAs(current);
            assertThat(reloads("failure")).isEqualTo(1);

            TestCertificates.writePem(
                    certs.issueServer("soon", now.plus(Duration.ofMinutes(5)), now.plus(Duration.ofDays(90))),
                    cert,
                    key);
            assertThat(context.reload()).isTrue();
            assertThat(reloads("failure")).isEqualTo(1);
        }
    }

    @Test
    void reload_sameBytes_nothing_newPair_taken_brokenPair_refusedAndTheOldStays() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        TestCertificates.writePem(certs.issueServer("one"), cert, key);
        try (ReloadingSslContext context = open(cert, key)) {
            SslContext first = context.get();

            assertThat(context.reload()).isFalse();
            assertThat(context.get()).isSameAs(first);

            TestCertificates.writePem(certs.issueServer("two"), cert, key);
            assertThat(context.reload()).isTrue();
            SslContext second = context.get();
            assertThat(second).isNotSameAs(first);
            assertThat(reloads("success")).isEqualTo(1);

            Files.writeString(key, certs.issueServer("three").getPrivateKeyPEM());
            assertThat(context.reload()).isFalse();
            assertThat(context.get()).isSameAs(second);
            assertThat(reloads("failure")).isEqualTo(1);

            // The same broken files again (the periodic recheck): not counted twice.
            assertThat(context.reload()).isFalse();
            assertThat(reloads("failure")).isEqualTo(1);

            // Another key of another certificate: refused for the same reason, but other files.
            Files.writeString(key, certs.issueServer("four").getPrivateKeyPEM());
            assertThat(context.reload()).isFalse();
            assertThat(reloads("failure")).isEqualTo(2);

            Files.delete(key);
            assertThat(context.reload()).isFalse();
            assertThat(context.get()).isSameAs(second);
            assertThat(reloads("failure")).isEqualTo(3);

            // Unreadable again (the watcher's reload after the test's, or the recheck): told once.
            assertThat(context.reload()).isFalse();
            assertThat(reloads("failure")).isEqualTo(3);
        }
        assertThat(meters.get("cellrouter.tls.certificate.expiry").gauge().value())
                .isGreaterThan(1.7e9);
    }
}
