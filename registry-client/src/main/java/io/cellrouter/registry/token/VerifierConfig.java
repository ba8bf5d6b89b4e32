package io.cellrouter.registry.token;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a token must satisfy besides its signature. Validated once, here; messages name the field
 * and the bad value.
 *
 * @param customerClaim the claim that holds the customer id ({@code sub})
 * @param cellClaim the claim that holds the cell hint ({@code cell}), or null to ignore hints
 * @param issuer when set, {@code iss} must equal it
 * @param audience when set, {@code aud} must contain it
 * @param clockSkew how far the clocks of issuer and router may disagree, for {@code exp}, {@code nbf}
 *     and {@code iat} (60 s, as Envoy's jwt_authn)
 * @param maxLifetime the longest a token may be valid ({@code exp - iat}, or {@code exp - now}
 *     without {@code iat}), or null for no limit
 * @param algorithms the algorithms accepted at all; each key narrows this further to its own type
 */
public record VerifierConfig(
        String customerClaim,
        String cellClaim,
        String issuer,
        String audience,
        Duration clockSkew,
        Duration maxLifetime,
        Set<TokenAlgorithm> algorithms) {

    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofDays(90);

    public VerifierConfig {
        if (customerClaim == null || customerClaim.isBlank()) {
            throw new IllegalArgumentException("customerClaim must be a claim name, was '" + customerClaim + "'");
        }
        if (cellClaim != null && cellClaim.isBlank()) {
            throw new IllegalArgumentException("cellClaim must be a claim name or null, was '" + cellClaim + "'");
        }
        requireNonNull(clockSkew, "clockSkew");
        if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("clockSkew must be between 0 and 10m, was " + clockSkew);
        }
        if (maxLifetime != null && (maxLifetime.isZero() || maxLifetime.isNegative())) {
            throw new IllegalArgumentException("maxLifetime must be positive or null, was " + maxLifetime);
        }
        if (algorithms == null || algorithms.isEmpty()) {
            throw new IllegalArgumentException("algorithms must name at least one algorithm");
        }
        algorithms = Collections.unmodifiableSet(EnumSet.copyOf(algorithms));
    }

    /** {@code sub}, {@code cell}, no issuer or audience check, 60 s skew, 90 days at most, every algorithm. */
    public static VerifierConfig defaults() {
        return new VerifierConfig(
                "sub",
                "cell",
                null,
                null,
                DEFAULT_CLOCK_SKEW,
                DEFAULT_MAX_LIFETIME,
                EnumSet.allOf(TokenAlgorithm.class));
    }

    public VerifierConfig withIssuer(String value) {
        return new VerifierConfig(customerClaim, cellClaim, value, audience, clockSkew, maxLifetime, algorithms);
    }

    public VerifierConfig withAudience(String value) {
        return new VerifierConfig(customerClaim, cellClaim, issuer, value, clockSkew, maxLifetime, algorithms);
    }

    public VerifierConfig withClockSkew(Duration value) {
        return new VerifierConfig(customerClaim, cellClaim, issuer, audience, value, maxLifetime, algorithms);
    }

    public VerifierConfig withMaxLifetime(Duration value) {
        return new VerifierConfig(customerClaim, cellClaim, issuer, audience, clockSkew, value, algorithms);
    }

    public VerifierConfig withAlgorithms(Set<TokenAlgorithm> value) {
        return new VerifierConfig(customerClaim, cellClaim, issuer, audience, clockSkew, maxLifetime, value);
    }

    public VerifierConfig withClaims(String customer, String cell) {
        return new VerifierConfig(customer, cell, issuer, audience, clockSkew, maxLifetime, algorithms);
    }
}
