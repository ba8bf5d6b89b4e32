package io.cellrouter.router.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cellrouter.registry.cache.ResolverConfig;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.config.RouterConfig.AccessLog;
import io.cellrouter.router.config.RouterConfig.Admin;
import io.cellrouter.router.config.RouterConfig.AdminToken;
import io.cellrouter.router.config.RouterConfig.DynamoDb;
import io.cellrouter.router.config.RouterConfig.HeaderSpec;
import io.cellrouter.router.config.RouterConfig.HostSpec;
import io.cellrouter.router.config.RouterConfig.IdentitySpec;
import io.cellrouter.router.config.RouterConfig.PathSpec;
import io.cellrouter.router.config.RouterConfig.Proxy;
import io.cellrouter.router.config.RouterConfig.QuerySpec;
import io.cellrouter.router.config.RouterConfig.Registry;
import io.cellrouter.router.config.RouterConfig.Tls;
import io.cellrouter.router.config.RouterConfig.Upstream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads the YAML configuration of SPEC section 4 into a {@link RouterConfig}.
 *
 * <p>The YAML is walked key by key rather than bound reflectively, so that every error names the
 * file, the dotted key and the bad value, and every key that is not known is an error (a typo
 * must never silently fall back to a default). {@code ${NAME}} in a value is replaced by the
 * environment variable NAME; an unset variable is an error.
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final String source;
    private final Function<String, String> env;
    private final Path baseDir;

    private ConfigLoader(String source, Path baseDir, Function<String, String> env) {
        this.source = source;
        this.baseDir = baseDir;
        this.env = env;
    }

    /** Loads a file with the process environment. */
    public static RouterConfig load(Path file) {
        return load(file, System::getenv);
    }

    public static RouterConfig load(Path file, Function<String, String> env) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the configuration: " + e.getMessage(), e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return new ConfigLoader(file.toString(), dir, env).parse(text);
    }

    /** Parses YAML text; relative paths resolve against {@code baseDir}. */
    public static RouterConfig parse(String yaml, String source, Path baseDir, Function<String, String> env) {
        return new ConfigLoader(source, baseDir, env).parse(yaml);
    }

    private RouterConfig parse(String text) {
        JsonNode root;
        try {
            root = text.isBlank() ? YAML.createObjectNode() : YAML.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = YAML.createObjectNode();
        }
        Node top = new Node(root, "");
        top.requireObject();
        top.allowOnly(
                "proxy",
                "admin",
                "registry",
                "cache",
                "overrides",
                "identity",
                "unknownCustomer",
                "accessLog",
                "logging");

        Proxy proxy = proxy(top.child("proxy"));
        Admin admin = admin(top.child("admin"));
        Registry registry = registry(top.child("registry"));
        ResolverConfig resolver = resolver(top.child("cache"), top.child("overrides"), top.child("unknownCustomer"));
        List<IdentitySpec> identity = identity(top.child("identity"));
        AccessLog accessLog = accessLog(top.child("accessLog"));
        return new RouterConfig(proxy, admin, registry, resolver, identity, accessLog, logging(top.child("logging")));
    }

    private Proxy proxy(Node node) {
        node.allowOnly(
                "listen",
                "tls",
                "maxInitialLineLength",
                "maxHeaderSize",
                "idleTimeout",
                "drainTimeout",
                "drainDelay",
                "maxHeaderCount",
                "maxBodySize",
                "requestHeaderTimeout",
                "requestBodyTimeout",
                "maxConnectionAge",
                "maxConcurrentPerCell",
                "maxPendingConnectsPerCell",
                "maxConcurrentPerCustomer",
                "customerRate",
                "maxConnections",
                "http2",
                "upstream");
        Tls tls = null;
        Node tlsNode = node.child("tls");
        if (tlsNode.present()) {
            tlsNode.allowOnly("listen", "certificate", "privateKey");
            tls = new Tls(
                    tlsNode.child("listen").address("0.0.0.0:8443"),
                    tlsNode.child("certificate").requiredPath(),
                    tlsNode.child("privateKey").requiredPath());
            requireReadable(tlsNode.child("certificate"), tls.certificate());
            requireReadable(tlsNode.child("privateKey"), tls.privateKey());
        }
        return new Proxy(
                node.child("listen").address("0.0.0.0:8080"),
                tls,
                node.child("maxInitialLineLength").intIn(256, 65536, 8192),
                node.child("maxHeaderSize").intIn(1024, 1 << 20, 16384),
                node.child("idleTimeout").duration(Duration.ofSeconds(60)),
                node.child("drainTimeout").duration(RouterConfig.DEFAULT_DRAIN_TIMEOUT),
                node.child("drainDelay").duration(Duration.ZERO),
                limits(node),
                http2(node.child("http2")),
                upstream(node.child("upstream")));
    }

    private RouterConfig.Limits limits(Node proxy) {
        RouterConfig.Limits d = RouterConfig.defaultLimits();
        return new RouterConfig.Limits(
                proxy.child("maxHeaderCount").intIn(1, 10_000, d.maxHeaderCount()),
                proxy.child("maxBodySize").longIn(0, Long.MAX_VALUE, d.maxBodySize()),
                proxy.child("requestHeaderTimeout").duration(d.requestHeaderTimeout()),
                proxy.child("requestBodyTimeout").duration(d.requestBodyTimeout()),
                proxy.child("maxConnectionAge").duration(d.maxConnectionAge()),
                proxy.child("maxConcurrentPerCell").intIn(1, 1_000_000, d.maxConcurrentPerCell()),
                proxy.child("maxPendingConnectsPerCell").intIn(1, 100_000, d.maxPendingConnectsPerCell()),
                proxy.child("maxConcurrentPerCustomer").intIn(1, 1_000_000, d.maxConcurrentPerCustomer()),
                proxy.child("customerRate").longIn(0, 10_000_000, (long) d.customerRate()),
                proxy.child("maxConnections").intIn(1, 1_000_000, d.maxConnections()));
    }

    private RouterConfig.Http2 http2(Node node) {
        node.allowOnly("maxConcurrentStreams", "initialStreamWindow", "connectionWindow");
        RouterConfig.Http2 d = RouterConfig.defaultHttp2();
        return new RouterConfig.Http2(
                node.child("maxConcurrentStreams").intIn(1, 10_000, d.maxConcurrentStreams()),
                node.child("initialStreamWindow").intIn(65_535, 16 << 20, d.initialStreamWindow()),
                node.child("connectionWindow").intIn(65_535, 64 << 20, d.connectionWindow()));
    }

    private static void requireReadable(Node node, Path file) {
        if (!Files.isReadable(file)) {
            throw node.error("file " + file + " cannot be read");
        }
    }

    private Upstream upstream(Node node) {
        node.allowOnly("connectTimeout", "responseTimeout", "idleTimeout", "maxIdlePerCell", "trustCertificates");
        Path trust = node.child("trustCertificates").path(null);
        if (trust != null) {
            requireReadable(node.child("trustCertificates"), trust);
        }
        Upstream d = RouterConfig.defaultUpstream();
        return new Upstream(
                node.child("connectTimeout").duration(d.connectTimeout()),
                node.child("responseTimeout").duration(d.responseTimeout()),
                node.child("idleTimeout").duration(d.idleTimeout()),
                node.child("maxIdlePerCell").intIn(0, 10_000, d.maxIdlePerCell()),
                trust);
    }

    private Admin admin(Node node) {
        node.allowOnly("listen", "token", "moveGracePeriod", "tokens");
        Node listenNode = node.child("listen");
        var listen = listenNode.address("127.0.0.1:9090");
        String token = node.child("token").string(null);
        if (token != null && token.isEmpty()) {
            token = null;
        }
        List<AdminToken> tokens = adminTokens(node.child("tokens"), token);
        if (token == null && tokens.isEmpty() && !listen.getAddress().isLoopbackAddress()) {
            throw listenNode.error("admin.token is required when the admin API listens on a non-loopback address");
        }
        if (token != null && token.length() < 16) {
            throw node.child("token").error("admin token must be at least 16 characters");
        }
        return new Admin(
                listen, token, node.child("moveGracePeriod").duration(Admin.DEFAULT_MOVE_GRACE_PERIOD), tokens);
    }

    /**
     * {@code admin.tokens: [{token, role: operator | viewer}]}. Messages name the entry, never the
     * token's value.
     */
    private List<AdminToken> adminTokens(Node node, String operatorToken) {
        if (!node.present()) {
            return List.of();
        }
        if (!node.value.isArray()) {
            throw new ConfigException(source + ": " + node.path + ": must be a list of {token, role}");
        }
        List<AdminToken> tokens = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        if (operatorToken != null) {
            seen.add(operatorToken);
        }
        for (int i = 0; i < node.value.size(); i++) {
            Node item = new Node(node.value.get(i), node.path + "[" + i + "]");
            item.requireObject();
            item.allowOnly("token", "role");
            Node tokenNode = item.child("token");
            String token = tokenNode.present() ? tokenNode.string(null) : null;
            if (token == null || token.length() < 16) {
                throw new ConfigException(
                        source + ": " + tokenNode.path + ": an admin token is required, at least 16 characters");
            }
            if (!seen.add(token)) {
                throw new ConfigException(source + ": " + tokenNode.path
                        + ": the same token is given twice (in admin.token or admin.tokens)");
            }
            String role = item.child("role").string(null);
            AdminToken.Role parsed;
            if ("operator".equals(role)) {
                parsed = AdminToken.Role.OPERATOR;
            } else if ("viewer".equals(role)) {
                parsed = AdminToken.Role.VIEWER;
            } else {
                throw item.child("role").error("must be operator or viewer");
            }
            tokens.add(new AdminToken(token, parsed));
        }
        return tokens;
    }

    private Registry registry(Node node) {
        node.allowOnly("file", "dynamodb", "snapshot");
        Node dynamo = node.child("dynamodb");
        DynamoDb dynamodb = null;
        if (dynamo.present()) {
            dynamodb = dynamoDb(dynamo);
            if (node.child("file").present()) {
                throw node.child("file")
                        .error("registry.file and registry.dynamodb exclude each other: choose one store");
            }
            return new Registry(null, dynamodb, snapshot(node.child("snapshot")));
        }
        Path file = node.child("file").path(null);
        if (file == null) {
            file = baseDir.resolve("registry.yaml");
        }
        return new Registry(file, dynamodb, snapshot(node.child("snapshot")));
    }

    private DynamoDb dynamoDb(Node node) {
        node.allowOnly(
                "table", "region", "endpoint", "callTimeout", "attemptTimeout", "maxConnections", "preloadSegments");
        var d = io.cellrouter.registry.store.dynamodb.DynamoDbSettings.of(
                io.cellrouter.registry.store.dynamodb.DynamoDbSettings.DEFAULT_TABLE);
        String table = node.child("table").string(d.table());
        if (!table.matches("[A-Za-z0-9_.-]{3,255}")) {
            throw node.child("table").error("a table name is 3-255 letters, digits, '_', '-' or '.'");
        }
        String region = node.child("region").string(null);
        if (region != null && !region.matches("[a-z0-9-]+")) {
            throw node.child("region").error("not a region name (like us-east-1)");
        }
        String endpoint = node.child("endpoint").string(null);
        if (endpoint != null) {
            try {
                java.net.URI uri = new java.net.URI(endpoint);
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    throw node.child("endpoint").error("must be an http:// or https:// URL with a host");
                }
            } catch (java.net.URISyntaxException e) {
                throw node.child("endpoint").error("not a URL: " + e.getReason());
            }
        }
        DynamoDb dynamodb = new DynamoDb(
                table,
                region,
                endpoint,
                node.child("callTimeout").duration(d.callTimeout()),
                node.child("attemptTimeout").duration(d.attemptTimeout()),
                node.child("maxConnections").intIn(1, 10_000, d.maxConnections()),
                node.child("preloadSegments").intIn(1, 1_000, d.scanSegments()));
        try {
            dynamodb.settings();
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
        return dynamodb;
    }

    /** {@code registry.snapshot}: a file in a directory that is (or can be made) writable. */
    private Path snapshot(Node node) {
        Path snapshot = node.path(null);
        if (snapshot == null) {
            return null;
        }
        if (Files.isDirectory(snapshot)) {
            throw node.error("is a directory; name the snapshot file in it");
        }
        Path parent = snapshot.toAbsolutePath().getParent();
        if (Files.exists(parent) && (!Files.isDirectory(parent) || !Files.isWritable(parent))) {
            throw node.error("the directory " + parent + " is not a writable directory");
        }
        return snapshot;
    }

    private ResolverConfig resolver(Node cache, Node overrides, Node unknownCustomer) {
        cache.allowOnly("maximumSize", "refreshAfter", "negativeTtl", "preload");
        overrides.allowOnly("pollInterval");
        ResolverConfig d = ResolverConfig.defaults();
        String unknown = unknownCustomer.string("reject");
        String defaultCell = null;
        if (!"reject".equals(unknown)) {
            if (!Cell.NAME.matcher(unknown).matches()) {
                throw unknownCustomer.error("must be 'reject' or a cell name");
            }
            defaultCell = unknown;
        }
        return new ResolverConfig(
                cache.child("maximumSize").longIn(1, 1_000_000_000L, d.maximumSize()),
                cache.child("refreshAfter").duration(d.refreshAfter()),
                cache.child("negativeTtl").duration(d.negativeTtl()),
                cache.child("preload").bool(d.preload()),
                overrides.child("pollInterval").duration(d.pollInterval()),
                defaultCell,
                d.retryAfter());
    }

    private List<IdentitySpec> identity(Node node) {
        if (!node.present()) {
            return List.of(new HeaderSpec("x-customer-id"));
        }
        if (!node.value.isArray() || node.value.isEmpty()) {
            throw node.error("must be a non-empty list of identity sources (jwt, header, host, path, query)");
        }
        List<IdentitySpec> specs = new ArrayList<>();
        for (int i = 0; i < node.value.size(); i++) {
            Node item = new Node(node.value.get(i), node.path + "[" + i + "]");
            item.requireObject();
            if (item.value.size() != 1) {
                throw item.error(
                        "each identity source is a map with exactly one key: jwt, header, host, path or query");
            }
            Map.Entry<String, JsonNode> entry = item.value.fields().next();
            Node source = item.child(entry.getKey());
            specs.add(
                    switch (entry.getKey()) {
                        case "header" -> new HeaderSpec(headerName(source));
                        case "host" -> new HostSpec(customerPattern(source));
                        case "path" -> new PathSpec(customerPattern(source));
                        case "query" -> new QuerySpec(source.requiredString());
                        case "jwt" -> jwt(source);
                        default ->
                            throw source.error(
                                    "unknown identity source; expected one of jwt, header, host, path, query");
                    });
        }
        return specs;
    }

    private RouterConfig.JwtSpec jwt(Node node) {
        node.allowOnly(
                "header",
                "customerClaim",
                "cellClaim",
                "hmacSecret",
                "jwksFile",
                "issuer",
                "audience",
                "clockSkew",
                "maxLifetime",
                "algorithms",
                "cacheSize");
        if (!node.present() || !node.value.isObject()) {
            throw node.error("must be a map with hmacSecret and/or jwksFile");
        }
        var d = io.cellrouter.registry.token.VerifierConfig.defaults();
        java.util.Set<io.cellrouter.registry.token.TokenAlgorithm> algorithms = d.algorithms();
        Node algNode = node.child("algorithms");
        if (algNode.present()) {
            List<String> names = new ArrayList<>();
            if (algNode.value.isArray()) {
                algNode.value.forEach(item -> names.add(item.asText()));
            } else {
                names.add(algNode.string(null));
            }
            if (names.isEmpty()) {
                throw algNode.error("must name at least one algorithm");
            }
            algorithms = java.util.EnumSet.noneOf(io.cellrouter.registry.token.TokenAlgorithm.class);
            for (String name : names) {
                try {
                    algorithms.add(io.cellrouter.registry.token.TokenAlgorithm.parse(name));
                } catch (IllegalArgumentException e) {
                    throw algNode.error(e.getMessage());
                }
            }
        }
        // The secret never appears in a message: errors about it name the key only.
        Node secretNode = node.child("hmacSecret");
        String secret = secretNode.string(null);
        if (secret != null && secret.isEmpty()) {
            secret = null;
        }
        if (secret != null) {
            try {
                io.cellrouter.registry.token.VerificationKey.hmac(
                        secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), algorithms);
            } catch (io.cellrouter.registry.token.KeyFileException e) {
                throw new ConfigException(source + ": " + secretNode.path + ": " + e.getMessage());
            }
        }
        Node jwksNode = node.child("jwksFile");
        Path jwks = jwksNode.path(null);
        if (jwks != null) {
            requireReadable(jwksNode, jwks);
            try {
                io.cellrouter.registry.token.KeyFiles.verificationKeys(jwks, algorithms);
            } catch (io.cellrouter.registry.token.KeyFileException e) {
                throw jwksNode.error(e.getMessage());
            }
        }
        if (secret == null && jwks == null) {
            throw node.error("needs hmacSecret, jwksFile or both");
        }
        Node lifetimeNode = node.child("maxLifetime");
        Duration maxLifetime = "none".equals(lifetimeNode.string(null)) ? null : lifetimeNode.duration(d.maxLifetime());
        Duration skew = node.child("clockSkew").duration(d.clockSkew());
        if (skew.compareTo(Duration.ofMinutes(10)) > 0) {
            throw node.child("clockSkew").error("must be at most 10m");
        }
        String cellClaim = node.child("cellClaim").string(d.cellClaim());
        return new RouterConfig.JwtSpec(
                node.child("header").present() ? headerName(node.child("header")) : "authorization",
                node.child("customerClaim").string(d.customerClaim()),
                cellClaim.isEmpty() ? null : cellClaim,
                secret,
                jwks,
                node.child("issuer").string(null),
                node.child("audience").string(null),
                skew,
                maxLifetime,
                algorithms,
                node.child("cacheSize").longIn(0, 100_000_000L, 100_000));
    }

    private AccessLog accessLog(Node node) {
        node.allowOnly("enabled", "queueSize");
        return new AccessLog(
                node.child("enabled").bool(true), node.child("queueSize").intIn(16, 1 << 22, 65536));
    }

    private RouterConfig.Logging logging(Node node) {
        node.allowOnly("format");
        String format = node.child("format").string("text");
        return switch (format) {
            case "text" -> new RouterConfig.Logging(RouterConfig.Logging.Format.TEXT);
            case "json" -> new RouterConfig.Logging(RouterConfig.Logging.Format.JSON);
            default -> throw node.child("format").error("must be text or json");
        };
    }

    private static String headerName(Node node) {
        String name = node.requiredString().toLowerCase(Locale.ROOT);
        if (!name.matches("[a-z0-9!#$%&'*+.^_`|~-]+")) {
            throw node.error("not a valid header name");
        }
        return name;
    }

    private static Pattern customerPattern(Node node) {
        String regex = node.requiredString();
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw node.error("not a valid regular expression: " + e.getDescription());
        }
        if (!regex.contains("(?<customer>")) {
            throw node.error("the pattern needs a named group (?<customer>...)");
        }
        return pattern;
    }

    /** A position in the YAML tree: its value and its dotted key, for error messages. */
    private final class Node {
        final JsonNode value;
        final String path;

        Node(JsonNode value, String path) {
            this.value = value;
            this.path = path;
        }

        boolean present() {
            return value != null && !value.isMissingNode() && !value.isNull();
        }

        Node child(String key) {
            JsonNode child = present() ? value.get(key) : null;
            return new Node(child, path.isEmpty() ? key : path + "." + key);
        }

        void requireObject() {
            if (!value.isObject()) {
                throw error("must be a map of keys");
            }
        }

        void allowOnly(String... keys) {
            if (!present()) {
                return;
            }
            requireObject();
            var known = List.of(keys);
            value.fieldNames().forEachRemaining(name -> {
                if (!known.contains(name)) {
                    String key = path.isEmpty() ? name : path + "." + name;
                    throw new ConfigException(
                            source + ": unknown key '" + key + "' (known keys here: " + String.join(", ", known) + ")");
                }
            });
        }

        ConfigException error(String problem) {
            String shown = present() && value.isValueNode() ? " (value '" + value.asText() + "')" : "";
            return new ConfigException(source + ": " + path + shown + ": " + problem);
        }

        String string(String fallback) {
            if (!present()) {
                return fallback;
            }
            if (!value.isValueNode()) {
                throw error("must be a single value");
            }
            return substitute(value.asText());
        }

        String requiredString() {
            String text = string(null);
            if (text == null || text.isBlank()) {
                throw error("is required");
            }
            return text;
        }

        String substitute(String text) {
            var matcher = ENV_REF.matcher(text);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                String name = matcher.group(1);
                String replacement = env.apply(name);
                if (replacement == null) {
                    throw error("environment variable " + name + " is not set");
                }
                matcher.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(replacement));
            }
            matcher.appendTail(out);
            return out.toString();
        }

        Path path(Path fallback) {
            String text = string(null);
            return text == null ? fallback : baseDir.resolve(text);
        }

        Path requiredPath() {
            return baseDir.resolve(requiredString());
        }

        java.net.InetSocketAddress address(String fallback) {
            String text = string(fallback);
            try {
                return Addresses.parse(text);
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }

        Duration duration(Duration fallback) {
            String text = string(null);
            if (text == null) {
                return fallback;
            }
            try {
                return Durations.parse(text);
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }

        boolean bool(boolean fallback) {
            if (!present()) {
                return fallback;
            }
            String text = string(null);
            return switch (text) {
                case "true" -> true;
                case "false" -> false;
                default -> throw error("must be true or false");
            };
        }

        long longIn(long min, long max, long fallback) {
            String text = string(null);
            if (text == null) {
                return fallback;
            }
            long parsed;
            try {
                parsed = Long.parseLong(text.replace("_", ""));
            } catch (NumberFormatException e) {
                throw error("must be a whole number");
            }
            if (parsed < min || parsed > max) {
                throw error("must be between " + min + " and " + max);
            }
            return parsed;
        }

        int intIn(int min, int max, int fallback) {
            return (int) longIn(min, max, fallback);
        }
    }
}
