package io.cellrouter.router.testing;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.File;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.net.ssl.SSLContext;

/** A test CA and a server certificate for 127.0.0.1 and localhost, as PEM files. */
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
    public SSLContext clientContext() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, ca.toTrustManagerFactory().getTrustManagers(), null);
        return context;
    }
}
