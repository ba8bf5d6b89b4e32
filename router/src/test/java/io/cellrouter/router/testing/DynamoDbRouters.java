package io.cellrouter.router.testing;

import static org.awaitility.Awaitility.await;

import io.cellrouter.registry.store.dynamodb.DynamoDbRegistryStore;
import io.cellrouter.registry.store.dynamodb.DynamoDbSettings;
import io.cellrouter.registry.store.dynamodb.Tables;
import io.cellrouter.registry.testing.Dynalite;
import io.cellrouter.registry.testing.WireProxy;
import io.cellrouter.router.RouterServer;
import io.cellrouter.router.config.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Routers on a DynamoDB registry, for the ITs of that store: a real dynalite (in memory, or
 * persistent so that a test can stop and restart it), a table of the test's own, optionally a
 * call-counting {@link WireProxy} between the routers and dynalite, and {@link RouterServer}s
 * started on that table with the configuration these ITs share (free loopback ports, upstream
 * connect 1 s and answer 5 s, access log off). Each IT keeps what is its own: its cells, what the
 * table holds, its admin token and poll interval, and any further configuration lines.
 *
 * <pre>
 *  DynamoDbRouters routers = DynamoDbRouters.inMemory(dir).adminToken(TOKEN).pollInterval(POLL);
 *  DynamoDbRegistryStore operator = routers.createTable();   // then import the IT's document
 *  RouterServer router = routers.startRouter("");            // ready when it returns
 *  routers.servedBy(router, "acme"); routers.admin(router).send("POST", ..., ...);
 *  routers.close();                                          // routers, store, proxy, dynalite
 * </pre>
 *
 * <p>Concurrency: set up, start routers and close from the test's thread; {@link #admin}, {@link
 * #get} and {@link #servedBy} from any thread (tests send concurrent requests).
 */
public final class DynamoDbRouters implements AutoCloseable {

    private final Path dir;
    private final Dynalite dynalite;
    private final DynamoDbSettings table;
    private final List<RouterServer> routers = new ArrayList<>();
    private final Map<RouterServer, AdminCalls> adminCalls =
            new ConcurrentHashMap<>(); // tests call from several threads
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private WireProxy wire;
    private DynamoDbRegistryStore operator;
    private String adminToken;
    private Duration pollInterval = Duration.ofMillis(250);
    private String registryLines = "";
    private String adminLines = "";

    private DynamoDbRouters(Path dir, Dynalite dynalite) {
        this.dir = dir;
        this.dynalite = dynalite;
        this.table = Tables.settings(dynalite.endpoint(), Tables.newName());
    }

    /** A dynalite in memory; routers' files (snapshots) go to {@code dir}. */
    public static DynamoDbRouters inMemory(Path dir) throws IOException {
        return new DynamoDbRouters(dir, Dynalite.startInMemory());
    }

    /** A dynalite keeping its data in {@code dir/dynalite}, so that {@link #dynalite()} can be stopped and started. */
    public static DynamoDbRouters persistent(Path dir) throws IOException {
        return new DynamoDbRouters(dir, Dynalite.startPersistent(dir.resolve("dynalite")));
    }

    /** Routers started from now on reach dynalite through a {@link WireProxy} that counts their calls. */
    public DynamoDbRouters countingCalls() throws IOException {
        if (wire == null) {
            wire = WireProxy.to(dynalite.endpoint());
        }
        return this;
    }

    /** The admin token of routers started from now on (none: no {@code admin.token}). */
    public DynamoDbRouters adminToken(String token) {
        this.adminToken = token;
        return this;
    }

    /** More lines under {@code admin:} (indented by two spaces), e.g. {@code "  moveGracePeriod: 200ms\n"}. */
    public DynamoDbRouters adminLines(String lines) {
        this.adminLines = lines;
        return this;
    }

    /** {@code overrides.pollInterval} of routers started from now on; 250 ms unless set. */
    public DynamoDbRouters pollInterval(Duration interval) {
        this.pollInterval = interval;
        return this;
    }

    /** More lines under {@code registry:} (indented by two spaces), e.g. {@code "  snapshot: snapshot.json\n"}. */
    public DynamoDbRouters registryLines(String lines) {
        this.registryLines = lines;
        return this;
    }

    /** Opens the operator's store on the table (closed with this fixture) and creates the table. */
    public DynamoDbRegistryStore createTable() {
        if (operator == null) {
            operator = DynamoDbRegistryStore.open(table.forBulkWork(), Clock.systemUTC());
        }
        operator.createTable().join();
        return operator;
    }

    /**
     * Starts a router on the table and waits until it is ready. {@code extra}: more top-level
     * configuration keys, e.g. {@code "cache:\n  refreshAfter: 1h\n"}. Closed with this fixture,
     * unless the test closes it first.
     */
    public RouterServer startRouter(String extra) throws InterruptedException {
        return startRouter("", extra);
    }

    /** {@link #startRouter(String)} with more {@code proxy} keys ({@code proxyLines}, indented two spaces). */
    public RouterServer startRouter(String proxyLines, String extra) throws InterruptedException {
        String yaml =
                """
                proxy:
                  listen: 127.0.0.1:0
                  upstream:
                    connectTimeout: 1s
                    responseTimeout: 5s
                %sadmin:
                  listen: 127.0.0.1:0
                %sregistry:
                  dynamodb:
                    table: %s
                    endpoint: %s
                %soverrides:
                  pollInterval: %dms
                accessLog:
                  enabled: false
                """
                                .formatted(
                                        proxyLines,
                                        (adminToken == null ? "" : "  token: " + adminToken + "\n") + adminLines,
                                        table.table(),
                                        registryEndpoint(),
                                        registryLines,
                                        pollInterval.toMillis())
                        + extra;
        RouterServer router =
                RouterServer.start(ConfigLoader.parse(yaml, "config.yaml", dir, System::getenv), Clock.systemUTC());
        routers.add(router);
        await().atMost(Duration.ofSeconds(30)).until(router::ready);
        return router;
    }

    /** Admin API calls to {@code router} with the admin token. */
    public AdminCalls admin(RouterServer router) {
        return adminCalls.computeIfAbsent(
                router,
                r -> new AdminCalls(
                        path -> URI.create(
                                "http://127.0.0.1:" + r.adminAddress().getPort() + path),
                        adminToken));
    }

    /** GET {@code path} through {@code router} as {@code customer} ({@code x-customer-id}). */
    public HttpResponse<String> get(RouterServer router, String customer, String path)
            throws IOException, InterruptedException {
        return client.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + router.proxyAddress().getPort() + path))
                        .header("x-customer-id", customer)
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The cell that answered a GET of {@code customer} through {@code router} ({@code x-served-by}). */
    public String servedBy(RouterServer router, String customer) throws IOException, InterruptedException {
        return get(router, customer, "/x").headers().firstValue("x-served-by").orElse(null);
    }

    public Dynalite dynalite() {
        return dynalite;
    }

    /** The call-counting proxy; {@link #countingCalls()} first. */
    public WireProxy wire() {
        if (wire == null) {
            throw new IllegalStateException("countingCalls() was not called");
        }
        return wire;
    }

    public DynamoDbSettings table() {
        return table;
    }

    /** The HTTP client the helpers use (HTTP/1.1), for the requests an IT builds itself. */
    public HttpClient client() {
        return client;
    }

    private URI registryEndpoint() {
        return wire == null ? dynalite.endpoint() : wire.endpoint();
    }

    @Override
    public void close() {
        routers.forEach(RouterServer::close);
        routers.clear();
        if (operator != null) {
            operator.close();
        }
        if (wire != null) {
            wire.close();
        }
        dynalite.close();
    }
}
