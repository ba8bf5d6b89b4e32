package io.cellrouter.router.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.cellrouter.registry.cache.ResolverConfig;
import io.cellrouter.registry.model.Cell;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The router's whole configuration, as the YAML file writes it (README "Configuration"):
 * immutable records, each validating its own values in its constructor (every problem at once,
 * naming the key and the value: {@link Check}). {@link ConfigLoader} binds the file onto them with
 * Jackson after laying it over the defaults of {@code defaults.yaml}.
 *
 * <p>{@code proxy} and its parts are nested here; every other section is a record in its own file
 * beside this one: {@link AdminConfig}, {@link RegistryConfig}, {@link CacheConfig}, {@link
 * OverridesConfig}, {@link IdentitySpec} (the identity sources), {@link AccessLogConfig}, {@link
 * LoggingConfig}.
 *
 * <p>Adding a key: a component on the record of its section, its default in {@code defaults.yaml},
 * its rule in the compact constructor ({@link Check}), a line in the README. A new section: a
 * record in its own file named for the section ({@code FooConfig} for {@code foo:}), a component
 * here, and its default as a stand-in in {@link ConfigDefaults} (so that a bad value there does not
 * hide the problems of the rest of the file). A new kind of identity source: a record in {@link
 * IdentitySpec} and its name in that interface's {@code @JsonSubTypes}.
 */
public record RouterConfig(
        Proxy proxy,
        AdminConfig admin,
        RegistryConfig registry,
        CacheConfig cache,
        OverridesConfig overrides,
        List<IdentitySpec> identity,
        String unknownCustomer,
        AccessLogConfig accessLog,
        LoggingConfig logging) {

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
     *     of one second's worth, at least one request: 0.5 is one request every 2 s); zero: no
     *     rate limit
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
     * HTTP/2 limits of the proxy listeners (downstream). The request bodies a client can make the
     * router hold on one connection are bounded by {@code connectionWindow}: data is acknowledged
     * (window update) only once it has been handed to the cell. Its answers are bounded by the
     * cell streams' windows (64 KiB a stream, {@code maxConcurrentStreams} streams).
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
     * How the router talks to cells; {@code responseTimeout}: until the head of a cell's answer,
     * from the last part of the request the cell took; {@code responseBodyTimeout}: once the answer
     * has begun, the longest the cell may send nothing, nor take any of the request's body, while
     * the client can take more (zero: no limit; gRPC streams are never timed this way). {@code
     * trustCertificates} null: the JDK's trust store. {@code clientCertificate} and {@code
     * clientPrivateKey} (both or neither; PEM, watched for changes): the certificate the router
     * presents to {@code https://} cells that ask for one.
     */
    public record Upstream(
            Duration connectTimeout,
            Duration responseTimeout,
            Duration responseBodyTimeout,
            Duration idleTimeout,
            int maxIdlePerCell,
            Path trustCertificates,
            Path clientCertificate,
            Path clientPrivateKey) {
        public Upstream {
            Check.that()
                    .positive("connectTimeout", connectTimeout)
                    .positive("responseTimeout", responseTimeout)
                    .notNegative("responseBodyTimeout", responseBodyTimeout)
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
}
