package io.cellrouter.router.identity;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.token.TokenVerifier;
import io.cellrouter.registry.token.VerifierConfig;
import io.cellrouter.router.config.IdentitySpec;
import io.cellrouter.router.config.IdentitySpec.HeaderSpec;
import io.cellrouter.router.config.IdentitySpec.HostSpec;
import io.cellrouter.router.config.IdentitySpec.JwtSpec;
import io.cellrouter.router.config.IdentitySpec.PathSpec;
import io.cellrouter.router.config.IdentitySpec.QuerySpec;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Tries the configured {@link IdentitySource}s in order; the first that yields a customer wins.
 * No source at all is {@code 401 missing_identity}; a customer id that is not a valid name (what
 * could end up in a log line or a registry key) is {@code 400}; a source that finds two values is
 * {@code 400 ambiguous_identity} (the request is refused, never routed by the first value).
 *
 * <p>When the customer comes from a verified token, the configured identity headers (say {@code
 * x-customer-id}) are not trusted: they are removed from the request here, so that a client cannot
 * send a token for A with {@code x-customer-id: B} and have the cell read B. Removing them at the
 * point where identity is decided covers every protocol the request arrived with (HTTP/1.1,
 * HTTP/2, gRPC), whichever forward path then copies the headers. Their other spellings ({@code
 * x_customer_id}, which CGI-style servers read as {@code x-customer-id}) are removed whatever the
 * source, where the request is rewritten for the cell ({@code ForwardHeaders}, given {@link
 * #headerFields()}).
 *
 * <p>Owns the token verifiers (they may watch a key file): {@link #close()} stops them.
 */
public final class IdentityResolver implements AutoCloseable {

    private final IdentitySource[] sources;
    private final AsciiString[] untrustedWithToken;
    private final List<AsciiString> headerFields;

    IdentityResolver(List<IdentitySource> sources, List<String> identityHeaders, List<String> tokenHeaders) {
        this.sources = sources.toArray(IdentitySource[]::new);
        this.untrustedWithToken =
                identityHeaders.stream().map(AsciiString::cached).toArray(AsciiString[]::new);
        List<AsciiString> fields = new ArrayList<>(List.of(untrustedWithToken));
        tokenHeaders.forEach(name -> fields.add(AsciiString.cached(name)));
        this.headerFields = List.copyOf(fields);
    }

    IdentityResolver(List<IdentitySource> sources) {
        this(sources, List.of(), List.of());
    }

    /** Builds the sources; a {@code jwt} source reads its key file now (and watches it). */
    public static IdentityResolver fromConfig(List<IdentitySpec> specs) {
        List<IdentitySource> sources = new ArrayList<>();
        try {
            for (IdentitySpec spec : specs) {
                sources.add(source(spec));
            }
        } catch (RuntimeException e) {
            sources.forEach(IdentityResolver::closeSource);
            throw e;
        }
        List<String> headers = specs.stream()
                .filter(HeaderSpec.class::isInstance)
                .map(spec -> ((HeaderSpec) spec).name())
                .toList();
        List<String> tokenHeaders = specs.stream()
                .filter(JwtSpec.class::isInstance)
                .map(spec -> ((JwtSpec) spec).header())
                .toList();
        return new IdentityResolver(sources, headers, tokenHeaders);
    }

    /**
     * The header fields an identity is read from: the header sources' names and the tokens'
     * headers. Identity is decided on the request's header section alone, so a request's trailers
     * lose these fields on the way to the cell (they could otherwise name another customer to a
     * cell that reads trailers as headers).
     */
    public List<AsciiString> headerFields() {
        return headerFields;
    }

    private static IdentitySource source(IdentitySpec spec) {
        if (spec instanceof HeaderSpec h) {
            return new HeaderIdentitySource(h.name());
        } else if (spec instanceof HostSpec h) {
            return new HostIdentitySource(h.pattern());
        } else if (spec instanceof PathSpec p) {
            return new PathIdentitySource(p.pattern());
        } else if (spec instanceof QuerySpec q) {
            return new QueryIdentitySource(q.parameter());
        } else if (spec instanceof JwtSpec jwt) {
            return new JwtIdentitySource(jwt.header(), verifier(jwt));
        }
        throw new IllegalArgumentException("unknown identity source " + spec);
    }

    static TokenVerifier verifier(JwtSpec jwt) {
        VerifierConfig config = new VerifierConfig(
                jwt.customerClaim(),
                jwt.cellClaim(),
                jwt.issuer(),
                jwt.audience(),
                jwt.clockSkew(),
                jwt.maxLifetime(),
                jwt.algorithms());
        TokenVerifier.Builder builder = TokenVerifier.builder().config(config).cacheSize(jwt.cacheSize());
        if (jwt.hmacSecret() != null) {
            builder.hmacSecret(jwt.hmacSecret().getBytes(StandardCharsets.UTF_8));
        }
        if (jwt.jwksFile() != null) {
            builder.keyFile(jwt.jwksFile());
        }
        return builder.build();
    }

    public Identity identify(RequestHead request) {
        for (IdentitySource source : sources) {
            Identity identity = source.identify(request);
            if (identity != null) {
                if (!Cell.isValidName(identity.customer())) {
                    throw new RouterException(
                            ErrorCode.MALFORMED_REQUEST,
                            "customer id from " + identity.source() + " is not valid: use letters, digits, '.', '_'"
                                    + " or '-', at most 128 characters");
                }
                if (source instanceof JwtIdentitySource) {
                    for (AsciiString header : untrustedWithToken) {
                        request.remove(header);
                    }
                }
                return identity;
            }
        }
        throw new RouterException(ErrorCode.MISSING_IDENTITY, "no customer identity found in the request");
    }

    @Override
    public void close() {
        for (IdentitySource source : sources) {
            closeSource(source);
        }
    }

    private static void closeSource(IdentitySource source) {
        if (source instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // Closing a verifier only stops a file watch: nothing to recover.
            }
        }
    }
}
