package io.cellrouter.registry.token;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.cellrouter.registry.model.Cell;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * The uncached check of one token against one {@link KeySet}: parse, pick the key, check the
 * algorithm is one that key allows, check the signature, then the claims. Stateless; every
 * failure is an {@link InvalidTokenException} whose message never echoes the token's own values.
 *
 * <pre>
 *  parse ── JWS? ──no──► "malformed token" / "unsigned token"
 *  alg accepted at all? ──no──► "algorithm not accepted"
 *  kid? ──yes─► key with that kid ──none──► "unknown key id"
 *         │          └─ key allows alg? ──no──► "algorithm not allowed for this key"
 *         └─no─► every key that allows alg (none: "no key accepts")
 *  signature ──bad──► "bad signature"
 *  exp present, not past (skew) · nbf, iat not in the future (skew) · lifetime ≤ max · iss · aud · customer · cell
 * </pre>
 */
final class JwtVerifier {

    /** Longer tokens are refused before any parsing (the router's header limit is 16 KiB anyway). */
    static final int MAX_TOKEN_CHARS = 8192;

    static final String ENDPOINT_CLAIM = "ep";

    private final VerifierConfig config;
    private final Clock clock;

    JwtVerifier(VerifierConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    CellToken verify(String token, KeySet keys) {
        if (token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
            throw invalid(token.isEmpty() ? "empty token" : "token too long");
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            throw invalid(isUnsigned(token) ? "unsigned token (alg none) is never accepted" : "malformed token");
        }
        JWSHeader header = jwt.getHeader();
        TokenAlgorithm algorithm = TokenAlgorithm.of(header.getAlgorithm());
        if (algorithm == null || !config.algorithms().contains(algorithm)) {
            throw invalid("the token's algorithm is not accepted");
        }
        checkSignature(jwt, header, algorithm, keys);
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw invalid("malformed claims");
        }
        return checkClaims(claims, header.getKeyID());
    }

    private static void checkSignature(SignedJWT jwt, JWSHeader header, TokenAlgorithm algorithm, KeySet keys) {
        byte[] signingInput = jwt.getSigningInput();
        String keyId = header.getKeyID();
        if (keyId != null) {
            VerificationKey key = keys.byId(keyId);
            if (key == null) {
                throw invalid("unknown key id");
            }
            if (!key.allows(algorithm)) {
                throw invalid("algorithm " + algorithm + " is not allowed for this key");
            }
            if (!key.verify(header, signingInput, jwt.getSignature())) {
                throw invalid("bad signature");
            }
            return;
        }
        boolean anyKey = false;
        for (VerificationKey key : keys.keys()) {
            if (key.allows(algorithm)) {
                anyKey = true;
                if (key.verify(header, signingInput, jwt.getSignature())) {
                    return;
                }
            }
        }
        throw invalid(anyKey ? "bad signature" : "no key accepts algorithm " + algorithm);
    }

    private CellToken checkClaims(JWTClaimsSet claims, String keyId) {
        long now = clock.millis();
        long skew = config.clockSkew().toMillis();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw invalid("token has no expiry (exp)");
        }
        if (now - skew >= exp.getTime()) {
            throw invalid("token expired");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now + skew < nbf.getTime()) {
            throw invalid("token not valid yet (nbf)");
        }
        Date iat = claims.getIssueTime();
        if (iat != null && now + skew < iat.getTime()) {
            throw invalid("token issued in the future (iat)");
        }
        if (config.maxLifetime() != null) {
            long start = iat != null ? iat.getTime() : now;
            if (exp.getTime() - start > config.maxLifetime().toMillis()) {
                throw invalid("token lifetime exceeds the allowed maximum");
            }
        }
        if (config.issuer() != null && !config.issuer().equals(claims.getIssuer())) {
            throw invalid("wrong issuer (iss)");
        }
        if (config.audience() != null) {
            List<String> audience = claims.getAudience();
            if (audience == null || !audience.contains(config.audience())) {
                throw invalid("wrong audience (aud)");
            }
        }
        Object customer = claims.getClaim(config.customerClaim());
        if (!(customer instanceof String id) || id.isEmpty()) {
            throw invalid("token has no customer (" + config.customerClaim() + ")");
        }
        String cell = null;
        if (config.cellClaim() != null) {
            Object value = claims.getClaim(config.cellClaim());
            if (value != null) {
                if (!(value instanceof String name) || !Cell.NAME.matcher(name).matches()) {
                    throw invalid("the " + config.cellClaim() + " claim is not a cell name");
                }
                cell = name;
            }
        }
        Object endpoint = claims.getClaim(ENDPOINT_CLAIM);
        if (endpoint != null && !(endpoint instanceof String)) {
            throw invalid("the " + ENDPOINT_CLAIM + " claim is not a string");
        }
        return new CellToken(
                id,
                cell,
                (String) endpoint,
                iat == null ? null : iat.toInstant(),
                Instant.ofEpochMilli(exp.getTime()),
                keyId);
    }

    private static boolean isUnsigned(String token) {
        try {
            return JWTParser.parse(token) instanceof PlainJWT;
        } catch (ParseException e) {
            return false;
        }
    }

    private static InvalidTokenException invalid(String reason) {
        return new InvalidTokenException(reason);
    }
}
