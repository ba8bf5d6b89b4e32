package io.cellrouter.router.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.cellrouter.registry.cache.ResolverConfig;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.Endpoints;
import io.cellrouter.registry.store.dynamodb.DynamoDbSettings;
import io.cellrouter.registry.token.KeyFileException;
import io.cellrouter.registry.token.TokenAlgorithm;
import io.cellrouter.registry.token.VerificationKey;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The router's whole configuration, as the YAML file writes it (README "Configuration"):
 * immutable records, each validating its own values in its constructor (every problem at once,
 * naming the key and the value: {@link Check}). {@link ConfigLoader} binds the file onto them with
 * Jackson after laying it over the defaults of {@code defaults.yaml}.
 *
 * <p>Adding a key: a component on the record of its section, its default in {@code defaults.yaml},
 * its rule in the compact constructor ({@link Check}), a line in the README. A new section: a
 * record and a component here, and its default as a stand-in in {@link ConfigDefaults} (so that a
 * bad value there does not hide the problems of the rest of the file).
 */
public record RouterConfig(
        Proxy proxy,
        Admin admin,
        Registry registry,
        Cache cache,
        Overrides overrides,
        List<IdentitySpec> identity,
        String unknownCustomer,
        AccessLog accessLog,
        Logging logging) {

    /** The {@code unknownCustomer} value that rejects unknown customers (404). */
    public static final String REJECT = "reject";

    public RouterConfig {
        Check.that()
                .rule(
                        unknownCustomer == null || REJECT.equals(unknownCustomer) || Cell.isValidName(unknownCustomer),
                        "unknownCustomer",
                        unknownCustomer,
                        "must be 'reject' or a cell name")
                .rule(identity == null || !identity.isEmpty(), "identity", "[]", "must name at least one source")
                .done();
        requireNonNull(proxy, "proxy");
        requireNonNull(admin, "admin");
        requireNonNull(registry, "registry");
        requireNonNull(cache, "cache");
        requireNonNull(overrides, "overrides");
        identity = List.copyOf(identity);
        requireNonNull(accessLog, "accessLog");
        requireNonNull(logging, "logging");
        unknownCustomer = unknownCustomer == null ? REJECT : unknownCustomer;
    }

    /** The cell that takes unknown customers, or null when they are rejected. */
    public String unknownCustomerCell() {
        return REJECT.equals(unknownCustomer) ? null : unknownCustomer;
    }

    /** How the resolver caches and follows the registry: {@code cache}, {@code overrides}, {@code unknownCustomer}. */
    public ResolverConfig resolver() {
        ResolverConfig defaults = ResolverConfig.defaults();
        return new ResolverConfig(
                cache.maximumSize(),
                cache.refreshAfter(),
                cache.negativeTtl(),
                cache.preload(),
                overrides.pollInterval(),
                unknownCustomerCell(),
                defaults.retryAfter());
    }

    /**
     * The cleartext listener, its edge limits and the upstream side. The limits are written flat
     * under {@code proxy:} (see {@link #of}) and held together in {@link Limits}.
     */
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
            Upstream upstream,
            WebSocket websocket,
            ProxyProtocol proxyProtocol,
            List<Cidr> trustedProxies,
            int eventLoops) {

        public Proxy {
            trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
            Check.that()
                    .required("listen", listen)
                    .range("maxInitialLineLength", maxInitialLineLength, 256, 65_536)
                    .range("maxHeaderSize", maxHeaderSize, 1024, 1 << 20)
                    .notNegative("idleTimeout", idleTimeout)
                    .notNegative("drainTimeout", drainTimeout)
                    .notNegative("drainDelay", drainDelay)
                    .range("eventLoops", eventLoops, 0, 256)
                    .required("proxyProtocol", proxyProtocol)
                    .rule(
                            proxyProtocol == null || proxyProtocol == ProxyProtocol.OFF || !trustedProxies.isEmpty(),
                            "trustedProxies",
                            "[]",
                            "must name the load balancers that may send a PROXY header (proxyProtocol is "
                                    + (proxyProtocol == null ? null : proxyProtocol.wireName())
                                    + "): a PROXY header is accepted only from a trusted proxy")
                    .done();
            requireNonNull(limits, "limits");
            requireNonNull(http2, "http2");
            requireNonNull(upstream, "upstream");
            requireNonNull(websocket, "websocket");
        }

        /** The event loops of the listeners and of the connections to cells: {@code eventLoops}, 0 for one per core. */
        public int eventLoopCount() {
            return eventLoops == 0 ? Runtime.getRuntime().availableProcessors() : eventLoops;
        }

        /** Whether {@code address} is one of {@code trustedProxies}. */
        public boolean trusts(java.net.InetAddress address) {
            for (Cidr range : trustedProxies) {
                if (range.contains(address)) {
                    return true;
                }
            }
            return false;
        }

        /** The YAML shape of {@code proxy:}: the limits sit beside the other keys. */
        @JsonCreator
        static Proxy of(
                @JsonProperty("listen") InetSocketAddress listen,
                @JsonProperty("tls") Tls tls,
                @JsonProperty("maxInitialLineLength") int maxInitialLineLength,
                @JsonProperty("maxHeaderSize") int maxHeaderSize,
                @JsonProperty("idleTimeout") Duration idleTimeout,
                @JsonProperty("drainTimeout") Duration drainTimeout,
                @JsonProperty("drainDelay") Duration drainDelay,
                @JsonProperty("maxHeaderCount") int maxHeaderCount,
                @JsonProperty("maxBodySize") long maxBodySize,
                @JsonProperty("requestHeaderTimeout") Duration requestHeaderTimeout,
                @JsonProperty("requestBodyTimeout") Duration requestBodyTimeout,
                @JsonProperty("maxConnectionAge") Duration maxConnectionAge,
                @JsonProperty("maxConcurrentPerCell") int maxConcurrentPerCell,
                @JsonProperty("maxPendingConnectsPerCell") int maxPendingConnectsPerCell,
                @JsonProperty("maxConcurrentPerCustomer") int maxConcurrentPerCustomer,
                @JsonProperty("customerRate") double customerRate,
                @JsonProperty("maxConnections") int maxConnections,
                @JsonProperty("http2") Http2 http2,
                @JsonProperty("upstream") Upstream upstream,
                @JsonProperty("websocket") WebSocket websocket,
                @JsonProperty("proxyProtocol") ProxyProtocol proxyProtocol,
                @JsonProperty("trustedProxies") List<Cidr> trustedProxies,
                @JsonProperty("eventLoops") int eventLoops) {
            Limits limits = new Limits(
                    maxHeaderCount,
                    maxBodySize,
                    requestHeaderTimeout,
                    requestBodyTimeout,
                    maxConnectionAge,
                    maxConcurrentPerCell,
                    maxPendingConnectsPerCell,
                    maxConcurrentPerCustomer,
                    customerRate,
                    maxConnections);
            return new Proxy(
                    listen,
                    tls,
                    maxInitialLineLength,
                    maxHeaderSize,
                    idleTimeout,
                    drainTimeout,
                    drainDelay,
                    limits,
                    http2,
                    upstream,
                    websocket,
                    proxyProtocol,
                    trustedProxies,
                    eventLoops);
        }
    }

    /**
     * {@code proxy.proxyProtocol}: whether the listeners expect a PROXY protocol header (HAProxy's
     * v1 text or v2 binary form, or either) before anything else on every connection.
     */
    public enum ProxyProtocol {
        @JsonProperty("off")
        OFF,
        @JsonProperty("v1")
        V1,
        @JsonProperty("v2")
        V2,
        @JsonProperty("any")
        ANY;

        /** {@code off}, {@code v1}, {@code v2} or {@code any}; YAML reads a bare {@code off} as false. */
        public static ProxyProtocol parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "off", "false" -> OFF;
                case "v1" -> V1;
                case "v2" -> V2;
                case "any" -> ANY;
                default -> throw new IllegalArgumentException("must be off, v1, v2 or any");
            };
        }

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Edge limits of the proxy listeners: what one client may make the router read, hold and wait
     * for (README "Configuration" gives the reasoning of each default).
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
            int maxConnections) {

        public Limits {
            Check.that()
                    .range("maxHeaderCount", maxHeaderCount, 1, 10_000)
                    .range("maxBodySize", maxBodySize, 0, Long.MAX_VALUE)
                    .positive("requestHeaderTimeout", requestHeaderTimeout)
                    .positive("requestBodyTimeout", requestBodyTimeout)
                    .notNegative("maxConnectionAge", maxConnectionAge)
                    .range("maxConcurrentPerCell", maxConcurrentPerCell, 1, 1_000_000)
                    .range("maxPendingConnectsPerCell", maxPendingConnectsPerCell, 1, 100_000)
                    .range("maxConcurrentPerCustomer", maxConcurrentPerCustomer, 1, 1_000_000)
                    .range("customerRate", customerRate, 0, 10_000_000)
                    .range("maxConnections", maxConnections, 1, 1_000_000)
                    .done();
        }
    }

    /**
     * HTTP/2 limits of the proxy listeners (downstream). Memory a client can make the router hold
     * on one connection is bounded by {@code connectionWindow}: data is acknowledged (window
     * update) only once it has been handed to the cell.
     */
    public record Http2(int maxConcurrentStreams, int initialStreamWindow, int connectionWindow) {
        public Http2 {
            Check.that()
                    .range("maxConcurrentStreams", maxConcurrentStreams, 1, 10_000)
                    .range("initialStreamWindow", initialStreamWindow, 65_535, 16 << 20)
                    .range("connectionWindow", connectionWindow, 65_535, 64 << 20)
                    .done();
        }
    }

    /**
     * {@code proxy.websocket}: WebSocket tunnels (README "WebSocket").
     *
     * @param idleTimeout a tunnel that carried no byte either way for this long is closed; zero:
     *     never (the client's and the cell's own pings then keep it open, or nothing does)
     * @param maxTunnelsPerCell tunnels open or being opened to one cell at once; more: 503 {@code
     *     cell_overloaded}. A tunnel also holds its cell's and its customer's request permits while
     *     it is open; this bound keeps part of {@code maxConcurrentPerCell} for plain requests
     */
    public record WebSocket(Duration idleTimeout, int maxTunnelsPerCell) {
        public WebSocket {
            Check.that()
                    .notNegative("idleTimeout", idleTimeout)
                    .range("maxTunnelsPerCell", maxTunnelsPerCell, 1, 1_000_000)
                    .done();
        }
    }

    /** The optional TLS listener; the files are read by {@link StartupProbes} and the listener. */
    public record Tls(InetSocketAddress listen, Path certificate, Path privateKey) {
        public Tls {
            Check.that()
                    .required("listen", listen)
                    .required("certificate", certificate)
                    .required("privateKey", privateKey)
                    .done();
        }
    }

    /**
     * How the router talks to cells; {@code trustCertificates} null: the JDK's trust store. {@code
     * clientCertificate} and {@code clientPrivateKey} (both or neither; PEM, watched for changes):
     * the certificate the router presents to {@code https://} cells that ask for one.
     */
    public record Upstream(
            Duration connectTimeout,
            Duration responseTimeout,
            Duration idleTimeout,
            int maxIdlePerCell,
            Path trustCertificates,
            Path clientCertificate,
            Path clientPrivateKey) {
        public Upstream {
            Check.that()
                    .positive("connectTimeout", connectTimeout)
                    .positive("responseTimeout", responseTimeout)
                    .notNegative("idleTimeout", idleTimeout)
                    .range("maxIdlePerCell", maxIdlePerCell, 0, 10_000)
                    .rule(
                            clientCertificate != null || clientPrivateKey == null,
                            "clientCertificate",
                            null,
                            "is required with clientPrivateKey")
                    .rule(
                            clientPrivateKey != null || clientCertificate == null,
                            "clientPrivateKey",
                            null,
                            "is required with clientCertificate")
                    .done();
        }
    }

    /**
     * The admin listener; {@code token} is null only on a loopback address (an empty token counts
     * as none). {@code moveGracePeriod}: how long the exchanges of a moved (or frozen) customer may
     * go on at their old cell before the router ends them so that clients reconnect to the new one.
     * The token never appears in {@link #toString()} nor in a problem.
     */
    public record Admin(InetSocketAddress listen, String token, Duration moveGracePeriod, List<AdminToken> tokens) {

        /** Long enough for most requests to finish by themselves, short enough to bound a move. */
        public static final Duration DEFAULT_MOVE_GRACE_PERIOD = Duration.ofSeconds(30);

        public Admin {
            token = token == null || token.isEmpty() ? null : token;
            tokens = tokens == null ? List.of() : List.copyOf(tokens);
            Check.that()
                    .required("listen", listen)
                    .secret(token == null || token.length() >= 16, "token", "must be at least 16 characters")
                    .rule(
                            token != null
                                    || !tokens.isEmpty()
                                    || listen == null
                                    || listen.getAddress().isLoopbackAddress(),
                            "listen",
                            listen == null ? null : Addresses.format(listen),
                            "admin.token is required when the admin API listens on a non-loopback address"
                                    + " (or admin.tokens)")
                    .secret(
                            duplicate(token, tokens) < 0,
                            "tokens[" + Math.max(0, duplicate(token, tokens)) + "].token",
                            "the same token is given twice")
                    .notNegative("moveGracePeriod", moveGracePeriod)
                    .done();
        }

        public Admin(InetSocketAddress listen, String token, Duration moveGracePeriod) {
            this(listen, token, moveGracePeriod, List.of());
        }

        /** The index in {@code tokens} of a token given before (as {@code token} or earlier in the list), or -1. */
        private static int duplicate(String token, List<AdminToken> tokens) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            if (token != null) {
                seen.add(token);
            }
            for (int i = 0; i < tokens.size(); i++) {
                AdminToken entry = tokens.get(i);
                if (entry != null && entry.token() != null && !seen.add(entry.token())) {
                    return i;
                }
            }
            return -1;
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

        @Override
        public String toString() {
            return "Admin[listen=" + listen + ", token=" + (token == null ? "none" : "<redacted>")
                    + ", moveGracePeriod=" + moveGracePeriod + ", tokens=" + tokens + "]";
        }
    }

    /**
     * One entry of {@code admin.tokens}: a bearer token (at least 16 characters) and its role. A
     * viewer may only read (GET); an operator may also write. The token is never shown.
     */
    public record AdminToken(String token, Role role) {

        public enum Role {
            @JsonProperty("operator")
            OPERATOR,
            @JsonProperty("viewer")
            VIEWER;

            public String wireName() {
                return name().toLowerCase(Locale.ROOT);
            }
        }

        public AdminToken {
            Check.that()
                    .required("token", token)
                    .secret(token == null || token.length() >= 16, "token", "must be at least 16 characters")
                    .required("role", role)
                    .done();
        }

        @Override
        public String toString() {
            return "AdminToken[role=" + (role == null ? null : role.wireName()) + ", token=<redacted>]";
        }
    }

    /** {@code logging.format}: readable text lines (the default) or one JSON object per line. */
    public record Logging(Format format) {
        public enum Format {
            @JsonProperty("text")
            TEXT,
            @JsonProperty("json")
            JSON
        }

        public Logging {
            Check.that().required("format", format).done();
        }
    }

    /**
     * Where placements live: {@code file} or {@code dynamodb} (exactly one); the last-known-good
     * {@code snapshot} (optional); and how much of the placements one edit of the registry file
     * may remove before it is refused ({@code maxRemovalFraction}).
     */
    public record Registry(Path file, DynamoDb dynamodb, Path snapshot, double maxRemovalFraction) {
        public Registry {
            Check.that()
                    .rule(
                            file == null || dynamodb == null,
                            "file",
                            file,
                            "cannot be used with registry.dynamodb: choose one store")
                    .rule(file != null || dynamodb != null, "dynamodb", null, "or registry.file is required")
                    .range("maxRemovalFraction", maxRemovalFraction, 0, 1)
                    .done();
        }
    }

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

        public DynamoDb {
            Check check = Check.that()
                    .rule(
                            table != null && table.matches("[A-Za-z0-9_.-]{3,255}"),
                            "table",
                            table,
                            "a table name is 3-255 letters, digits, '_', '-' or '.'")
                    .rule(
                            region == null || region.matches("[a-z0-9-]+"),
                            "region",
                            region,
                            "not a region name (like us-east-1)")
                    .rule(
                            endpoint == null || Endpoints.problem(endpoint, Endpoints.HTTP) == null,
                            "endpoint",
                            endpoint,
                            endpoint == null ? "" : String.valueOf(Endpoints.problem(endpoint, Endpoints.HTTP)))
                    .positive("callTimeout", callTimeout)
                    .positive("attemptTimeout", attemptTimeout)
                    .range("maxConnections", maxConnections, 1, 10_000)
                    .range("preloadSegments", preloadSegments, 1, 1_000);
            if (check.ok() && attemptTimeout.compareTo(callTimeout) > 0) {
                check.rule(
                        false,
                        "attemptTimeout",
                        Check.show(attemptTimeout),
                        "must not be longer than callTimeout (" + Check.show(callTimeout) + ")");
            }
            check.done();
        }

        /** The store's settings. */
        public DynamoDbSettings settings() {
            return DynamoDbSettings.of(table)
                    .withRegion(region)
                    .withEndpoint(endpoint == null ? null : URI.create(endpoint))
                    .withTimeouts(callTimeout, attemptTimeout)
                    .withMaxConnections(maxConnections)
                    .withScanSegments(preloadSegments);
        }
    }

    /** {@code cache}: the placement cache (see {@link ResolverConfig} for what each does). */
    public record Cache(long maximumSize, Duration refreshAfter, Duration negativeTtl, boolean preload) {
        public Cache {
            Check.that()
                    .range("maximumSize", maximumSize, 1, 1_000_000_000L)
                    .positive("refreshAfter", refreshAfter)
                    .notNegative("negativeTtl", negativeTtl)
                    .done();
        }
    }

    /** {@code overrides}: how often every router reads the change feed. */
    public record Overrides(Duration pollInterval) {
        public Overrides {
            Check.that().positive("pollInterval", pollInterval).done();
        }
    }

    /** One access-log line per request, asynchronously; {@code queueSize} bounds what waits. */
    public record AccessLog(boolean enabled, int queueSize) {
        public AccessLog {
            Check.that().range("queueSize", queueSize, 16, 1 << 22).done();
        }
    }

    /** One configured identity source, tried in order: a map with one key naming its kind. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.WRAPPER_OBJECT)
    @JsonSubTypes({
        @JsonSubTypes.Type(value = JwtSpec.class, name = "jwt"),
        @JsonSubTypes.Type(value = HeaderSpec.class, name = "header"),
        @JsonSubTypes.Type(value = HostSpec.class, name = "host"),
        @JsonSubTypes.Type(value = PathSpec.class, name = "path"),
        @JsonSubTypes.Type(value = QuerySpec.class, name = "query")
    })
    public sealed interface IdentitySpec {}

    /** {@code header: NAME}: the customer id is the value of this header (names are lower case). */
    public record HeaderSpec(String name) implements IdentitySpec {
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public HeaderSpec {
            Check.that()
                    .rule(name != null && isHeaderName(name), "", name, "not a valid header name")
                    .done();
            name = name.toLowerCase(Locale.ROOT);
        }
    }

    /** {@code host: REGEX}: matched against the Host without its port; needs a group {@code customer}. */
    public record HostSpec(Pattern pattern) implements IdentitySpec {
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public HostSpec {
            checkCustomerGroup(pattern);
        }
    }

    /** {@code path: REGEX}: matched at the start of the path; needs a group {@code customer}. */
    public record PathSpec(Pattern pattern) implements IdentitySpec {
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public PathSpec {
            checkCustomerGroup(pattern);
        }
    }

    /** {@code query: NAME}: the customer id is this query parameter. */
    public record QuerySpec(String parameter) implements IdentitySpec {
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
    public record JwtSpec(
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
