package io.cellrouter.router.testing;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (the Debian package's {@code prometheus}) in a process of its own, on a
 * free loopback port, with its storage in a temporary folder, and a client for its HTTP API.
 */
public final class PrometheusServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path log;
    private final URI base;
    private final HttpClient client = HttpClient.newHttpClient();

    private PrometheusServer(Process process, Path log, URI base) {
        this.process = process;
        this.log = log;
        this.base = base;
    }

    /** Starts {@code prometheus} with {@code config} (a prometheus.yml) and waits until it is ready. */
    public static PrometheusServer start(Path workDir, Path config) throws IOException {
        Path binary = ExternalTools.require("prometheus", "prometheus");
        int port = RouterProcess.freePort();
        Path log = workDir.resolve("prometheus.log");
        Process process = new ProcessBuilder(List.of(
                        binary.toString(),
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + workDir.resolve("tsdb"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--log.level=warn"))
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        PrometheusServer server = new PrometheusServer(process, log, URI.create("http://127.0.0.1:" + port));
        try {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(server::ready);
        } catch (RuntimeException e) {
            String output = server.log();
            server.close();
            throw new IllegalStateException("prometheus did not become ready: " + output, e);
        }
        return server;
    }

    private boolean ready() throws IOException, InterruptedException {
        if (!process.isAlive()) {
            throw new IllegalStateException("prometheus exited with " + process.exitValue() + ": " + log());
        }
        try {
            return client.send(
                                    HttpRequest.newBuilder(base.resolve("/-/ready"))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Evaluates an instant query; returns {@code data.result}. A query Prometheus refuses (a parse
     * error, an unknown function) throws with Prometheus's own message.
     */
    public JsonNode query(String promql) throws IOException, InterruptedException {
        return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8), promql)
                .path("result");
    }

    /** The series matching a selector ({@code /api/v1/series}). */
    public JsonNode series(String selector) throws IOException, InterruptedException {
        return api("/api/v1/series?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8), selector);
    }

    /** The alerts pending or firing now ({@code /api/v1/alerts}). */
    public JsonNode alerts() throws IOException, InterruptedException {
        return api("/api/v1/alerts", "alerts").path("alerts");
    }

    private JsonNode api(String pathAndQuery, String what) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        if (!"success".equals(body.path("status").asText())) {
            throw new IllegalArgumentException("Prometheus refused " + what + ": " + response.body());
        }
        return body.path("data");
    }

    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
