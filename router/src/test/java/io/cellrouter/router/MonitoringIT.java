package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.store.dynamodb.DynamoDbRegistryStore;
import io.cellrouter.registry.store.dynamodb.DynamoDbSettings;
import io.cellrouter.registry.store.dynamodb.Tables;
import io.cellrouter.registry.testing.Dynalite;
import io.cellrouter.router.config.ConfigLoader;
import io.cellrouter.router.testing.ExternalTools;
import io.cellrouter.router.testing.PrometheusServer;
import io.cellrouter.router.testing.RouterProcess;
import io.cellrouter.router.testing.TestCell;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The deployment kit against real tools: a real Prometheus (Debian's {@code prometheus}) scrapes
 * a real router on the DynamoDB store (dynalite) while real traffic flows, loads the shipped alert
 * rules, and answers every query of the shipped Grafana dashboard.
 *
 * <p>Every alert rule is driven until Prometheus reports it: a closed cell (error ratio), a slow
 * cell with a small concurrency budget (p99, budget), a customer over its rate, an access-log
 * writer that cannot write, scrape targets that are not up yet, the store killed, a router started
 * from a snapshot and one that cannot load at all.
 *
 * <p>The rules file Prometheus loads is alerts.yaml with every {@code for:} set to {@code 0s}, and
 * nothing else changed: the durations are the rules' debounce, which promtool's unit tests
 * ({@code alerts_test.yaml}) check on synthetic series; here the point is that each expression goes
 * true on a real router, which waiting out minutes of {@code for:} would not show any better.
 */
class MonitoringIT {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path DEPLOY = ExternalTools.repositoryRoot().resolve("deploy");
    /**
     * Metrics another branch registers (the registry-edit guard: rejected edits, snapshot write
     * failures). Until they exist in the router's /metrics, panels over them are reported, not
     * checked; once they exist they are checked like every other.
     */
    private static final Set<String> REGISTERED_ELSEWHERE =
            Set.of("cellrouter_registry_rejected_edits_total", "cellrouter_registry_snapshot_failures_total");

    private static final Pattern METRIC_NAME = Pattern.compile("\\b((?:cellrouter|jvm|process)_[a-z_]+)\\b");

    @TempDir
    Path dir;

    private Dynalite dynalite;
    private final List<TestCell> cells = new ArrayList<>();
    private final List<RouterServer> routers = new ArrayList<>();
    private PrometheusServer prometheus;
    private ScheduledExecutorService load;
    private final CountDownLatch accessLogWriterBlocked = new CountDownLatch(1);
    private final BlockingAppender blockingAppender = new BlockingAppender(accessLogWriterBlocked);
    private Level accessLevel;
    private boolean accessAdditive;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final Set<String> seenAlerts = new ConcurrentSkipListSet<>();
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger loadFailures = new AtomicInteger();

    @BeforeEach
    void blockTheAccessLogWriter() {
        // The access-log writer thread blocks on its first line, as behind a stalled log pipe:
        // the bounded queue fills and the router drops (and counts) lines.
        Logger access = (Logger) LoggerFactory.getLogger("cellrouter.access");
        accessLevel = access.getLevel();
        accessAdditive = access.isAdditive();
        blockingAppender.start();
        access.addAppender(blockingAppender);
        access.setLevel(Level.INFO);
        access.setAdditive(false);
    }

    @AfterEach
    void stopEverything() {
        if (load != null) {
            load.shutdownNow();
        }
        accessLogWriterBlocked.countDown();
        routers.forEach(RouterServer::close);
        if (prometheus != null) {
            prometheus.close();
        }
        if (dynalite != null) {
            dynalite.close();
        }
        cells.forEach(TestCell::close);
        Logger access = (Logger) LoggerFactory.getLogger("cellrouter.access");
        access.detachAppender(blockingAppender);
        access.setLevel(accessLevel);
        access.setAdditive(accessAdditive);
    }

    @Test
    void everyAlertFires_andEveryDashboardQueryAnswers_onARealPrometheusScrapingARealRouter() throws Exception {
        // The registry: cell-1 healthy, cell-2 gone (its port closed), cell-3 slow.
        dynalite = Dynalite.startInMemory();
        DynamoDbSettings table = Tables.settings(dynalite.endpoint(), Tables.newName());
        TestCell cell1 = cell("cell-1");
        TestCell cell2 = cell("cell-2");
        TestCell cell3 = cell("cell-3");
        Map<String, String> customers = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            customers.put("c" + i, "cell-1");
        }
        customers.put("burst", "cell-1");
        customers.put("broken", "cell-2");
        customers.put("slow", "cell-3");
        try (DynamoDbRegistryStore admin = DynamoDbRegistryStore.open(table.forBulkWork(), Clock.systemUTC())) {
            admin.createTable().join();
            admin.importDocument(new RegistryDocument(
                            List.of(registered(cell1), registered(cell2), registered(cell3)),
                            customers,
                            List.of(),
                            Map.of()))
                    .join();
        }
        cell2.close();

        Path snapshotA = dir.resolve("a").resolve("snapshot.json");
        RouterServer a = router(
                "127.0.0.1:0",
                table,
                snapshotA,
                """
                proxy:
                  listen: 127.0.0.1:0
                  maxConcurrentPerCell: 4
                  customerRate: 20
                  upstream:
                    connectTimeout: 1s
                    responseTimeout: 10s
                accessLog:
                  enabled: true
                  queueSize: 16
                """);
        await().atMost(Duration.ofSeconds(30)).until(a::ready);
        String instanceA = "127.0.0.1:" + a.adminAddress().getPort();
        int portB = RouterProcess.freePort();
        int portC = RouterProcess.freePort();

        prometheus = PrometheusServer.start(
                dir, prometheusConfig(List.of(instanceA, "127.0.0.1:" + portB, "127.0.0.1:" + portC)));
        startLoad(a.proxyAddress().getPort());

        // Traffic, errors, a slow cell at its budget, rate limits, a stalled access log, and two
        // scrape targets not up yet.
        awaitAlerts(
                "CellRouterDown",
                "CellRouterCellErrorRatioHigh",
                "CellRouterCellLatencyHigh",
                "CellRouterCellAtConcurrencyBudget",
                "CellRouterCustomersRateLimited",
                "CellRouterAccessLogDropping");

        // The store dies: router A keeps routing its cached customers and says the store is down.
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(snapshotA));
        dynalite.stop();
        awaitAlerts("CellRouterRegistryStoreDown");

        // A router that starts while the store is down: from a snapshot it serves (and says so);
        // without one it cannot become ready.
        Path snapshotB = dir.resolve("b").resolve("snapshot.json");
        Files.createDirectories(snapshotB.getParent());
        Files.copy(snapshotA, snapshotB);
        RouterServer b = router("127.0.0.1:" + portB, table, snapshotB, "accessLog:\n  enabled: false\n");
        await().atMost(Duration.ofSeconds(30)).until(b::ready);
        router(
                "127.0.0.1:" + portC,
                table,
                dir.resolve("c").resolve("snapshot.json"),
                "accessLog:\n  enabled: false\n");
        awaitAlerts("CellRouterServingSnapshot", "CellRouterNotReady");

        assertThat(seenAlerts).as("every rule of alerts.yaml fired").containsAll(alertNames());
        assertThat(answered.get())
                .as("requests the load generator got answers to")
                .isGreaterThan(100);
        System.out.printf(
                "monitoring: alerts seen %s; %d answers, %d load requests without an answer%n",
                seenAlerts, answered.get(), loadFailures.get());

        // The GC panel needs one collection of this JVM (the router's) to have happened; the pause
        // reaches the metrics through a GC notification, on a thread of its own, a moment later.
        System.gc();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.metrics().scrape().contains("jvm_gc_pause_seconds_sum"));
        checkDashboard(a, instanceA);
    }

    // --- the dashboard ---

    private void checkDashboard(RouterServer router, String instance) throws Exception {
        JsonNode dashboard = new ObjectMapper()
                .readTree(DEPLOY.resolve("grafana").resolve("cell-router.json").toFile());
        String exposed = router.metrics().scrape();
        Map<String, String> queries = new LinkedHashMap<>();
        List<String> notYetRegistered = new ArrayList<>();
        for (JsonNode panel : panels(dashboard)) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                assertThat(expr).as(panel.path("title").asText()).isNotBlank();
                String name = panel.path("title").asText() + " ["
                        + target.path("refId").asText() + "]";
                Set<String> missing = missingMetrics(expr, exposed);
                if (!missing.isEmpty() && REGISTERED_ELSEWHERE.containsAll(missing)) {
                    notYetRegistered.add(name + ": " + missing);
                    continue;
                }
                assertThat(missing)
                        .as("metrics of " + name + " that the router does not expose")
                        .isEmpty();
                queries.put(name, substitute(expr, instance));
            }
        }
        assertThat(queries).hasSizeGreaterThanOrEqualTo(20);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(emptyAnswers(queries))
                        .as("dashboard queries without a series")
                        .isEmpty());
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            String definition = variable.path("definition").asText();
            if (definition.isEmpty()) {
                continue;
            }
            Matcher labelValues =
                    Pattern.compile("label_values\\((.+),\\s*(\\w+)\\)").matcher(definition);
            assertThat(labelValues.matches()).as(definition).isTrue();
            JsonNode series = prometheus.series(substitute(labelValues.group(1), instance));
            assertThat(series).as(definition).isNotEmpty();
            assertThat(series.get(0).path(labelValues.group(2)).asText())
                    .as(definition)
                    .isNotEmpty();
        }
        System.out.printf(
                "monitoring: %d dashboard queries answered with series; not checked until registered: %s%n",
                queries.size(), notYetRegistered);
    }

    private List<String> emptyAnswers(Map<String, String> queries) throws Exception {
        List<String> empty = new ArrayList<>();
        for (Map.Entry<String, String> query : queries.entrySet()) {
            if (prometheus.query(query.getValue()).isEmpty()) {
                empty.add(query.getKey() + ": " + query.getValue());
            }
        }
        return empty;
    }

    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            all.add(panel);
            panel.path("panels").forEach(all::add);
        }
        return all;
    }

    private static Set<String> missingMetrics(String expr, String exposition) {
        Set<String> missing = new TreeSet<>();
        Matcher names = METRIC_NAME.matcher(expr);
        while (names.find()) {
            String name = names.group(1);
            if (!Pattern.compile("(?m)^" + name + "[{ ]").matcher(exposition).find()) {
                missing.add(name);
            }
        }
        return missing;
    }

    /** What Grafana sends for the dashboard's variables: this instance, every cell, a 1m window. */
    private static String substitute(String expr, String instance) {
        return expr.replace("$__rate_interval", "1m")
                .replace("$instance", Pattern.quote(instance).replace("\\Q", "").replace("\\E", ""))
                .replace("$cell", ".*");
    }

    // --- alerts ---

    private void awaitAlerts(String... names) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    for (JsonNode alert : prometheus.alerts()) {
                        String state = alert.path("state").asText();
                        if (state.equals("firing") || state.equals("pending")) {
                            seenAlerts.add(
                                    alert.path("labels").path("alertname").asText());
                        }
                    }
                    assertThat(seenAlerts).as("alerts seen").contains(names);
                });
    }

    private static List<String> alertNames() throws Exception {
        List<String> names = new ArrayList<>();
        YAML.readTree(DEPLOY.resolve("prometheus").resolve("alerts.yaml").toFile())
                .path("groups")
                .forEach(group -> group.path("rules")
                        .forEach(rule -> names.add(rule.path("alert").asText())));
        return names;
    }

    /** prometheus.yml: the targets every second, and alerts.yaml with every {@code for:} at 0s. */
    private Path prometheusConfig(List<String> targets) throws Exception {
        JsonNode rules = YAML.readTree(
                DEPLOY.resolve("prometheus").resolve("alerts.yaml").toFile());
        rules.path("groups")
                .forEach(group -> group.path("rules").forEach(rule -> ((ObjectNode) rule).put("for", "0s")));
        Path rulesFile = dir.resolve("alerts-for-0s.yaml");
        YAML.writeValue(rulesFile.toFile(), rules);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(
                config,
                """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 900ms
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: cell-router
                    static_configs:
                      - targets: [%s]
                """
                        .formatted(
                                rulesFile,
                                String.join(
                                        ", ",
                                        targets.stream().map(t -> "'" + t + "'").toList())));
        return config;
    }

    // --- the router, its cells and their traffic ---

    private RouterServer router(String adminListen, DynamoDbSettings table, Path snapshot, String extra)
            throws Exception {
        String yaml =
                """
                admin:
                  listen: %s
                registry:
                  dynamodb:
                    table: %s
                    endpoint: %s
                  snapshot: %s
                overrides:
                  pollInterval: 250ms
                """
                                .formatted(adminListen, table.table(), dynalite.endpoint(), snapshot)
                        + extra;
        if (!extra.contains("proxy:")) {
            yaml += "proxy:\n  listen: 127.0.0.1:0\n";
        }
        RouterServer router =
                RouterServer.start(ConfigLoader.parse(yaml, "config.yaml", dir, System::getenv), Clock.systemUTC());
        routers.add(router);
        return router;
    }

    private TestCell cell(String name) throws InterruptedException {
        TestCell cell = TestCell.start(name);
        cells.add(cell);
        return cell;
    }

    private static Cell registered(TestCell cell) {
        return new Cell(cell.name(), URI.create(cell.endpoint()), CellState.ACTIVE);
    }

    /**
     * Steady traffic at fixed rates, so that every counter grows across scrapes (a counter that
     * appears with its final value shows no rate): healthy customers on cell-1, requests without
     * identity or for nobody, a customer on the closed cell-2, one over its rate, and slow
     * requests to cell-3 beyond its budget of 4.
     */
    private void startLoad(int proxyPort) {
        load = Executors.newScheduledThreadPool(4);
        AtomicInteger next = new AtomicInteger();
        every(20, () -> send(proxyPort, "c" + next.getAndIncrement() % 10, "/x"));
        every(100, () -> {
            send(proxyPort, null, "/x");
            send(proxyPort, "nobody", "/x");
            send(proxyPort, "broken", "/x");
        });
        every(25, () -> send(proxyPort, "burst", "/x"));
        every(250, () -> client.sendAsync(
                        request(proxyPort, "slow", "/slow?ms=1500"), HttpResponse.BodyHandlers.discarding())
                .whenComplete((response, error) -> (error == null ? answered : loadFailures).incrementAndGet()));
    }

    private void every(long millis, Runnable task) {
        load.scheduleAtFixedRate(task, 0, millis, TimeUnit.MILLISECONDS);
    }

    private void send(int proxyPort, String customer, String path) {
        try {
            client.send(request(proxyPort, customer, path), HttpResponse.BodyHandlers.discarding());
            answered.incrementAndGet();
        } catch (java.io.IOException e) {
            loadFailures.incrementAndGet(); // counted and reported; a scheduled task must not throw
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static HttpRequest request(int proxyPort, String customer, String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + path))
                .timeout(Duration.ofSeconds(10));
        if (customer != null) {
            request.header("x-customer-id", customer);
        }
        return request.build();
    }

    /** An appender whose writes wait until the test ends: a log pipe nobody reads. */
    private static final class BlockingAppender extends AppenderBase<ILoggingEvent> {
        private final CountDownLatch release;

        BlockingAppender(CountDownLatch release) {
            this.release = release;
        }

        @Override
        protected void append(ILoggingEvent event) {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
