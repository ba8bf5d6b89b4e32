package io.cellrouter.registry.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The signature algorithms a cell token may use. {@code none} is not one of them, and neither is
 * any algorithm this enum does not name.
 *
 * <p>Which algorithms a key accepts follows from the key itself ({@link #allowedFor(JWK)}): an RSA
 * key never verifies an HMAC token, whatever the token's header says (the "algorithm confusion"
 * attack of RFC 8725 section 2.1).
 */
public enum TokenAlgorithm {
    HS256(JWSAlgorithm.HS256, 256),
    HS384(JWSAlgorithm.HS384, 384),
    HS512(JWSAlgorithm.HS512, 512),
    RS256(JWSAlgorithm.RS256, 0),
    RS384(JWSAlgorithm.RS384, 0),
    RS512(JWSAlgorithm.RS512, 0),
    PS256(JWSAlgorithm.PS256, 0),
    PS384(JWSAlgorithm.PS384, 0),
    PS512(JWSAlgorithm.PS512, 0),
    ES256(JWSAlgorithm.ES256, 0),
    ES384(JWSAlgorithm.ES384, 0),
    ES512(JWSAlgorithm.ES512, 0),
    /** Ed25519 under its RFC 8037 name, the one most libraries send. */
    EdDSA(JWSAlgorithm.EdDSA, 0),
    /** Ed25519 under its fully-specified name (RFC 9864). */
    Ed25519(JWSAlgorithm.Ed25519, 0);

    /** The smallest RSA modulus accepted, for signing and for verification (RFC 7518 section 3.3). */
    static final int MINIMUM_RSA_BITS = 2048;

    private static final Set<TokenAlgorithm> HMAC = EnumSet.of(HS256, HS384, HS512);
    private static final Set<TokenAlgorithm> RSA = EnumSet.of(RS256, RS384, RS512, PS256, PS384, PS512);

    @SuppressWarnings("ImmutableEnumChecker") // nimbus never changes an algorithm once made
    private final JWSAlgorithm jws;

    private final int minimumSecretBits;

    TokenAlgorithm(JWSAlgorithm jws, int minimumSecretBits) {
        this.jws = jws;
        this.minimumSecretBits = minimumSecretBits;
    }

    /** The nimbus algorithm. */
    public JWSAlgorithm jws() {
        return jws;
    }

    /** The algorithm of a token header, or null when it is not one of ours (including {@code none}). */
    public static TokenAlgorithm of(JWSAlgorithm algorithm) {
        if (algorithm == null) {
            return null;
        }
        for (TokenAlgorithm candidate : values()) {
            if (candidate.jws.equals(algorithm)) {
                return candidate;
            }
        }
        return null;
    }

    /** Parses a name as written in configuration and JWKs ({@code ES256}, {@code EdDSA}); exact case. */
    public static TokenAlgorithm parse(String name) {
        for (TokenAlgorithm candidate : values()) {
            if (candidate.name().equals(name)) {
                return candidate;
            }
        }
        String hint = "none".equalsIgnoreCase(name) ? " (unsigned tokens are never accepted)" : "";
        throw new IllegalArgumentException("unknown or unsupported algorithm '" + name + "'" + hint
                + "; expected one of " + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
    }

    /**
     * The algorithms that {@code key} can verify or sign with: its {@code alg} member when it has
     * one (which must fit the key), else every algorithm of its type that its size allows. Empty
     * for keys that cannot sign at all (an encryption key, an X25519 key, an RSA key under 2048
     * bits, an HMAC secret under 256 bits).
     */
    public static Set<TokenAlgorithm> allowedFor(JWK key) {
        Set<TokenAlgorithm> byType = EnumSet.noneOf(TokenAlgorithm.class);
        if (key.getKeyUse() != null && !"sig".equals(key.getKeyUse().identifier())) {
            return byType;
        }
        if (key instanceof OctetSequenceKey oct) {
            int bits = oct.size();
            for (TokenAlgorithm alg : HMAC) {
                if (bits >= alg.minimumSecretBits) {
                    byType.add(alg);
                }
            }
        } else if (key instanceof RSAKey rsa) {
            if (rsa.size() >= MINIMUM_RSA_BITS) {
                byType.addAll(RSA);
            }
        } else if (key instanceof ECKey ec) {
            Curve curve = ec.getCurve();
            if (Curve.P_256.equals(curve)) {
                byType.add(ES256);
            } else if (Curve.P_384.equals(curve)) {
                byType.add(ES384);
            } else if (Curve.P_521.equals(curve)) {
                byType.add(ES512);
            }
        } else if (key instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
            byType.add(EdDSA);
            byType.add(Ed25519);
        }
        if (key.getAlgorithm() == null) {
            return byType;
        }
        TokenAlgorithm declared = of(JWSAlgorithm.parse(key.getAlgorithm().getName()));
        return declared != null && byType.contains(declared)
                ? EnumSet.of(declared)
                : EnumSet.noneOf(TokenAlgorithm.class);
    }

    /** The algorithm a key signs with when none is asked for: its {@code alg}, else the first its type allows. */
    static TokenAlgorithm defaultFor(JWK key) {
        Set<TokenAlgorithm> allowed = allowedFor(key);
        if (allowed.isEmpty()) {
            throw new KeyFileException("the key " + describe(key) + " cannot sign cell tokens (type, size or use)");
        }
        return allowed.iterator().next();
    }

    static String describe(JWK key) {
        String type = key.getKeyType().getValue();
        if (key instanceof ECKey ec) {
            type += " " + ec.getCurve();
        } else if (key instanceof OctetKeyPair okp) {
            type += " " + okp.getCurve();
        } else {
            type += " " + key.size() + " bits";
        }
        return key.getKeyID() == null ? "(" + type + ")" : "'" + key.getKeyID() + "' (" + type + ")";
    }

    /** For messages: {@code HS256, HS384}. */
    static String names(Set<TokenAlgorithm> algorithms) {
        return algorithms.stream().map(Enum::name).collect(Collectors.joining(", "));
    }
}
