package io.cellrouter.router.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.ExternalTools;
import io.cellrouter.router.testing.MountedSecret;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS listener's certificate rotates without a restart and without a failed request (README:
 * "Certificates that rotate"): a curl loop (a new process, so a new handshake, per request) runs
 * while the mounted secret is swapped, broken, and swapped again.
 */
class CertificateRotationIT {

    @TempDir
    static Path dir;

    static TestCertificates certs;
    static MountedSecret secret;
    static Path caPem;

    @BeforeAll
    static void firstCertificate() throws Exception {
        certs = TestCertificates.create();
        secret = MountedSecret.create(dir.resolve("tls"), certs.issueServer("gen1"));
        caPem = certs.caPem().toPath();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension()
            .proxy(() ->
                    """
                      tls:
                        listen: 127.0.0.1:0
                        certificate: %s
                        privateKey: %s
                      upstream:
                        connectTimeout: 1s
                        responseTimeout: 5s
                    """
                            .formatted(secret.certificate(), secret.privateKey()));

    @Test
    void rotationUnderLoad_noFailedRequest_newHandshakesPresentTheNewCertificate() throws Exception {
        InetSocketAddress tls = router.server().tlsAddress();
        assertThat(handshakeSubject(tls)).isEqualTo("CN=gen1");
        try (SSLSocket earlier = keepAliveConnection(tls);
                CurlLoop load = CurlLoop.start(tls.getPort(), caPem)) {
            assertThat(get(earlier).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> load.sawSubject("CN=gen1"));

            secret.swap(certs.issueServer("gen2"));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> handshakeSubject(tls).equals("CN=gen2"));
            await().atMost(Duration.ofSeconds(30)).until(() -> load.sawSubject("CN=gen2"));

            // A certificate with another certificate's key, then a file that is not PEM at all:
            // both refused, the pair in use stays.
            secret.swap(
                    certs.issueServer("gen3").getCertificatePathPEM(),
                    certs.issueServer("other").getPrivateKeyPEM());
            await().atMost(Duration.ofSeconds(10)).until(() -> reloads("failure") == 1);
            secret.swap("not a certificate", "not a key");
            await().atMost(Duration.ofSeconds(10)).until(() -> reloads("failure") == 2);
            assertThat(handshakeSubject(tls)).isEqualTo("CN=gen2");
            int before = load.completed();
            await().atMost(Duration.ofSeconds(30)).until(() -> load.completed() >= before + 5);

            secret.swap(certs.issueServer("gen4"));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> handshakeSubject(tls).equals("CN=gen4"));
            await().atMost(Duration.ofSeconds(30)).until(() -> load.sawSubject("CN=gen4"));

            // The connection made before any rotation was never dropped, and still speaks with
            // the certificate it was set up with.
            assertThat(get(earlier).status()).isEqualTo(200);
            assertThat(subject(earlier)).isEqualTo("CN=gen1");

            await().atMost(Duration.ofSeconds(30)).until(() -> load.completed() >= 15);
            load.stop();
            assertThat(load.failures()).as("failed requests").isEmpty();
            assertThat(load.completed()).isGreaterThanOrEqualTo(15);
            assertThat(load.subjectsInOrder()).containsSubsequence("CN=gen1", "CN=gen2", "CN=gen4");
            assertThat(load.subjectsInOrder()).doesNotContain("CN=gen3");
        }
        assertThat(reloads("success")).isEqualTo(2);
        assertThat(reloads("failure")).isEqualTo(2);
        assertThat(router.server().metrics().scrape())
                .containsPattern("cellrouter_tls_certificate_expiry_seconds\\{certificate=\"proxy.tls\"\\} [0-9.]+E9");
    }

    private double reloads(String result) {
        Matcher m = Pattern.compile("cellrouter_tls_reloads_total\\{certificate=\"proxy.tls\",result=\"" + result
                        + "\"\\} ([0-9.]+)")
                .matcher(router.server().metrics().scrape());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    /** A fresh handshake: the subject of the certificate the listener presents now. */
    private static String handshakeSubject(InetSocketAddress tls) throws Exception {
        try (SSLSocket socket =
                (SSLSocket) certs.clientContext().getSocketFactory().createSocket("127.0.0.1", tls.getPort())) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return subject(socket);
        }
    }

    private static String subject(SSLSocket socket) throws Exception {
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0])
                .getSubjectX500Principal()
                .getName();
    }

    private static SSLSocket keepAliveConnection(InetSocketAddress tls) throws Exception {
        SSLSocket socket =
                (SSLSocket) certs.clientContext().getSocketFactory().createSocket("127.0.0.1", tls.getPort());
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }

    private static RawHttp.Response get(SSLSocket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write("GET /hello HTTP/1.1\r\nHost: localhost\r\nx-customer-id: acme\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return RawHttp.read(socket.getInputStream());
    }

    /**
     * curl over TLS, one process (one handshake) after another, each checking the certificate
     * against the test CA and printing the status and the certificate it was shown.
     */
    static final class CurlLoop implements AutoCloseable {
        private static final Pattern SUBJECT = Pattern.compile("(?m)^Subject:\\s*(.+)$");

        private final List<String> command;
        private final List<String> subjects = new CopyOnWriteArrayList<>();
        private final List<String> failures = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        private CurlLoop(List<String> command) {
            this.command = command;
            this.thread = new Thread(this::run, "curl-loop");
        }

        static CurlLoop start(int port, Path ca) {
            Path curl = ExternalTools.require("curl", "curl");
            CurlLoop loop = new CurlLoop(List.of(
                    curl.toString(),
                    "-sS",
                    "--max-time",
                    "10",
                    "--cacert",
                    ca.toString(),
                    "--resolve",
                    "localhost:" + port + ":127.0.0.1",
                    "-H",
                    "x-customer-id: acme",
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code}\\n%{certs}",
                    "https://localhost:" + port + "/hello"));
            loop.thread.start();
            return loop;
        }

        private void run() {
            while (running.get()) {
                try {
                    Process process = new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .start();
                    process.getOutputStream().close();
                    String output;
                    try (InputStream in = process.getInputStream()) {
                        output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                    if (!process.waitFor(20, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                        failures.add("curl did not finish");
                        continue;
                    }
                    Matcher subject = SUBJECT.matcher(output);
                    if (process.exitValue() != 0 || !output.startsWith("200") || !subject.find()) {
                        failures.add("exit " + process.exitValue() + ": "
                                + output.lines().findFirst().orElse(""));
                    } else {
                        subjects.add(subject.group(1).replace(" = ", "=").trim());
                    }
                } catch (IOException e) {
                    failures.add(e.toString());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        boolean sawSubject(String subject) {
            return subjects.contains(subject);
        }

        int completed() {
            return subjects.size() + failures.size();
        }

        List<String> failures() {
            return List.copyOf(failures);
        }

        List<String> subjectsInOrder() {
            return new ArrayList<>(subjects);
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
