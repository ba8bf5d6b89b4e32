package io.cellrouter.registry.token;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files with the JDK's own key factories: {@code PRIVATE KEY} (PKCS#8: RSA, EC, Ed25519),
 * {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo) and {@code CERTIFICATE}. The older
 * algorithm-specific forms ({@code RSA PRIVATE KEY}, {@code EC PRIVATE KEY}) and encrypted keys
 * are refused with the {@code openssl} line that converts them, rather than pulling in a second
 * crypto library for them.
 */
final class Pem {

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519"};
    /** An Ed25519 SubjectPublicKeyInfo is a fixed 12-byte prefix and the 32-byte key. */
    private static final int ED25519_KEY_BYTES = 32;

    private Pem() {}

    static boolean looksLikePem(String text) {
        return text.contains("-----BEGIN ");
    }

    @SuppressWarnings("ArrayRecordComponent") // a carrier, never compared or hashed
    record Block(String type, byte[] der) {}

    static List<Block> blocks(String text, String origin) {
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2).trim());
            } catch (IllegalArgumentException e) {
                throw new KeyFileException(origin + ": a " + m.group(1) + " block is not valid base64");
            }
            blocks.add(new Block(m.group(1), der));
        }
        if (blocks.isEmpty()) {
            throw new KeyFileException(origin + ": no complete PEM block (-----BEGIN ...----- / -----END ...-----)");
        }
        return blocks;
    }

    /** The private key of a PEM file. */
    static PrivateKeyMaterial privateKey(String text, String origin) {
        PrivateKeyMaterial found = null;
        for (Block block : blocks(text, origin)) {
            switch (block.type()) {
                case "PRIVATE KEY" -> {
                    if (found != null) {
                        throw new KeyFileException(origin + ": more than one private key");
                    }
                    found = material(pkcs8(block.der(), origin), origin);
                }
                case "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY" ->
                    throw new KeyFileException(origin + ": a " + block.type() + " block is not supported; convert it"
                            + " to an unencrypted PKCS#8 key: openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem");
                default -> {
                    // Public keys and certificates next to the private key are fine.
                }
            }
        }
        if (found == null) {
            throw new KeyFileException(origin + ": no PRIVATE KEY block");
        }
        return found;
    }

    /** Every public key (PUBLIC KEY and CERTIFICATE blocks) of a PEM file, without key ids. */
    static List<JWK> publicKeys(String text, String origin) {
        List<JWK> keys = new ArrayList<>();
        for (Block block : blocks(text, origin)) {
            switch (block.type()) {
                case "PUBLIC KEY" -> keys.add(toJwk(spki(block.der(), origin), origin));
                case "CERTIFICATE" -> keys.add(toJwk(certificateKey(block.der(), origin), origin));
                case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY" ->
                    throw new KeyFileException(origin + ": holds a private key; the router needs only public keys"
                            + " (openssl pkey -in KEY -pubout)");
                default -> throw new KeyFileException(origin + ": unsupported PEM block " + block.type());
            }
        }
        return keys;
    }

    private static PrivateKey pkcs8(byte[] der, String origin) {
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // Not this algorithm: try the next.
            }
        }
        throw new KeyFileException(origin + ": the private key is not an RSA, EC or Ed25519 PKCS#8 key");
    }

    private static PublicKey spki(byte[] der, String origin) {
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // Not this algorithm: try the next.
            }
        }
        throw new KeyFileException(origin + ": the public key is not an RSA, EC or Ed25519 key");
    }

    private static PublicKey certificateKey(byte[] der, String origin) {
        try {
            return CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der))
                    .getPublicKey();
        } catch (GeneralSecurityException e) {
            throw new KeyFileException(origin + ": not a valid X.509 certificate: " + e.getMessage(), e);
        }
    }

    private static JWK toJwk(PublicKey key, String origin) {
        if (key instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa).build();
        } else if (key instanceof ECPublicKey ec) {
            return new ECKey.Builder(curve(ec.getParams(), origin), ec).build();
        } else if ("Ed25519".equals(key.getAlgorithm()) || "EdDSA".equals(key.getAlgorithm())) {
            byte[] encoded = key.getEncoded();
            byte[] raw = Arrays.copyOfRange(encoded, encoded.length - ED25519_KEY_BYTES, encoded.length);
            return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(raw)).build();
        }
        throw new KeyFileException(origin + ": unsupported key type " + key.getAlgorithm());
    }

    private static PrivateKeyMaterial material(PrivateKey key, String origin) {
        try {
            if (key instanceof RSAPrivateCrtKey rsa) {
                RSAPublicKey pub = (RSAPublicKey) KeyFactory.getInstance("RSA")
                        .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
                return new PrivateKeyMaterial(
                        new RSAKey.Builder(pub).privateKey(rsa).build(), null, null);
            } else if (key instanceof ECPrivateKey ec) {
                return new PrivateKeyMaterial(null, ec, curve(ec.getParams(), origin));
            } else if (key instanceof java.security.interfaces.EdECPrivateKey ed) {
                byte[] seed = ed.getBytes()
                        .orElseThrow(() -> new KeyFileException(origin + ": the Ed25519 key has no private bytes"));
                byte[] pub = com.google.crypto.tink.subtle.Ed25519Sign.KeyPair.newKeyPairFromSeed(seed)
                        .getPublicKey();
                return new PrivateKeyMaterial(
                        new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(pub))
                                .d(Base64URL.encode(seed))
                                .build(),
                        null,
                        null);
            }
        } catch (GeneralSecurityException e) {
            throw new KeyFileException(origin + ": cannot use the private key: " + e.getMessage(), e);
        }
        throw new KeyFileException(origin + ": unsupported private key type " + key.getAlgorithm());
    }

    private static Curve curve(java.security.spec.ECParameterSpec params, String origin) {
        Curve curve = Curve.forECParameterSpec(params);
        if (curve == null) {
            throw new KeyFileException(origin + ": unsupported EC curve (use P-256, P-384 or P-521)");
        }
        return curve;
    }

    /**
     * A private key read from PEM: a JWK (with its public half), or, for EC keys, the JDK key alone:
     * PKCS#8 need not carry the public point, the JDK cannot derive it, and nimbus's {@link ECKey}
     * needs it; signing needs only the private key ({@code ECDSASigner(ECPrivateKey)}).
     */
    record PrivateKeyMaterial(JWK jwk, ECPrivateKey ecKey, Curve ecCurve) {}
}
