package io.cellrouter.router.testing;

import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A certificate and key laid out as Kubernetes mounts a TLS secret, and updated the way the kubelet
 * updates it: {@code tls.crt -> ..data/tls.crt}, {@code ..data -> ..genN}; a new version is written
 * to a new folder and {@code ..data} is swapped to it by one atomic rename, so both files change at
 * the same instant.
 */
public final class MountedSecret {

    private final Path dir;
    private int generation;

    private MountedSecret(Path dir) {
        this.dir = dir;
    }

    /** A secret in {@code dir} (created) holding {@code first}. */
    public static MountedSecret create(Path dir, X509Bundle first) throws IOException {
        Files.createDirectories(dir);
        MountedSecret secret = new MountedSecret(dir);
        secret.swap(first.getCertificatePathPEM(), first.getPrivateKeyPEM());
        Files.createSymbolicLink(dir.resolve("tls.crt"), Path.of("..data/tls.crt"));
        Files.createSymbolicLink(dir.resolve("tls.key"), Path.of("..data/tls.key"));
        return secret;
    }

    public Path certificate() {
        return dir.resolve("tls.crt");
    }

    public Path privateKey() {
        return dir.resolve("tls.key");
    }

    public void swap(X509Bundle next) throws IOException {
        swap(next.getCertificatePathPEM(), next.getPrivateKeyPEM());
    }

    /** Publishes a new version: any PEM text, even a certificate with another certificate's key. */
    public void swap(String certificatePem, String privateKeyPem) throws IOException {
        generation++;
        Path folder = Files.createDirectory(dir.resolve("..gen" + generation));
        Files.writeString(folder.resolve("tls.crt"), certificatePem);
        Files.writeString(folder.resolve("tls.key"), privateKeyPem);
        Path link = dir.resolve("..data_tmp");
        Files.createSymbolicLink(link, Path.of(folder.getFileName().toString()));
        Files.move(link, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
