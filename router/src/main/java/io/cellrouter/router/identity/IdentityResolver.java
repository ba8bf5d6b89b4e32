package io.cellrouter.router.identity;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.config.RouterConfig;
import io.cellrouter.router.config.RouterConfig.HeaderSpec;
import io.cellrouter.router.config.RouterConfig.HostSpec;
import io.cellrouter.router.config.RouterConfig.IdentitySpec;
import io.cellrouter.router.config.RouterConfig.JwtSpec;
import io.cellrouter.router.config.RouterConfig.PathSpec;
import io.cellrouter.router.config.RouterConfig.QuerySpec;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/**
 * Tries the configured {@link IdentitySource}s in order; the first that yields a customer wins.
 * No source at all is {@code 401 missing_identity}; a customer id that is not a valid name (what
 * could end up in a log line or a registry key) is {@code 400}.
 */
public final class IdentityResolver {

    private final IdentitySource[] sources;

    IdentityResolver(List<IdentitySource> sources) {
        this.sources = sources.toArray(IdentitySource[]::new);
    }

    public static IdentityResolver fromConfig(List<IdentitySpec> specs) {
        return new IdentityResolver(specs.stream().map(IdentityResolver::source).toList());
    }

    private static IdentitySource source(RouterConfig.IdentitySpec spec) {
        if (spec instanceof HeaderSpec h) {
            return new HeaderIdentitySource(h.name());
        } else if (spec instanceof HostSpec h) {
            return new HostIdentitySource(h.pattern());
        } else if (spec instanceof PathSpec p) {
            return new PathIdentitySource(p.pattern());
        } else if (spec instanceof QuerySpec q) {
            return new QueryIdentitySource(q.parameter());
        } else if (spec instanceof JwtSpec) {
            throw new IllegalArgumentException("the jwt identity source is not available in this version");
        }
        throw new IllegalArgumentException("unknown identity source " + spec);
    }

    public Identity identify(HttpRequest request) {
        for (IdentitySource source : sources) {
            Identity identity = source.identify(request);
            if (identity != null) {
                if (!Cell.NAME.matcher(identity.customer()).matches()) {
                    throw new RouterException(
                            ErrorCode.MALFORMED_REQUEST,
                            "customer id from " + identity.source() + " is not valid: use letters, digits, '.', '_'"
                                    + " or '-', at most 128 characters");
                }
                return identity;
            }
        }
        throw new RouterException(ErrorCode.MISSING_IDENTITY, "no customer identity found in the request");
    }
}
