package io.cellrouter.registry.token;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.interfaces.ECPrivateKey;
import java.util.Set;

/**
 * A key that signs cell tokens, with its algorithm and key id fixed once. Read one from a file with
 * {@link KeyFiles#signingKey}, or make one from an HMAC secret or a JWK. Immutable; the signer is
 * safe to share between threads.
 */
public final class SigningKey {

    private final TokenAlgorithm algorithm;
    private final String keyId;
    private final JWSSigner signer;
    private final JWK publicKey;

    private SigningKey(TokenAlgorithm algorithm, String keyId, JWSSigner signer, JWK publicKey) {
        this.algorithm = algorithm;
        this.keyId = keyId;
        this.signer = signer;
        this.publicKey = publicKey;
    }

    /** An HMAC secret (at least 256 bits); {@code algorithm} null means HS256, {@code keyId} may be null. */
    public static SigningKey hmac(byte[] secret, TokenAlgorithm algorithm, String keyId) {
        requireNonNull(secret, "secret");
        if (secret.length * 8 < 256) {
            throw new KeyFileException("the HMAC secret must be at least 32 bytes (256 bits), it has " + secret.length);
        }
        OctetSequenceKey.Builder jwk = new OctetSequenceKey.Builder(secret).keyID(keyId);
        return of(jwk.build(), algorithm == null ? TokenAlgorithm.HS256 : algorithm, keyId);
    }

    /**
     * A private JWK (or an {@code oct} secret). {@code algorithm} null means the key's {@code alg},
     * else the first its type allows (HS256, RS256, ES256/384/512 by curve, EdDSA); {@code keyId} null
     * means the key's own {@code kid}.
     */
    public static SigningKey of(JWK jwk, TokenAlgorithm algorithm, String keyId) {
        requireNonNull(jwk, "jwk");
        if (!(jwk instanceof OctetSequenceKey) && !jwk.isPrivate()) {
            throw new KeyFileException("the key " + TokenAlgorithm.describe(jwk) + " is a public key: it cannot sign");
        }
        TokenAlgorithm alg = algorithm == null ? TokenAlgorithm.defaultFor(jwk) : algorithm;
        Set<TokenAlgorithm> allowed = TokenAlgorithm.allowedFor(jwk);
        if (!allowed.contains(alg)) {
            throw new KeyFileException("the key " + TokenAlgorithm.describe(jwk) + " cannot sign " + alg
                    + (allowed.isEmpty() ? "" : "; it can sign " + TokenAlgorithm.names(allowed)));
        }
        String kid = keyId != null ? keyId : jwk.getKeyID();
        try {
            if (jwk instanceof OctetSequenceKey oct) {
                return new SigningKey(alg, kid, new MACSigner(oct), null);
            } else if (jwk instanceof RSAKey rsa) {
                return new SigningKey(alg, kid, new RSASSASigner(rsa), withId(rsa.toPublicJWK(), kid));
            } else if (jwk instanceof ECKey ec) {
                return new SigningKey(alg, kid, new ECDSASigner(ec), withId(ec.toPublicJWK(), kid));
            } else if (jwk instanceof OctetKeyPair okp) {
                return new SigningKey(alg, kid, new Ed25519Signer(okp), withId(okp.toPublicJWK(), kid));
            }
        } catch (JOSEException e) {
            throw new KeyFileException(
                    "the key " + TokenAlgorithm.describe(jwk) + " cannot sign: " + e.getMessage(), e);
        }
        throw new KeyFileException("unsupported key type " + jwk.getKeyType());
    }

    /** An EC private key without its public point (a PKCS#8 PEM file that does not carry it). */
    static SigningKey ecPrivateKey(ECPrivateKey key, Curve curve, TokenAlgorithm algorithm, String keyId) {
        TokenAlgorithm expected = Curve.P_256.equals(curve)
                ? TokenAlgorithm.ES256
                : Curve.P_384.equals(curve) ? TokenAlgorithm.ES384 : TokenAlgorithm.ES512;
        if (algorithm != null && algorithm != expected) {
            throw new KeyFileException(
                    "an EC " + curve + " key cannot sign " + algorithm + "; it can sign " + expected);
        }
        try {
            return new SigningKey(expected, keyId, new ECDSASigner(key), null);
        } catch (JOSEException e) {
            throw new KeyFileException("the EC key cannot sign: " + e.getMessage(), e);
        }
    }

    private static JWK withId(JWK publicKey, String kid) {
        if (kid == null || kid.equals(publicKey.getKeyID())) {
            return publicKey;
        } else if (publicKey instanceof RSAKey rsa) {
            return new RSAKey.Builder(rsa).keyID(kid).build();
        } else if (publicKey instanceof ECKey ec) {
            return new ECKey.Builder(ec).keyID(kid).build();
        }
        return new OctetKeyPair.Builder((OctetKeyPair) publicKey).keyID(kid).build();
    }

    public TokenAlgorithm algorithm() {
        return algorithm;
    }

    /** The {@code kid} written into every token's header, or null for none. */
    public String keyId() {
        return keyId;
    }

    /**
     * The public half as a JWK with the key id, for the verifier's JWKS file; null for an HMAC
     * secret (which has no public half) and for an EC key read from PEM without its public point.
     */
    public JWK publicKey() {
        return publicKey;
    }

    JWSSigner signer() {
        return signer;
    }

    @Override
    public String toString() {
        return "SigningKey(" + algorithm + (keyId == null ? "" : ", kid " + keyId) + ")";
    }
}
