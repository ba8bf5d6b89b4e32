package io.cellrouter.loadtest.bench;

import io.cellrouter.loadtest.cli.Main;
import io.cellrouter.loadtest.jmh.RegistryFixture;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Everything a benchmark runs against, each in its own process so that the router, the cells and
 * the load generator do not share a heap, a JIT or a GC:
 *
 * <pre>
 *  generator (this JVM) ─┬─ direct ──────────────────────────────┬─► cell-1 (java, cell-loadtest cell)
 *                        ├─ router  (java -jar cell-router.jar) ─┤
 *                        ├─ nginx   (when asked and installed) ──┤
 *                        └─ haproxy (when asked and installed) ──┴─► cell-2
 * </pre>
 *
 * <p>All files (registry, configurations, logs) live in one temporary folder. {@link #close()}
 * stops every process (so does Ctrl-C) and deletes the folder unless asked to keep it.
 */
public final class BenchServers implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    /** A path under test: its name and the URLs its connections go to. */
    public record Target(String name, List<URI> urls, String description, List<ProcessHandle> processes) {

        /** CPU time used so far by the target's processes and their descendants ({@link ProcessCpu}). */
        public Duration cpu() {
            Duration total = Duration.ZERO;
            for (ProcessHandle p : processes) {
                total = total.plus(ProcessCpu.of(p));
            }
            return total;
        }
    }

    /** What to start. */
    public record Settings(
            int customers,
            Path routerJar,
            List<String> routerJvmArgs,
            List<String> compare,
            int proxyWorkers,
            boolean keepFiles) {}

    private final Path dir;
    private final boolean keepFiles;
    private final ChildProcesses children = new ChildProcesses();
    private final List<Target> targets = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();

    private BenchServers(Path dir, boolean keepFiles) {
        this.dir = dir;
        this.keepFiles = keepFiles;
    }

    public static BenchServers start(Settings settings, PrintStream log) throws IOException, InterruptedException {
        BenchServers servers = new BenchServers(Files.createTempDirectory("cell-bench"), settings.keepFiles());
        try {
            servers.startAll(settings, log);
            return servers;
        } catch (IOException | InterruptedException | RuntimeException e) {
            servers.close();
            throw e;
        }
    }

    public List<Target> targets() {
        return targets;
    }

    /** Comparisons asked for but not run (not installed), with the reason. */
    public List<String> skipped() {
        return skipped;
    }

    public Path dir() {
        return dir;
    }

    private void startAll(Settings s, PrintStream log) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        // Run the children from copies: a build replacing the jars mid-run must not break them.
        String classpath = copyIfJar(ownClasspath());
        Path routerJar = dir.resolve("cell-router.jar");
        Files.copy(s.routerJar(), routerJar);
        List<ProxyConfigs.Cell> cells = List.of(
                new ProxyConfigs.Cell("cell-1", Readiness.freePort()),
                new ProxyConfigs.Cell("cell-2", Readiness.freePort()));
        List<URI> cellUrls = new ArrayList<>();
        List<ChildProcesses.Child> cellChildren = new ArrayList<>();
        for (ProxyConfigs.Cell cell : cells) {
            cellChildren.add(children.start(
                    cell.name(),
                    List.of(
                            java,
                            "-Xms128m",
                            "-Xmx128m",
                            "-XX:+UseParallelGC",
                            "-cp",
                            classpath,
                            Main.class.getName(),
                            "cell",
                            "--name",
                            cell.name(),
                            "--port",
                            String.valueOf(cell.port()),
                            "--threads",
                            "1",
                            "--exit-on-stdin-eof"),
                    dir));
            cellUrls.add(URI.create("http://127.0.0.1:" + cell.port()));
        }
        for (int i = 0; i < cells.size(); i++) {
            Readiness.awaitHttp200(cellChildren.get(i), cellUrls.get(i), null, null, READY_TIMEOUT);
        }
        targets.add(new Target(
                "direct",
                cellUrls,
                "straight to the two cells (connections split between them)",
                cellChildren.stream().map(c -> c.process().toHandle()).toList()));
        log.println("cells: " + cellUrls);

        Path registry = dir.resolve("registry.json");
        RegistryFixture.write(
                registry,
                s.customers(),
                "c",
                cells.stream().map(c -> "http://127.0.0.1:" + c.port()).toArray(String[]::new));
        int routerPort = Readiness.freePort();
        int adminPort = Readiness.freePort();
        Path routerConfig = dir.resolve("router.yaml");
        Files.writeString(routerConfig, ProxyConfigs.routerYaml(routerPort, adminPort, registry));
        List<String> routerCommand = new ArrayList<>();
        routerCommand.add(java);
        routerCommand.addAll(s.routerJvmArgs());
        routerCommand.addAll(List.of("-jar", routerJar.toString(), "serve", "--config", routerConfig.toString()));
        ChildProcesses.Child router = children.start("router", routerCommand, dir);
        Readiness.awaitHttp200(
                router, URI.create("http://127.0.0.1:" + adminPort + "/readyz"), null, null, READY_TIMEOUT);
        URI routerUrl = URI.create("http://127.0.0.1:" + routerPort);
        Readiness.awaitHttp200(router, routerUrl, "x-customer-id", "c0", READY_TIMEOUT);
        List<String> shown = new ArrayList<>(List.of("java"));
        shown.addAll(s.routerJvmArgs());
        shown.addAll(List.of("-jar", s.routerJar().toString(), "serve"));
        targets.add(new Target(
                "router",
                List.of(routerUrl),
                String.join(" ", shown) + " (access log off)",
                List.of(router.process().toHandle())));
        log.println("router: " + routerUrl + " (" + s.routerJar() + ")");

        for (String name : s.compare()) {
            switch (name) {
                case "nginx" -> startNginx(cells, s, log);
                case "haproxy" -> startHaproxy(cells, s, log);
                case "relay" -> startRelay(java, classpath, cells, s, log);
                default ->
                    throw new IllegalArgumentException(
                            "--compare: unknown proxy '" + name + "' (nginx, haproxy, relay)");
            }
        }
    }

    /**
     * The byte relay: one bare Netty hop, no HTTP and no routing (each client connection is tied to
     * one cell), with the router's JVM options and one event loop per worker: the floor under the
     * router's figures.
     */
    private void startRelay(String java, String classpath, List<ProxyConfigs.Cell> cells, Settings s, PrintStream log)
            throws IOException, InterruptedException {
        int port = Readiness.freePort();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(s.routerJvmArgs());
        command.addAll(List.of(
                "-cp",
                classpath,
                Main.class.getName(),
                "relay",
                "--port",
                String.valueOf(port),
                "--threads",
                String.valueOf(s.proxyWorkers()),
                "--exit-on-stdin-eof"));
        for (ProxyConfigs.Cell cell : cells) {
            command.addAll(List.of("--cell", "127.0.0.1:" + cell.port()));
        }
        ChildProcesses.Child child = children.start("relay", command, dir);
        URI url = URI.create("http://127.0.0.1:" + port);
        Readiness.awaitHttp200(child, url, "x-customer-id", "c0", READY_TIMEOUT);
        targets.add(new Target(
                "relay",
                List.of(url),
                "byte relay (Netty, no HTTP, no routing: each connection tied to one cell), " + s.proxyWorkers()
                        + " event loops",
                List.of(child.process().toHandle())));
        log.println("relay: " + url);
    }

    private void startNginx(List<ProxyConfigs.Cell> cells, Settings s, PrintStream log)
            throws IOException, InterruptedException {
        Optional<Path> nginx = which("nginx");
        if (nginx.isEmpty()) {
            skipped.add("nginx: not installed (apt-get install -y nginx)");
            log.println("nginx: not installed, skipped");
            return;
        }
        int port = Readiness.freePort();
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, ProxyConfigs.nginxConf(dir, port, cells, s.customers(), s.proxyWorkers()));
        ChildProcesses.Child child = children.start(
                "nginx",
                List.of(nginx.get().toString(), "-e", "stderr", "-p", dir.toString(), "-c", conf.toString()),
                dir);
        URI url = URI.create("http://127.0.0.1:" + port);
        Readiness.awaitHttp200(child, url, "x-customer-id", "c0", READY_TIMEOUT);
        targets.add(new Target(
                "nginx",
                List.of(url),
                nginxVersion(nginx.get()) + ", " + s.proxyWorkers() + " workers",
                List.of(child.process().toHandle())));
        log.println("nginx: " + url);
    }

    private void startHaproxy(List<ProxyConfigs.Cell> cells, Settings s, PrintStream log)
            throws IOException, InterruptedException {
        Optional<Path> haproxy = which("haproxy");
        if (haproxy.isEmpty()) {
            skipped.add("haproxy: not installed (apt-get install -y haproxy)");
            log.println("haproxy: not installed, skipped");
            return;
        }
        int port = Readiness.freePort();
        Path map = dir.resolve("customers.map");
        Files.writeString(map, ProxyConfigs.haproxyMap(cells, s.customers()));
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, ProxyConfigs.haproxyCfg(map, port, cells, s.proxyWorkers()));
        ChildProcesses.Child child =
                children.start("haproxy", List.of(haproxy.get().toString(), "-db", "-f", cfg.toString()), dir);
        URI url = URI.create("http://127.0.0.1:" + port);
        Readiness.awaitHttp200(child, url, "x-customer-id", "c0", READY_TIMEOUT);
        targets.add(new Target(
                "haproxy",
                List.of(url),
                "haproxy, " + s.proxyWorkers() + " threads",
                List.of(child.process().toHandle())));
        log.println("haproxy: " + url);
    }

    private static String nginxVersion(Path nginx) {
        try {
            Process p = new ProcessBuilder(nginx.toString(), "-v")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor();
            return out.replace("nginx version: ", "");
        } catch (IOException | InterruptedException e) {
            return "nginx";
        }
    }

    public static Optional<Path> which(String name) {
        List<String> dirs = new ArrayList<>(
                Arrays.asList(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin"));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private String copyIfJar(String classpath) throws IOException {
        Path path = Path.of(classpath);
        if (!classpath.contains(File.pathSeparator) && Files.isRegularFile(path)) {
            Path copy = dir.resolve("cell-loadtest.jar");
            Files.copy(path, copy);
            return copy.toString();
        }
        return classpath;
    }

    /** The jar (or class folders) this code runs from, for starting the cells. */
    public static String ownClasspath() {
        try {
            Path location = Path.of(Main.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            if (Files.isRegularFile(location)) {
                return location.toString();
            }
        } catch (URISyntaxException | RuntimeException e) {
            // Fall back to the class path as launched.
        }
        return System.getProperty("java.class.path");
    }

    @Override
    public void close() {
        children.close();
        if (!keepFiles) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // A leftover temporary folder is not worth failing the run for.
            }
        }
    }
}
