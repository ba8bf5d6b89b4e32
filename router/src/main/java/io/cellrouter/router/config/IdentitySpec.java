package io.cellrouter.router.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.cellrouter.registry.token.KeyFileException;
import io.cellrouter.registry.token.TokenAlgorithm;
import io.cellrouter.registry.token.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One configured identity source of {@code identity}, tried in order: a map with one key naming
 * its kind ({@code - header: x-customer-id}). The records below are every kind there is; a new
 * kind is a record here and a line in {@link JsonSubTypes}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.WRAPPER_OBJECT)
@JsonSubTypes({
    @JsonSubTypes.Type(value = IdentitySpec.JwtSpec.class, name = "jwt"),
    @JsonSubTypes.Type(value = IdentitySpec.HeaderSpec.class, name = "header"),
    @JsonSubTypes.Type(value = IdentitySpec.HostSpec.class, name = "host"),
    @JsonSubTypes.Type(value = IdentitySpec.PathSpec.class, name = "path"),
    @JsonSubTypes.Type(value = IdentitySpec.QuerySpec.class, name = "query")
})
public sealed interface IdentitySpec {

    /** {@code header: NAME}: the customer id is the value of this header (names are lower case). */
    record HeaderSpec(String name) implements IdentitySpec {
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public HeaderSpec {
            Check.that()
                    .rule(name != null && isHeaderName(name), "", name, "not a valid header name")
                    .done();
            name = name.toLowerCase(Locale.ROOT);
        }
    }

    /** {@code host: REGEX}: matched against the Host without its port; needs a group {@code customer}. */
    record HostSpec(Pattern pattern) implements IdentitySpec {
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public HostSpec {
            checkCustomerGroup(pattern);
        }
    }

    /** {@code path: REGEX}: matched at the start of the path; needs a group {@code customer}. */
    record PathSpec(Pattern pattern) implements IdentitySpec {
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public PathSpec {
            checkCustomerGroup(pattern);
        }
    }

    /** {@code query: NAME}: the customer id is this query parameter. */
    record QuerySpec(String parameter) implements IdentitySpec {
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public QuerySpec {
            Check.that()
                    .rule(parameter != null && !parameter.isBlank(), "", parameter, "needs a parameter name")
                    .done();
        }
    }

    /**
     * The {@code jwt} source: a bearer token in {@code header}, verified with {@code hmacSecret}
     * and/or the keys of {@code jwksFile} (JWK Set or PEM public keys, watched for edits; loaded by
     * {@link StartupProbes} and the verifier, not here); null {@code issuer}, {@code audience} or
     * {@code maxLifetime} is not checked; {@code cacheSize} verified tokens are remembered (0: none).
     * The secret is kept out of {@link #toString()} and out of every problem.
     */
    record JwtSpec(
            String header,
            String customerClaim,
            String cellClaim,
            String hmacSecret,
            Path jwksFile,
            String issuer,
            String audience,
            Duration clockSkew,
            @JsonDeserialize(using = ConfigMapper.DurationOrNone.class) Duration maxLifetime,
            @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) Set<TokenAlgorithm> algorithms,
            long cacheSize)
            implements IdentitySpec {

        public JwtSpec {
            hmacSecret = hmacSecret == null || hmacSecret.isEmpty() ? null : hmacSecret;
            cellClaim = cellClaim == null || cellClaim.isEmpty() ? null : cellClaim;
            Check check = Check.that()
                    .rule(header != null && isHeaderName(header), "header", header, "not a valid header name")
                    .rule(
                            customerClaim != null && !customerClaim.isBlank(),
                            "customerClaim",
                            customerClaim,
                            "must name a claim")
                    .rule(hmacSecret != null || jwksFile != null, "", null, "needs hmacSecret, jwksFile or both")
                    .notNegative("clockSkew", clockSkew)
                    .atMost("clockSkew", clockSkew, Duration.ofMinutes(10))
                    .rule(maxLifetime == null || !maxLifetime.isZero(), "maxLifetime", "0s", "must be longer than 0")
                    .rule(algorithms != null && !algorithms.isEmpty(), "algorithms", "[]", "must name at least one")
                    .range("cacheSize", cacheSize, 0, 100_000_000L);
            if (hmacSecret != null && algorithms != null && !algorithms.isEmpty()) {
                try {
                    VerificationKey.hmac(hmacSecret.getBytes(StandardCharsets.UTF_8), algorithms);
                } catch (KeyFileException e) {
                    check.secret(false, "hmacSecret", e.getMessage()); // the message names no secret
                }
            }
            check.done();
            header = header.toLowerCase(Locale.ROOT);
            algorithms = Collections.unmodifiableSet(EnumSet.copyOf(algorithms));
        }

        @Override
        public String toString() {
            return "JwtSpec[header=" + header + ", customerClaim=" + customerClaim + ", cellClaim=" + cellClaim
                    + ", hmacSecret=" + (hmacSecret == null ? "none" : "<redacted>") + ", jwksFile=" + jwksFile
                    + ", issuer=" + issuer + ", audience=" + audience + ", clockSkew=" + clockSkew
                    + ", maxLifetime=" + maxLifetime + ", algorithms=" + algorithms + ", cacheSize=" + cacheSize
                    + "]";
        }
    }

    private static boolean isHeaderName(String name) {
        return name.toLowerCase(Locale.ROOT).matches("[a-z0-9!#$%&'*+.^_`|~-]+");
    }

    private static void checkCustomerGroup(Pattern pattern) {
        Check.that()
                .required("", pattern)
                .rule(
                        pattern == null || pattern.pattern().contains("(?<customer>"),
                        "",
                        pattern,
                        "the pattern needs a named group (?<customer>...)")
                .done();
    }
}
