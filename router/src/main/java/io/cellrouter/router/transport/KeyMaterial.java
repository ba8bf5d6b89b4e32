package io.cellrouter.router.transport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/**
 * A certificate chain and its private key as PEM bytes, read together so that a context is built
 * from one consistent pair. The key never appears in {@link #toString()}.
 */
public final class KeyMaterial {

    private final byte[] certificateChain;
    private final byte[] privateKey;

    private KeyMaterial(byte[] certificateChain, byte[] privateKey) {
        this.certificateChain = certificateChain;
        this.privateKey = privateKey;
    }

    public static KeyMaterial read(Path certificateChain, Path privateKey) throws IOException {
        return new KeyMaterial(Files.readAllBytes(certificateChain), Files.readAllBytes(privateKey));
    }

    public InputStream certificateChain() {
        return new ByteArrayInputStream(certificateChain);
    }

    public InputStream privateKey() {
        return new ByteArrayInputStream(privateKey);
    }

    /** SHA-256 of both files: whether a reload has anything new, without keeping the key around twice. */
    public byte[] digest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(certificateChain);
            sha.update((byte) 0);
            sha.update(privateKey);
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always there", e);
        }
    }

    /** The first certificate of the chain (the router's own), or null when it cannot be parsed. */
    public X509Certificate leaf() {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(certificateChain());
        } catch (CertificateException | ClassCastException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "KeyMaterial[<redacted>]";
    }
}
