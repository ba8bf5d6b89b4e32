package io.cellrouter.loadtest.bench.standard;

import io.cellrouter.loadtest.bench.BenchServers;
import io.cellrouter.loadtest.bench.ChildProcesses;
import io.cellrouter.loadtest.bench.ProxyConfigs;
import io.cellrouter.loadtest.bench.Readiness;
import io.cellrouter.loadtest.cli.Main;
import io.cellrouter.loadtest.jmh.RegistryFixture;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one load of the standard-clients comparison runs against, each in its own process:
 *
 * <pre>
 *  client (wrk | h2load | grpc-bench-client) ─┬─ direct ─────────────────────────┬─► the cells: ONE server
 *                                             ├─ haproxy (when asked, installed) ─┤   process, two cells in the
 *                                             ├─ nginx   (when asked, installed) ─┤   registry (cell-1, cell-2)
 *                                             └─ cell-router (the fat jar) ───────┘   at its address
 * </pre>
 *
 * The cells are one process, as in the measurement this comparison reproduces (two cells served by
 * one worker), so that going direct and going through a proxy load the same server: for HTTP/1.1
 * and h2c the project's own cell ({@code cell-loadtest cell}, one event loop), for gRPC grpc-java's
 * {@code AsyncServer}. Customers alternate between the two cells; the proxies route on {@code
 * x-customer-id}. Stopped on {@link #close()} (and on Ctrl-C); files live in the folder given.
 */
final class StandardServers implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    /**
     * A path under test: its name (column), where the client connects, what it is, its Prometheus
     * endpoint ({@code metrics}: the router's; null for the others), and the process whose CPU it
     * costs ({@code process}, with its descendants: the proxy's; null for direct).
     */
    record Target(String name, URI url, String description, URI metrics, ProcessHandle process) {}

    /** What to start. {@code routerJar} and {@code classpath} are copies the bench owns. */
    record Settings(
            int customers,
            String java,
            String classpath,
            Path routerJar,
            List<String> routerJvmArgs,
            List<String> compare,
            int proxyWorkers) {}

    private final Path dir;
    private final ChildProcesses children = new ChildProcesses();
    private final Map<String, Target> targets = new LinkedHashMap<>();
    private final Map<String, String> missing = new LinkedHashMap<>();
    private final Map<String, String> failed = new LinkedHashMap<>();

    private StandardServers(Path dir) {
        this.dir = dir;
    }

    static StandardServers start(StandardLoad load, Settings s, Path dir, PrintStream log)
            throws IOException, InterruptedException {
        StandardServers servers = new StandardServers(dir);
        try {
            servers.startAll(load, s, log);
            return servers;
        } catch (IOException | InterruptedException | RuntimeException e) {
            servers.close();
            throw e;
        }
    }

    /** In column order: direct, haproxy, nginx, router (those that run). */
    List<Target> targets() {
        List<Target> out = new ArrayList<>();
        for (String name : StandardBench.TARGETS) {
            if (targets.containsKey(name)) {
                out.add(targets.get(name));
            }
        }
        return out;
    }

    /** Peers asked for but not installed: name → what to install. */
    Map<String, String> missing() {
        return missing;
    }

    /** Peers that did not start: name → why (the rest of the load runs without them). */
    Map<String, String> failed() {
        return failed;
    }

    private void startAll(StandardLoad load, Settings s, PrintStream log) throws IOException, InterruptedException {
        int cellPort = Readiness.freePort();
        ChildProcesses.Child cell = children.start("cells", cellCommand(load, s, cellPort), dir);
        URI cellUrl = URI.create("http://127.0.0.1:" + cellPort);
        if (load.kind() == StandardLoad.Kind.HTTP1) {
            Readiness.awaitHttp200(cell, cellUrl, null, null, READY_TIMEOUT);
        } else {
            Readiness.awaitPort(cell, cellPort, READY_TIMEOUT);
        }
        List<ProxyConfigs.Cell> cells =
                List.of(new ProxyConfigs.Cell("cell-1", cellPort), new ProxyConfigs.Cell("cell-2", cellPort));
        targets.put(
                "direct",
                new Target(
                        "direct",
                        cellUrl,
                        load.kind() == StandardLoad.Kind.GRPC
                                ? "grpc-java AsyncServer (both cells)"
                                : "cell-loadtest cell, one event loop (both cells)",
                        null,
                        null));
        log.println(load.id() + ": cells at " + cellUrl);

        ProxyConfigs.Mode mode = mode(load);
        for (String name : s.compare()) {
            try {
                switch (name) {
                    case "haproxy" -> startHaproxy(cells, s, mode, log);
                    case "nginx" -> startNginx(cells, s, mode, log);
                    default ->
                        throw new IllegalArgumentException("--compare: '" + name + "' is not compared with the"
                                + " standard clients (nginx, haproxy)");
                }
            } catch (IllegalStateException e) {
                // Readiness: the peer exited or never listened; its log is in the message.
                failed.put(name, e.getMessage());
            }
        }
        startRouter(load, cells, s, log);
    }

    private List<String> cellCommand(StandardLoad load, Settings s, int port) {
        List<String> c = new ArrayList<>(List.of(s.java()));
        if (load.kind() == StandardLoad.Kind.GRPC) {
            c.addAll(List.of("-Xms512m", "-Xmx512m", "-cp", s.classpath(), Main.class.getName(), "grpc-bench-server"));
        } else {
            c.addAll(List.of(
                    "-Xms128m",
                    "-Xmx128m",
                    "-XX:+UseParallelGC",
                    "-cp",
                    s.classpath(),
                    Main.class.getName(),
                    "cell",
                    "--name",
                    "cell-1",
                    "--threads",
                    "1"));
        }
        c.addAll(List.of("--port", String.valueOf(port), "--exit-on-stdin-eof"));
        return c;
    }

    private void startRouter(StandardLoad load, List<ProxyConfigs.Cell> cells, Settings s, PrintStream log)
            throws IOException, InterruptedException {
        Path registry = dir.resolve("registry.json");
        String[] endpoints = cells.stream()
                .map(c -> load.cellScheme() + "://127.0.0.1:" + c.port())
                .toArray(String[]::new);
        RegistryFixture.write(registry, s.customers(), "c", endpoints);
        int port = Readiness.freePort();
        int adminPort = Readiness.freePort();
        Path config = dir.resolve("router.yaml");
        Files.writeString(config, ProxyConfigs.routerYaml(port, adminPort, registry));
        List<String> command = new ArrayList<>(List.of(s.java()));
        command.addAll(s.routerJvmArgs());
        command.addAll(List.of("-jar", s.routerJar().toString(), "serve", "--config", config.toString()));
        ChildProcesses.Child router = children.start("router", command, dir);
        Readiness.awaitHttp200(
                router, URI.create("http://127.0.0.1:" + adminPort + "/readyz"), null, null, READY_TIMEOUT);
        URI url = URI.create("http://127.0.0.1:" + port);
        targets.put(
                "router",
                new Target(
                        "router",
                        url,
                        "java " + String.join(" ", s.routerJvmArgs()) + " -jar cell-router.jar serve, cells "
                                + load.cellScheme() + "://, access log off",
                        URI.create("http://127.0.0.1:" + adminPort + "/metrics"),
                        router.process().toHandle()));
        log.println(load.id() + ": router at " + url);
    }

    private void startHaproxy(List<ProxyConfigs.Cell> cells, Settings s, ProxyConfigs.Mode mode, PrintStream log)
            throws IOException, InterruptedException {
        Optional<Path> haproxy = BenchServers.which("haproxy");
        if (haproxy.isEmpty()) {
            missing.put("haproxy", "haproxy is not installed: apt-get install -y haproxy");
            return;
        }
        int port = Readiness.freePort();
        Path map = dir.resolve("customers.map");
        Files.writeString(map, ProxyConfigs.haproxyMap(cells, s.customers()));
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, ProxyConfigs.haproxyCfg(map, port, cells, s.proxyWorkers(), mode));
        ChildProcesses.Child child =
                children.start("haproxy", List.of(haproxy.get().toString(), "-db", "-f", cfg.toString()), dir);
        Readiness.awaitPort(child, port, READY_TIMEOUT);
        URI url = URI.create("http://127.0.0.1:" + port);
        String version = ToolProcess.firstLine(List.of(haproxy.get().toString(), "-v"), "haproxy")
                .replaceFirst(" - https?://\\S+", "");
        targets.put(
                "haproxy",
                new Target(
                        "haproxy",
                        url,
                        version + ", " + s.proxyWorkers() + " threads"
                                + (mode == ProxyConfigs.Mode.HTTP1 ? "" : ", proto h2"),
                        null,
                        child.process().toHandle()));
        log.println("haproxy at " + url);
    }

    private void startNginx(List<ProxyConfigs.Cell> cells, Settings s, ProxyConfigs.Mode mode, PrintStream log)
            throws IOException, InterruptedException {
        Optional<Path> nginx = BenchServers.which("nginx");
        if (nginx.isEmpty()) {
            missing.put("nginx", "nginx is not installed: apt-get install -y nginx");
            return;
        }
        int port = Readiness.freePort();
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, ProxyConfigs.nginxConf(dir, port, cells, s.customers(), s.proxyWorkers(), mode));
        ChildProcesses.Child child = children.start(
                "nginx",
                List.of(nginx.get().toString(), "-e", "stderr", "-p", dir.toString(), "-c", conf.toString()),
                dir);
        Readiness.awaitPort(child, port, READY_TIMEOUT);
        URI url = URI.create("http://127.0.0.1:" + port);

        String how =
                switch (mode) {
                    case GRPC -> "http2 listener, grpc_pass";
                    case H2C -> "http2 listener, HTTP/1.1 to the cells (proxy_pass)";
                    default -> "proxy_pass";
                };
        String version = ToolProcess.firstLine(List.of(nginx.get().toString(), "-v"), "nginx")
                .replace("nginx version: ", "");
        targets.put(
                "nginx",
                new Target(
                        "nginx",
                        url,
                        version + ", " + s.proxyWorkers() + " workers, " + how,
                        null,
                        child.process().toHandle()));
        log.println("nginx at " + url);
    }

    private static ProxyConfigs.Mode mode(StandardLoad load) {
        return switch (load.kind()) {
            case GRPC -> ProxyConfigs.Mode.GRPC;
            case H2C -> ProxyConfigs.Mode.H2C;
            default -> ProxyConfigs.Mode.HTTP1;
        };
    }

    @Override
    public void close() {
        children.close();
    }
}
