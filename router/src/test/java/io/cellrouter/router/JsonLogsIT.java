package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellrouter.router.testing.RouterProcess;
import io.cellrouter.router.testing.TestCell;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fat jar's logs as a log pipeline sees them: with {@code logging.format: json} every line on
 * stderr is one JSON object and an admin write's audit record is an object of its line; the access
 * log stays one JSON object per line on stdout; by default stderr is readable text. The admin token
 * appears nowhere.
 */
class JsonLogsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "json-logs-admin-token-0123456789";

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void jsonFormat_everyStderrLineIsAJsonObject_andTheAuditRecordIsAnObject() throws Exception {
        try (TestCell cell = TestCell.start("cell-1")) {
            RouterProcess.Setup setup = setUp(cell, "logging:\n  format: json\n");
            try (RouterProcess router = RouterProcess.start(dir, List.of(), "serve", "--config", "config.yaml")) {
                router.awaitReady(setup.adminPort());
                assertThat(proxyGet(setup).statusCode()).isEqualTo(200);
                HttpResponse<String> put = client.send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + setup.adminPort() + "/admin/v1/cells/cell-2"))
                                .header("authorization", "Bearer " + TOKEN)
                                .PUT(HttpRequest.BodyPublishers.ofString("{\"endpoint\": \"http://127.0.0.1:1\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(put.statusCode()).as(put.body()).isEqualTo(201);

                await().atMost(Duration.ofSeconds(10))
                        .until(() -> router.stderr().contains("cellrouter.audit"));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> router.stdout().contains("\"customer\":\"acme\""));

                List<JsonNode> lines = jsonLines(router.stderr());
                assertThat(lines).anySatisfy(line -> {
                    assertThat(line.path("logger").asText()).isEqualTo("io.cellrouter.router.RouterServer");
                    assertThat(line.path("message").asText())
                            .startsWith("cell-router ")
                            .contains(" started: ");
                    assertThat(line.path("level").asText()).isEqualTo("INFO");
                    assertThat(line.path("time").asText()).endsWith("Z");
                });
                JsonNode audit = lines.stream()
                        .filter(line -> line.path("logger").asText().equals("cellrouter.audit"))
                        .findFirst()
                        .orElseThrow()
                        .path("audit");
                assertThat(audit.isObject()).isTrue();
                assertThat(audit.path("action").asText()).isEqualTo("put_cell");
                assertThat(audit.path("target").asText()).isEqualTo("cell/cell-2");
                assertThat(audit.path("result").asText()).isEqualTo("applied");
                assertThat(audit.path("who").asText()).startsWith("token:sha256:");

                JsonNode access = jsonLines(router.stdout()).get(0);
                assertThat(access.path("customer").asText()).isEqualTo("acme");
                assertThat(access.path("status").asInt()).isEqualTo(200);
                assertThat(router.stderr() + router.stdout()).doesNotContain(TOKEN);
            }
        }
    }

    @Test
    void byDefault_stderrIsReadableText() throws Exception {
        try (TestCell cell = TestCell.start("cell-1")) {
            RouterProcess.Setup setup = setUp(cell, "");
            try (RouterProcess router = RouterProcess.start(dir, List.of(), "serve", "--config", "config.yaml")) {
                router.awaitReady(setup.adminPort());

                String started = router.stderr()
                        .lines()
                        .filter(line -> line.contains(" started: "))
                        .findFirst()
                        .orElseThrow();
                assertThat(started).doesNotStartWith("{").matches("\\d{4}-\\d\\d-\\d\\dT\\S+ INFO  \\[main] .*");
            }
        }
    }

    private RouterProcess.Setup setUp(TestCell cell, String extra) throws IOException {
        RouterProcess.Setup setup = RouterProcess.oneCell(dir, cell, "", extra);
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, Files.readString(config).replace("admin:\n", "admin:\n  token: " + TOKEN + "\n"));
        return setup;
    }

    private HttpResponse<String> proxyGet(RouterProcess.Setup setup) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + setup.proxyPort() + "/hello"))
                        .header("x-customer-id", "acme")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Every non-empty line, each of which must be one JSON object. */
    private static List<JsonNode> jsonLines(String text) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (IOException e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
            assertThat(node.isObject()).as(line).isTrue();
            lines.add(node);
        }
        return lines;
    }
}
