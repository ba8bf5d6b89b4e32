package io.cellrouter.registry.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real dynalite (npm {@code dynalite@4}, an in-memory DynamoDB-compatible server on LevelDB) in a
 * node process of its own, on a free loopback port. It is the node process itself that is started
 * and stopped (never through npx, whose node would be a grandchild).
 *
 * <p>dynalite comes from the repository's {@code package-lock.json}: {@code npm ci} at the
 * repository root installs it ({@code .ci/run} does). Without it the tests that need it fail, with a
 * message that says so; they are never skipped.
 *
 * <p>With a data directory it persists, so that it can be {@linkplain #stop stopped} and {@linkplain
 * #start started} again on the same port with the same tables (a store outage and its recovery).
 */
public final class Dynalite implements AutoCloseable {

    private static final Duration READY_WITHIN = Duration.ofSeconds(20);

    private final Path cli;
    private final int port;
    private final Path dataDirectory;
    private Process process;
    private Path log;

    private Dynalite(Path cli, int port, Path dataDirectory) {
        this.cli = cli;
        this.port = port;
        this.dataDirectory = dataDirectory;
    }

    /** Starts an in-memory dynalite on a free port. */
    public static Dynalite startInMemory() throws IOException {
        Dynalite dynalite = new Dynalite(locateCli(), freePort(), null);
        dynalite.start();
        return dynalite;
    }

    /** Starts a dynalite that keeps its tables in {@code dataDirectory}, so that it survives a restart. */
    public static Dynalite startPersistent(Path dataDirectory) throws IOException {
        Dynalite dynalite = new Dynalite(locateCli(), freePort(), dataDirectory);
        dynalite.start();
        return dynalite;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the node process (again) on this port and waits until it accepts connections. */
    public synchronized void start() throws IOException {
        if (isRunning()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of(
                "node",
                "--require",
                guard().toString(),
                cli.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--createTableMs",
                "0",
                "--deleteTableMs",
                "0",
                "--updateTableMs",
                "0"));
        if (dataDirectory != null) {
            Files.createDirectories(dataDirectory);
            command.add("--path");
            command.add(dataDirectory.toString());
        }
        removeLog(false); // a restart's log replaces the previous one
        log = Files.createTempFile("dynalite-" + port + "-", ".log");
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot run `node` (" + e.getMessage() + "): the DynamoDB tests need Node.js on the PATH", e);
        }
        Process started = process;
        await().atMost(READY_WITHIN).pollInterval(Duration.ofMillis(25)).until(() -> {
            if (!started.isAlive()) {
                throw new IllegalStateException(
                        "dynalite exited with " + started.exitValue() + ": " + Files.readString(log));
            }
            return accepts();
        });
    }

    /** Kills the node process (SIGKILL: an outage, not a shutdown) and waits until it is gone. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("dynalite (pid " + process.pid() + ") did not exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
        await().atMost(READY_WITHIN).pollInterval(Duration.ofMillis(25)).until(() -> !accepts());
    }

    @Override
    public synchronized void close() {
        boolean crashed = process != null && !process.isAlive();
        try {
            stop();
        } finally {
            removeLog(crashed);
        }
    }

    /** The log goes with the process; one that ended by itself has its log printed first. */
    private void removeLog(boolean crashed) {
        if (log == null) {
            return;
        }
        try {
            if (crashed) {
                System.err.println("dynalite ended by itself; its log:\n" + Files.readString(log));
            }
            Files.deleteIfExists(log);
        } catch (IOException e) {
            System.err.println("Dynalite: " + log + " left behind: " + e);
        }
        log = null;
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * dynalite throws (and exits) when a client aborts a request in the middle ({@code req.on('error',
     * throw)}): exactly what an SDK attempt timeout does. Real DynamoDB shrugs that off, so this guard,
     * loaded before dynalite's own code, ignores those aborts and lets every other error stop it.
     */
    private static final String GUARD =
            """
            process.on('uncaughtException', (err) => {
              if (err && (err.code === 'ECONNRESET' || err.message === 'aborted')) {
                return;
              }
              console.error(err);
              process.exit(1);
            });
            """;

    private static Path guard() throws IOException {
        Path guard = Files.createTempFile("dynalite-guard-", ".js");
        Files.writeString(guard, GUARD);
        guard.toFile().deleteOnExit();
        return guard;
    }

    /** {@code node_modules/dynalite/cli.js} in the working directory or one of its parents. */
    static Path locateCli() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path cli = dir.resolve("node_modules").resolve("dynalite").resolve("cli.js");
            if (Files.isRegularFile(cli)) {
                return cli;
            }
            if (Files.isRegularFile(dir.resolve("package-lock.json"))) {
                throw new IllegalStateException("dynalite is not installed: run `npm ci` in " + dir
                        + " (package-lock.json pins dynalite@4; .ci/run does this before the build)");
            }
        }
        throw new IllegalStateException("dynalite is not installed: no node_modules/dynalite/cli.js in " + start
                + " or its parents; run `npm ci` at the repository root");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
