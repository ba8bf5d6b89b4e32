package io.cellrouter.router.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The router as users run it: {@code java -jar target/cell-router.jar ...} in its own process
 * (for ITs, which run after {@code package}). Output goes to files in the work folder.
 */
public final class RouterProcess implements AutoCloseable {

    public static final Path JAR = Path.of("target", "cell-router.jar");

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private RouterProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code java [jvmArgs] -jar cell-router.jar args...}. */
    public static RouterProcess start(Path workDir, List<String> jvmArgs, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The production process turns Netty's leak detector off by default; tests keep Netty's own.
        command.add("-Dio.netty.leakDetection.level=simple");
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());
        command.addAll(List.of(args));
        Path out = workDir.resolve("router.out");
        Path err = workDir.resolve("router.err");
        Process process = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        return new RouterProcess(process, out, err);
    }

    /** Runs to completion and returns the exit code. */
    public static Result run(Path workDir, String... args) throws IOException, InterruptedException {
        try (RouterProcess p = start(workDir, List.of(), args)) {
            if (!p.process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("cell-router did not exit");
            }
            return new Result(p.process.exitValue(), p.stdout(), p.stderr());
        }
    }

    public record Result(int exitCode, String stdout, String stderr) {}

    public void awaitReady(int adminPort) {
        HttpClient client = HttpClient.newHttpClient();
        URI readyz = URI.create("http://127.0.0.1:" + adminPort + "/readyz");
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("router exited: " + stderr());
                    }
                    try {
                        return client.send(
                                                HttpRequest.newBuilder(readyz).build(),
                                                HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                == 200;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    public Process process() {
        return process;
    }

    public String stdout() throws IOException {
        return Files.readString(stdout);
    }

    public String stderr() throws IOException {
        return Files.readString(stderr);
    }

    /** The ports of a one-cell set-up written by {@link #oneCell}. */
    public record Setup(int proxyPort, int adminPort) {}

    /**
     * Writes {@code registry.yaml} (cell-1 at {@code cell}, customer acme on it) and {@code
     * config.yaml} (proxy and admin on free loopback ports) into {@code dir}. {@code proxyExtra}:
     * lines under {@code proxy:}; {@code topExtra}: more top-level keys.
     */
    public static Setup oneCell(Path dir, TestCell cell, String proxyExtra, String topExtra) throws IOException {
        Setup setup = new Setup(freePort(), freePort());
        Files.writeString(
                dir.resolve("registry.yaml"),
                "cells:\n  - name: cell-1\n    endpoint: " + cell.endpoint() + "\ncustomers:\n  acme: cell-1\n");
        Files.writeString(
                dir.resolve("config.yaml"),
                "proxy:\n  listen: 127.0.0.1:" + setup.proxyPort() + "\n" + proxyExtra
                        + "admin:\n  listen: 127.0.0.1:" + setup.adminPort() + "\n"
                        + "registry:\n  file: registry.yaml\n" + topExtra);
        return setup;
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
