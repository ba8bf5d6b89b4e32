package io.cellrouter.registry.token;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * One key that verifies tokens: its key id (or null), the algorithms it accepts, and a nimbus
 * verifier built once. Immutable and safe to share between threads (nimbus verifiers keep no
 * per-call state).
 */
public final class VerificationKey {

    private final String keyId;
    private final Set<TokenAlgorithm> algorithms;
    private final JWSVerifier verifier;
    private final String description;

    private VerificationKey(String keyId, Set<TokenAlgorithm> algorithms, JWSVerifier verifier, String description) {
        this.keyId = keyId;
        this.algorithms = Collections.unmodifiableSet(EnumSet.copyOf(algorithms));
        this.verifier = verifier;
        this.description = description;
    }

    /**
     * A key from a JWK (only its public half is kept). Its algorithms are those the key itself
     * allows ({@link TokenAlgorithm#allowedFor}) and {@code permitted} also lists; null when none is
     * left (an encryption key, a weak key, an algorithm the configuration does not accept).
     */
    public static VerificationKey of(JWK jwk, Set<TokenAlgorithm> permitted) {
        Set<TokenAlgorithm> algorithms = EnumSet.noneOf(TokenAlgorithm.class);
        algorithms.addAll(TokenAlgorithm.allowedFor(jwk));
        algorithms.retainAll(permitted);
        if (algorithms.isEmpty()) {
            return null;
        }
        try {
            JWSVerifier verifier;
            if (jwk instanceof OctetSequenceKey oct) {
                verifier = new MACVerifier(oct);
            } else if (jwk instanceof RSAKey rsa) {
                verifier = new RSASSAVerifier(rsa.toPublicJWK());
            } else if (jwk instanceof ECKey ec) {
                verifier = new ECDSAVerifier(ec.toPublicJWK());
            } else if (jwk instanceof OctetKeyPair okp) {
                verifier = new Ed25519Verifier(okp.toPublicJWK());
            } else {
                return null;
            }
            return new VerificationKey(jwk.getKeyID(), algorithms, verifier, TokenAlgorithm.describe(jwk));
        } catch (JOSEException e) {
            throw new KeyFileException(
                    "the key " + TokenAlgorithm.describe(jwk) + " cannot verify: " + e.getMessage(), e);
        }
    }

    /** A shared HMAC secret, without key id; at least 256 bits, as RFC 7518 requires for HS256. */
    public static VerificationKey hmac(byte[] secret, Set<TokenAlgorithm> permitted) {
        requireNonNull(secret, "secret");
        if (secret.length * 8 < 256) {
            throw new KeyFileException("the HMAC secret must be at least 32 bytes (256 bits), it has " + secret.length);
        }
        VerificationKey key = of(new OctetSequenceKey.Builder(secret).build(), permitted);
        if (key == null) {
            throw new KeyFileException(
                    "the HMAC secret allows none of the accepted algorithms " + TokenAlgorithm.names(permitted));
        }
        return key;
    }

    /** The {@code kid}, or null. */
    public String keyId() {
        return keyId;
    }

    public Set<TokenAlgorithm> algorithms() {
        return algorithms;
    }

    public boolean allows(TokenAlgorithm algorithm) {
        return algorithms.contains(algorithm);
    }

    /** Checks the signature; false when it does not match (or cannot be checked). */
    boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) {
        try {
            return verifier.verify(header, signingInput, signature);
        } catch (JOSEException e) {
            // An unsupported critical header, a malformed signature: not valid, whatever the cause.
            return false;
        }
    }

    @Override
    public String toString() {
        return description + " for " + TokenAlgorithm.names(algorithms);
    }
}
