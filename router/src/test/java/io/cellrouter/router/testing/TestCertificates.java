package io.cellrouter.router.testing;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A test CA and a server certificate for 127.0.0.1 and localhost, as PEM files; more certificates
 * from the same CA on demand (rotations, client certificates).
 */
public final class TestCertificates {

    private final X509Bundle ca;
    private final X509Bundle server;

    private TestCertificates(X509Bundle ca, X509Bundle server) {
        this.ca = ca;
        this.server = server;
    }

    public static TestCertificates create() throws Exception {
        Instant now = Instant.now();
        CertificateBuilder base = new CertificateBuilder()
                .notBefore(now.minus(1, ChronoUnit.HOURS))
                .notAfter(now.plus(1, ChronoUnit.DAYS))
                .algorithm(CertificateBuilder.Algorithm.ecp256);
        X509Bundle ca = base.copy()
                .subject("CN=cell-router test CA")
                .setIsCertificateAuthority(true)
                .buildSelfSigned();
        X509Bundle server = base.copy()
                .subject("CN=localhost")
                .addSanDnsName("localhost")
                .addSanIpAddress("127.0.0.1")
                .buildIssuedBy(ca);
        return new TestCertificates(ca, server);
    }

    /** Another server certificate for 127.0.0.1 and localhost from the same CA, named {@code cn}. */
    public X509Bundle issueServer(String cn) throws Exception {
        return base().subject("CN=" + cn)
                .addSanDnsName("localhost")
                .addSanIpAddress("127.0.0.1")
                .buildIssuedBy(ca);
    }

    /** As {@link #issueServer(String)}, valid from {@code notBefore} to {@code notAfter} only. */
    public X509Bundle issueServer(String cn, Instant notBefore, Instant notAfter) throws Exception {
        return base().subject("CN=" + cn)
                .notBefore(notBefore)
                .notAfter(notAfter)
                .addSanDnsName("localhost")
                .addSanIpAddress("127.0.0.1")
                .buildIssuedBy(ca);
    }

    /** A client certificate from the same CA, named {@code cn}. */
    public X509Bundle issueClient(String cn) throws Exception {
        return base().subject("CN=" + cn).buildIssuedBy(ca);
    }

    /** A certificate from another CA altogether, named {@code cn}. */
    public static X509Bundle selfSigned(String cn) throws Exception {
        return base().subject("CN=" + cn)
                .addSanDnsName("localhost")
                .addSanIpAddress("127.0.0.1")
                .buildSelfSigned();
    }

    public X509Bundle ca() {
        return ca;
    }

    /** Writes {@code bundle}'s chain and key as PEM to {@code certificate} and {@code key}. */
    public static void writePem(X509Bundle bundle, Path certificate, Path key) throws Exception {
        Files.writeString(certificate, bundle.getCertificatePathPEM());
        Files.writeString(key, bundle.getPrivateKeyPEM());
    }

    private static CertificateBuilder base() {
        Instant now = Instant.now();
        return new CertificateBuilder()
                .notBefore(now.minus(1, ChronoUnit.HOURS))
                .notAfter(now.plus(1, ChronoUnit.DAYS))
                .algorithm(CertificateBuilder.Algorithm.ecp256);
    }

    public File caPem() throws Exception {
        return ca.toTempCertChainPem();
    }

    public File serverChainPem() throws Exception {
        return server.toTempCertChainPem();
    }

    public File serverKeyPem() throws Exception {
        return server.toTempPrivateKeyPem();
    }

    /** A client context that trusts only the test CA. */
    /**
     * The proxy's TLS listener on a free port with the server certificate, as lines under {@code
     * proxy:} (indented two spaces).
     */
    public String proxyTlsYaml() {
        try {
            return "  tls:\n    listen: 127.0.0.1:0\n    certificate: " + serverChainPem() + "\n    privateKey: "
                    + serverKeyPem() + "\n";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TLS connection to {@code to}, trusting this CA, handshake done; reads give up after 10 s. */
    public SSLSocket connectTls(java.net.InetSocketAddress to) throws Exception {
        SSLSocket socket = (SSLSocket) clientContext().getSocketFactory().createSocket(to.getAddress(), to.getPort());
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }

    public SSLContext clientContext() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, ca.toTrustManagerFactory().getTrustManagers(), null);
        return context;
    }
}
