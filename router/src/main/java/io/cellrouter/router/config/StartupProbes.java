package io.cellrouter.router.config;

import io.cellrouter.registry.token.KeyFileException;
import io.cellrouter.registry.token.KeyFiles;
import io.cellrouter.router.config.IdentitySpec.JwtSpec;
import io.cellrouter.router.transport.TlsPairCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the configuration names on disk, checked before anything starts: the TLS certificate and
 * key, the client certificate and key for cells, the trusted CAs and the JWT key files can be read
 * (key files are parsed: a file without a usable key is a problem; a certificate and its key must
 * complete a TLS handshake together), and the snapshot's folder can be written. Kept apart from parsing: the
 * records only hold paths, this class does the I/O. The registry itself is checked by {@code
 * RegistryCheck}.
 */
public final class StartupProbes {

    private StartupProbes() {}

    /** Every problem with the files the configuration names; empty when all is well. */
    public static List<ConfigProblem> files(RouterConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        RouterConfig.Tls tls = config.proxy().tls();
        if (tls != null) {
            pair(problems, "proxy.tls.", "certificate", tls.certificate(), "privateKey", tls.privateKey());
        }
        RouterConfig.Upstream upstream = config.proxy().upstream();
        Path trust = upstream.trustCertificates();
        if (trust != null) {
            readable(problems, "proxy.upstream.trustCertificates", trust);
        }
        if (upstream.clientCertificate() != null && upstream.clientPrivateKey() != null) {
            pair(
                    problems,
                    "proxy.upstream.",
                    "clientCertificate",
                    upstream.clientCertificate(),
                    "clientPrivateKey",
                    upstream.clientPrivateKey());
        }
        for (int i = 0; i < config.identity().size(); i++) {
            if (config.identity().get(i) instanceof JwtSpec jwt && jwt.jwksFile() != null) {
                String key = "identity[" + i + "].jwt.jwksFile";
                if (readable(problems, key, jwt.jwksFile())) {
                    try {
                        KeyFiles.verificationKeys(jwt.jwksFile(), jwt.algorithms());
                    } catch (KeyFileException e) {
                        problems.add(new ConfigProblem(key, jwt.jwksFile().toString(), e.getMessage()));
                    }
                }
            }
        }
        Path snapshot = config.registry().snapshot();
        if (snapshot != null) {
            writableFolder(problems, snapshot);
        }
        return problems;
    }

    /**
     * A certificate and its key: both readable, and together able to complete a TLS handshake (a
     * key of another certificate is found here, not at the first client's handshake).
     */
    private static void pair(
            List<ConfigProblem> problems,
            String section,
            String certificateKey,
            Path certificate,
            String privateKeyKey,
            Path privateKey) {
        boolean readable = readable(problems, section + certificateKey, certificate);
        readable &= readable(problems, section + privateKeyKey, privateKey);
        if (readable) {
            String problem = TlsPairCheck.problem(certificate, privateKey);
            if (problem != null) {
                problems.add(new ConfigProblem(section + certificateKey, certificate.toString(), problem));
            }
        }
    }

    private static boolean readable(List<ConfigProblem> problems, String key, Path file) {
        if (!Files.exists(file)) {
            problems.add(new ConfigProblem(key, file.toString(), "the file does not exist"));
            return false;
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            problems.add(new ConfigProblem(key, file.toString(), "the file cannot be read"));
            return false;
        }
        return true;
    }

    /** {@code registry.snapshot}: a file (not a folder) whose folder exists, or can be made, and is writable. */
    private static void writableFolder(List<ConfigProblem> problems, Path snapshot) {
        String key = "registry.snapshot";
        if (Files.isDirectory(snapshot)) {
            problems.add(new ConfigProblem(key, snapshot.toString(), "is a folder; name the snapshot file in it"));
            return;
        }
        Path folder = snapshot.toAbsolutePath().getParent();
        while (folder != null && !Files.exists(folder)) {
            folder = folder.getParent(); // created at the first write: its first existing ancestor must be writable
        }
        if (folder == null || !Files.isDirectory(folder) || !Files.isWritable(folder)) {
            problems.add(new ConfigProblem(
                    key,
                    snapshot.toString(),
                    "its folder " + (folder == null ? "" : folder + " ") + "cannot be written"));
        }
    }
}
