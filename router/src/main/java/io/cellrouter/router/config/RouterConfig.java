package io.cellrouter.router.config;

import static java.util.Objects.requireNonNull;

import io.cellrouter.registry.cache.ResolverConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The router's whole configuration (SPEC section 4), immutable and validated once by
 * {@link ConfigLoader}. Every record here has the defaults of {@link #defaults()}.
 */
public record RouterConfig(
        Proxy proxy,
        Admin admin,
        Registry registry,
        ResolverConfig resolver,
        List<IdentitySpec> identity,
        AccessLog accessLog) {

    public RouterConfig {
        requireNonNull(proxy, "proxy");
        requireNonNull(admin, "admin");
        requireNonNull(registry, "registry");
        requireNonNull(resolver, "resolver");
        identity = List.copyOf(identity);
        requireNonNull(accessLog, "accessLog");
    }

    /** The cleartext listener, its edge limits and the upstream side. */
    public record Proxy(
            InetSocketAddress listen,
            Tls tls,
            int maxInitialLineLength,
            int maxHeaderSize,
            Duration idleTimeout,
            Duration drainTimeout,
            Http2 http2,
            Upstream upstream) {}

    /**
     * HTTP/2 limits of the proxy listeners (downstream). Memory a client can make the router hold
     * on one connection is bounded by {@code connectionWindow}: data is acknowledged (window
     * update) only once it has been handed to the cell.
     */
    public record Http2(int maxConcurrentStreams, int initialStreamWindow, int connectionWindow) {}

    /** The optional TLS listener. */
    public record Tls(InetSocketAddress listen, Path certificate, Path privateKey) {}

    /** How the router talks to cells. */
    public record Upstream(
            Duration connectTimeout,
            Duration responseTimeout,
            Duration idleTimeout,
            int maxIdlePerCell,
            Path trustCertificates) {}

    /** The admin listener; {@code token} is null only on a loopback address. */
    public record Admin(InetSocketAddress listen, String token) {}

    /** Where placements live: {@code file} or {@code dynamodb} (one of the two). */
    public record Registry(Path file, DynamoDb dynamodb, Path snapshot) {}

    public record DynamoDb(String table, String region, String endpoint) {}

    /** One access-log line per request, asynchronously; {@code queueSize} bounds what waits. */
    public record AccessLog(boolean enabled, int queueSize) {}

    /** One configured identity source, tried in order. */
    public sealed interface IdentitySpec {}

    public record HeaderSpec(String name) implements IdentitySpec {}

    public record HostSpec(Pattern pattern) implements IdentitySpec {}

    public record PathSpec(Pattern pattern) implements IdentitySpec {}

    public record QuerySpec(String parameter) implements IdentitySpec {}

    public record JwtSpec(String header, String customerClaim, String cellClaim, String hmacSecret, Path jwksFile)
            implements IdentitySpec {}

    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    public static Upstream defaultUpstream() {
        return new Upstream(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(60), 64, null);
    }

    public static Http2 defaultHttp2() {
        return new Http2(100, 256 * 1024, 1024 * 1024);
    }
}
