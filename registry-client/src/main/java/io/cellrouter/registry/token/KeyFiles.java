package io.cellrouter.registry.token;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys in the standard file formats, told apart by their content:
 *
 * <ul>
 *   <li>JWK Set ({@code {"keys": [...]}}, RFC 7517) or a single JWK: key ids, and an {@code alg}
 *       that pins a key to one algorithm;
 *   <li>PEM: {@code PRIVATE KEY} (PKCS#8), {@code PUBLIC KEY} and {@code CERTIFICATE}; PEM keys
 *       carry no key id (tokens signed with them carry none unless one is given).
 * </ul>
 */
public final class KeyFiles {

    private static final Logger log = LoggerFactory.getLogger(KeyFiles.class);

    private KeyFiles() {}

    /**
     * The signing key in {@code file}: a PEM private key, a private JWK, or a JWK Set (with several
     * private keys, {@code keyId} chooses one). {@code algorithm} and {@code keyId} may be null (see
     * {@link SigningKey#of}).
     */
    public static SigningKey signingKey(Path file, TokenAlgorithm algorithm, String keyId) {
        String text = read(file);
        String origin = file.toString();
        if (Pem.looksLikePem(text)) {
            Pem.PrivateKeyMaterial material = Pem.privateKey(text, origin);
            return material.jwk() != null
                    ? SigningKey.of(material.jwk(), algorithm, keyId)
                    : SigningKey.ecPrivateKey(material.ecKey(), material.ecCurve(), algorithm, keyId);
        }
        List<JWK> keys = parseJson(text, origin).stream()
                .filter(k -> k.isPrivate() || k instanceof com.nimbusds.jose.jwk.OctetSequenceKey)
                .toList();
        if (keys.isEmpty()) {
            throw new KeyFileException(origin + ": holds no private key");
        }
        if (keys.size() == 1) {
            return SigningKey.of(keys.get(0), algorithm, keyId);
        }
        if (keyId == null) {
            throw new KeyFileException(origin + ": holds " + keys.size() + " private keys; choose one by its key id");
        }
        return keys.stream()
                .filter(k -> keyId.equals(k.getKeyID()))
                .findFirst()
                .map(k -> SigningKey.of(k, algorithm, keyId))
                .orElseThrow(() -> new KeyFileException(origin + ": no private key has the key id '" + keyId + "'"));
    }

    /** The verification keys in {@code file} (see {@link #verificationKeys(String, String, Set)}). */
    public static List<VerificationKey> verificationKeys(Path file, Set<TokenAlgorithm> permitted) {
        return verificationKeys(read(file), file.toString(), permitted);
    }

    /**
     * The verification keys of a JWK Set, a JWK or a PEM file's public keys and certificates, each
     * with the algorithms it allows among {@code permitted}. Keys that can verify none of them
     * (encryption keys, weak keys, other algorithms) are left out with a warning; a file with no key
     * left is an error, and so is a key id used twice.
     */
    public static List<VerificationKey> verificationKeys(String text, String origin, Set<TokenAlgorithm> permitted) {
        List<JWK> jwks = Pem.looksLikePem(text) ? Pem.publicKeys(text, origin) : parseJson(text, origin);
        List<VerificationKey> keys = new ArrayList<>();
        for (JWK jwk : jwks) {
            VerificationKey key;
            try {
                key = VerificationKey.of(jwk, permitted);
            } catch (KeyFileException e) {
                throw new KeyFileException(origin + ": " + e.getMessage(), e);
            }
            if (key == null) {
                log.warn(
                        "{}: key {} is left out: it verifies none of the accepted algorithms ({})",
                        origin,
                        TokenAlgorithm.describe(jwk),
                        TokenAlgorithm.names(permitted));
            } else {
                keys.add(key);
            }
        }
        if (keys.isEmpty()) {
            throw new KeyFileException(origin + ": holds no key that can verify tokens");
        }
        try {
            new KeySet(keys, 0);
        } catch (KeyFileException e) {
            throw new KeyFileException(origin + ": " + e.getMessage(), e);
        }
        return keys;
    }

    private static List<JWK> parseJson(String text, String origin) {
        String trimmed = text.strip();
        if (!trimmed.startsWith("{")) {
            throw new KeyFileException(origin + ": neither a JWK/JWK Set (JSON) nor PEM");
        }
        try {
            Map<String, Object> json = JSONObjectUtils.parse(trimmed);
            return json.containsKey("keys") ? JWKSet.parse(json).getKeys() : List.of(JWK.parse(json));
        } catch (ParseException e) {
            throw new KeyFileException(origin + ": not a valid JWK or JWK Set: " + e.getMessage(), e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KeyFileException(file + ": cannot be read: " + e, e);
        }
    }
}
