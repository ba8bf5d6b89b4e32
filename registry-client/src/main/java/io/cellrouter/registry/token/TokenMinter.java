package io.cellrouter.registry.token;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.cellrouter.registry.model.Cell;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Set;

/**
 * Mints cell tokens: {@code sub} (the customer), {@code cell} (its cell, the router's hint),
 * optionally {@code ep} (the cell's direct endpoint, for SDKs), {@code iat}, {@code exp}, and
 * {@code iss}/{@code aud} when set; the header names the algorithm and, when the key has one, the
 * {@code kid}. Built with {@link #builder(SigningKey)}; thread-safe.
 */
public final class TokenMinter {

    private static final Set<String> ENDPOINT_SCHEMES = Set.of("http", "https", "h2c");

    private final SigningKey key;
    private final String issuer;
    private final String audience;
    private final Clock clock;

    private TokenMinter(Builder builder) {
        this.key = builder.key;
        this.issuer = builder.issuer;
        this.audience = builder.audience;
        this.clock = builder.clock;
    }

    public static Builder builder(SigningKey key) {
        return new Builder(key);
    }

    /**
     * A token for {@code customer}, valid for {@code ttl} from now (whole seconds, as JWT times are).
     * {@code cell} and {@code endpoint} may be null.
     */
    public String mint(String customer, String cell, String endpoint, Duration ttl) {
        requireNonNull(customer, "customer");
        requireNonNull(ttl, "ttl");
        if (!Cell.NAME.matcher(customer).matches()) {
            throw new IllegalArgumentException(
                    "customer id must be 1-128 letters, digits, '.', '_' or '-', was '" + customer + "'");
        }
        if (cell != null && !Cell.NAME.matcher(cell).matches()) {
            throw new IllegalArgumentException("cell must be a cell name, was '" + cell + "'");
        }
        if (endpoint != null) {
            checkEndpoint(endpoint);
        }
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("ttl must be at least 1s, was " + ttl);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(customer)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)));
        if (cell != null) {
            claims.claim("cell", cell);
        }
        if (endpoint != null) {
            claims.claim(JwtVerifier.ENDPOINT_CLAIM, endpoint);
        }
        if (issuer != null) {
            claims.issuer(issuer);
        }
        if (audience != null) {
            claims.audience(audience);
        }
        JWSHeader header = new JWSHeader.Builder(key.algorithm().jws())
                .type(JOSEObjectType.JWT)
                .keyID(key.keyId())
                .build();
        SignedJWT jwt = new SignedJWT(header, claims.build());
        try {
            jwt.sign(key.signer());
        } catch (JOSEException e) {
            throw new IllegalStateException("signing failed: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    private static void checkEndpoint(String endpoint) {
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("endpoint is not a URI: '" + endpoint + "'", e);
        }
        if (uri.getScheme() == null || !ENDPOINT_SCHEMES.contains(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "endpoint must be an http://, https:// or h2c:// URL with a host, was '" + endpoint + "'");
        }
    }

    public SigningKey key() {
        return key;
    }

    public static final class Builder {
        private final SigningKey key;
        private String issuer;
        private String audience;
        private Clock clock = Clock.systemUTC();

        private Builder(SigningKey key) {
            this.key = requireNonNull(key, "key");
        }

        /** The {@code iss} claim, or null for none. */
        public Builder issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        /** The {@code aud} claim, or null for none. */
        public Builder audience(String audience) {
            this.audience = audience;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        public TokenMinter build() {
            return new TokenMinter(this);
        }
    }
}
