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
        AccessLog accessLog,
        Logging logging) {

    public RouterConfig {
        requireNonNull(proxy, "proxy");
        requireNonNull(admin, "admin");
        requireNonNull(registry, "registry");
        requireNonNull(resolver, "resolver");
        identity = List.copyOf(identity);
        requireNonNull(accessLog, "accessLog");
        requireNonNull(logging, "logging");
    }

    /** The cleartext listener, its edge limits and the upstream side. */
    public record Proxy(
            InetSocketAddress listen,
            Tls tls,
            int maxInitialLineLength,
            int maxHeaderSize,
            Duration idleTimeout,
            Duration drainTimeout,
            Duration drainDelay,
            Limits limits,
            Http2 http2,
            Upstream upstream) {}

    /**
     * Edge limits of the proxy listeners (SPEC section 8): what one client may make the router
     * read, hold and wait for.
     *
     * @param maxHeaderCount more header fields: 431
     * @param maxBodySize a larger request body: 413 (before anything is forwarded when the length
     *     is declared; mid-stream the exchange is cut off and the connection closed)
     * @param requestHeaderTimeout a request head must arrive whole within this: else 408 and close
     *     (slow-loris)
     * @param requestBodyTimeout a request body that stops arriving for this long is cut off
     * @param maxConnectionAge after this a connection is closed gracefully at its next exchange
     *     (HTTP/1.1 {@code Connection: close}, HTTP/2 GOAWAY); zero: no limit
     * @param maxConcurrentPerCell requests in flight to one cell; over it: 503 {@code
     *     cell_overloaded} at once (a slow cell fills its own budget, not the router's)
     * @param maxPendingConnectsPerCell connections being opened to one cell at the same time; over
     *     it: 503 {@code cell_overloaded}
     * @param maxConcurrentPerCustomer requests in flight for one customer; over it: 429 {@code
     *     rate_limited}
     * @param customerRate requests per second one customer may start (token bucket with a burst
     *     of one second's worth); zero: no rate limit
     * @param maxConnections client connections open at once; beyond it, and while the heap is
     *     more than 90% full after a collection, new connections are closed on accept
     */
    public record Limits(
            int maxHeaderCount,
            long maxBodySize,
            Duration requestHeaderTimeout,
            Duration requestBodyTimeout,
            Duration maxConnectionAge,
            int maxConcurrentPerCell,
            int maxPendingConnectsPerCell,
            int maxConcurrentPerCustomer,
            double customerRate,
            int maxConnections) {}

    public static Limits defaultLimits() {
        return new Limits(
                100, 1L << 30, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ZERO, 2000, 64, 500, 0, 10_000);
    }

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

    /**
     * The admin listener; {@code token} is null only on a loopback address. {@code moveGracePeriod}:
     * how long the exchanges of a moved (or frozen) customer may go on at their old cell before the
     * router ends them so that clients reconnect to the new one.
     */
    public record Admin(InetSocketAddress listen, String token, Duration moveGracePeriod, List<AdminToken> tokens) {

        /** Long enough for most requests to finish by themselves, short enough to bound a move. */
        public static final Duration DEFAULT_MOVE_GRACE_PERIOD = Duration.ofSeconds(30);

        public Admin {
            tokens = tokens == null ? List.of() : List.copyOf(tokens);
        }

        public Admin(InetSocketAddress listen, String token, Duration moveGracePeriod) {
            this(listen, token, moveGracePeriod, List.of());
        }

        /** {@code token} (an operator) and every entry of {@code tokens}; empty: the API is open (loopback only). */
        public List<AdminToken> allTokens() {
            List<AdminToken> all = new java.util.ArrayList<>();
            if (token != null) {
                all.add(new AdminToken(token, AdminToken.Role.OPERATOR));
            }
            all.addAll(tokens);
            return List.copyOf(all);
        }
    }

    /**
     * One entry of {@code admin.tokens}: a bearer token and its role. A viewer may only read (GET);
     * an operator may also write. The token is kept out of {@link #toString()}.
     */
    public record AdminToken(String token, Role role) {

        public enum Role {
            OPERATOR,
            VIEWER;

            public String wireName() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }

        public AdminToken {
            requireNonNull(token, "token");
            requireNonNull(role, "role");
        }

        @Override
        public String toString() {
            return "AdminToken[role=" + role.wireName() + ", token=<redacted>]";
        }
    }

    /** Where placements live: {@code file} or {@code dynamodb} (one of the two). */
    public record Registry(Path file, DynamoDb dynamodb, Path snapshot) {}

    /**
     * {@code registry.dynamodb}: the table, where it is, and the client's bounds on the hot path.
     * {@code region} and {@code endpoint} may be null (the SDK's default chain; AWS's endpoint).
     */
    public record DynamoDb(
            String table,
            String region,
            String endpoint,
            Duration callTimeout,
            Duration attemptTimeout,
            int maxConnections,
            int preloadSegments) {

        /** The store's settings; throws IllegalArgumentException naming the field when one is bad. */
        public io.cellrouter.registry.store.dynamodb.DynamoDbSettings settings() {
            return io.cellrouter.registry.store.dynamodb.DynamoDbSettings.of(table)
                    .withRegion(region)
                    .withEndpoint(endpoint == null ? null : java.net.URI.create(endpoint))
                    .withTimeouts(callTimeout, attemptTimeout)
                    .withMaxConnections(maxConnections)
                    .withScanSegments(preloadSegments);
        }
    }

    /** One access-log line per request, asynchronously; {@code queueSize} bounds what waits. */
    public record AccessLog(boolean enabled, int queueSize) {}

    /** {@code logging.format}: readable text lines (the default) or one JSON object per line. */
    public record Logging(Format format) {
        public enum Format {
            TEXT,
            JSON
        }
    }

    /** One configured identity source, tried in order. */
    public sealed interface IdentitySpec {}

    public record HeaderSpec(String name) implements IdentitySpec {}

    public record HostSpec(Pattern pattern) implements IdentitySpec {}

    public record PathSpec(Pattern pattern) implements IdentitySpec {}

    public record QuerySpec(String parameter) implements IdentitySpec {}

    /**
     * The {@code jwt} source: a bearer token in {@code header}, verified with {@code hmacSecret}
     * and/or the keys of {@code jwksFile} (JWK Set or PEM public keys, watched for edits); null
     * {@code issuer}, {@code audience} or {@code maxLifetime} is not checked; {@code cacheSize}
     * verified tokens are remembered (0: none). The secret is kept out of {@link #toString()}.
     */
    public record JwtSpec(
            String header,
            String customerClaim,
            String cellClaim,
            String hmacSecret,
            Path jwksFile,
            String issuer,
            String audience,
            Duration clockSkew,
            Duration maxLifetime,
            java.util.Set<io.cellrouter.registry.token.TokenAlgorithm> algorithms,
            long cacheSize)
            implements IdentitySpec {

        @Override
        public String toString() {
            return "JwtSpec[header=" + header + ", customerClaim=" + customerClaim + ", cellClaim=" + cellClaim
                    + ", hmacSecret=" + (hmacSecret == null ? "none" : "(set)") + ", jwksFile=" + jwksFile
                    + ", issuer=" + issuer + ", audience=" + audience + ", clockSkew=" + clockSkew
                    + ", maxLifetime=" + maxLifetime + ", algorithms=" + algorithms + ", cacheSize=" + cacheSize
                    + "]";
        }
    }

    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    public static Upstream defaultUpstream() {
        return new Upstream(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(60), 64, null);
    }

    public static Http2 defaultHttp2() {
        return new Http2(100, 256 * 1024, 1024 * 1024);
    }
}
