package io.cellrouter.router.testing;

import static org.awaitility.Awaitility.await;

import io.cellrouter.router.RouterServer;
import io.cellrouter.router.config.ConfigLoader;
import io.cellrouter.router.config.RouterConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts, for each test, two real cells ({@link TestCell} "cell-1" and "cell-2"), a file registry
 * in a temp folder placing acme and initech on cell-1 and globex on cell-2, and a real
 * {@link RouterServer} on free loopback ports, identity from header, host, path and query.
 */
public final class RouterExtension implements BeforeEachCallback, AfterEachCallback {

    public static final String ADMIN_TOKEN = "test-admin-token-0123456789";

    private final String extraConfig;
    private final java.util.function.Function<RouterExtension, String> extraRegistry;
    private final Map<String, TestCell> cells = new LinkedHashMap<>();
    private java.util.function.Supplier<String> proxyLines =
            () -> "  upstream:\n    connectTimeout: 1s\n    responseTimeout: 5s";
    private java.util.function.Supplier<String> firstIdentitySources = () -> "";
    private java.util.function.Supplier<String> adminLines = () -> "";
    private java.util.function.Supplier<String> registryLines = () -> "";
    private Path dir;
    private RouterServer server;
    private HttpClient client;

    public RouterExtension() {
        this("");
    }

    /** {@code extraConfig}: YAML appended to the generated configuration (top-level keys). */
    public RouterExtension(String extraConfig) {
        this(extraConfig, r -> "");
    }

    /**
     * {@code extraRegistry}: YAML lines appended to the {@code cells:} list (more cells, e.g. gRPC
     * cells the test started), and {@code customersYaml} more lines under {@code customers:}.
     */
    public RouterExtension(
            String extraConfig,
            java.util.function.Function<RouterExtension, String> extraCells,
            String extraCustomers) {
        this.extraConfig = extraConfig;
        this.extraRegistry = r -> extraCells.apply(r) + "\u0000" + extraCustomers;
    }

    private RouterExtension(String extraConfig, java.util.function.Function<RouterExtension, String> none) {
        this.extraConfig = extraConfig;
        this.extraRegistry = none;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("router-test");
        cells.put("cell-1", TestCell.start("cell-1"));
        cells.put("cell-2", TestCell.start("cell-2"));
        String[] extra = (extraRegistry.apply(this) + "\u0000").split("\u0000", -1);
        writeRegistry(
                """
                cells:
                  - name: cell-1
                    endpoint: %s
                    region: eu-west-1
                    tier: prod
                  - name: cell-2
                    endpoint: %s
                %s
                customers:
                  acme: cell-1
                  initech: cell-1
                  globex: cell-2
                %s
                """
                        .formatted(cell("cell-1").endpoint(), cell("cell-2").endpoint(), extra[0], extra[1]));
        String config =
                """
                proxy:
                  listen: 127.0.0.1:0
                  drainTimeout: 5s
                %s
                admin:
                  listen: 127.0.0.1:0
                  token: %s
                %s
                registry:
                  file: registry.yaml
                %s
                identity:
                %s  - header: x-customer-id
                  - host: '^(?<customer>[a-z0-9-]+)\\.api\\.example\\.com$'
                  - path: '^/v1/customers/(?<customer>[^/]+)/'
                  - query: customer
                """
                                .formatted(
                                        proxyLines.get(),
                                        ADMIN_TOKEN,
                                        adminLines.get(),
                                        registryLines.get(),
                                        firstIdentitySources.get())
                        + extraConfig;
        Path configFile = dir.resolve("config.yaml");
        Files.writeString(configFile, config);
        RouterConfig parsed = ConfigLoader.load(configFile);
        server = RouterServer.start(parsed, Clock.systemUTC());
        await().atMost(Duration.ofSeconds(10)).until(server::ready);
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        try {
            if (server != null) {
                server.close();
            }
            cells.values().forEach(TestCell::close);
            cells.clear();
            client = null;
        } finally {
            removeDirectory();
        }
    }

    /**
     * The test's directory goes with it. A file that appears or goes meanwhile (a write the
     * router gave up waiting for) leaves the directory behind with a warning, not a failed test.
     */
    private void removeDirectory() {
        if (dir == null) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            System.err.println("RouterExtension: " + dir + " left behind: " + e);
        }
        dir = null;
    }

    /**
     * Lines under {@code proxy:} (indented by two spaces), computed when the router starts; the
     * default sets {@code upstream.connectTimeout: 1s} and {@code upstream.responseTimeout: 5s}.
     */
    public RouterExtension proxy(java.util.function.Supplier<String> lines) {
        this.proxyLines = lines;
        return this;
    }

    /** More lines under {@code admin:} (indented by two spaces), e.g. {@code "  moveGracePeriod: 300ms"}. */
    public RouterExtension admin(java.util.function.Supplier<String> lines) {
        this.adminLines = lines;
        return this;
    }

    /** More lines under {@code registry:} (indented by two spaces), e.g. {@code "  snapshot: snap.json"}. */
    public RouterExtension registry(java.util.function.Supplier<String> lines) {
        this.registryLines = lines;
        return this;
    }

    /**
     * Identity sources tried before the default ones (header, host, path, query): list items
     * indented by two spaces, each line ending in a newline, e.g. {@code "  - jwt: {...}\n"}.
     */
    public RouterExtension identityFirst(java.util.function.Supplier<String> lines) {
        this.firstIdentitySources = lines;
        return this;
    }

    public void writeRegistry(String yaml) throws IOException {
        Path tmp = dir.resolve("registry.yaml.tmp");
        Files.writeString(tmp, yaml);
        Files.move(
                tmp,
                dir.resolve("registry.yaml"),
                java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    public Path dir() {
        return dir;
    }

    public TestCell cell(String name) {
        return cells.get(name);
    }

    /** Stops a cell; its port stays in the registry, so its customers now hit a closed port. */
    public void stopCell(String name) {
        cells.get(name).close();
    }

    public RouterServer server() {
        return server;
    }

    public URI proxy(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.proxyAddress().getPort() + pathAndQuery);
    }

    public URI admin(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.adminAddress().getPort() + pathAndQuery);
    }

    public HttpClient client() {
        return client;
    }

    /** GET through the router with {@code x-customer-id: customer} (null: no header). */
    public HttpResponse<String> get(String customer, String path) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(proxy(path)).timeout(Duration.ofSeconds(10));
        if (customer != null) {
            request.header("x-customer-id", customer);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> adminGet(String path) throws IOException, InterruptedException {
        return client.send(
                HttpRequest.newBuilder(admin(path))
                        .header("Authorization", "Bearer " + ADMIN_TOKEN)
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
