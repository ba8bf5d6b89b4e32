package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.ExternalTools;
import io.cellrouter.router.testing.RouterProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's one-command try-out of the DynamoDB store, {@code scripts/try-dynamodb.sh}, as a
 * user runs it: dynalite, two cells, create-table, import, serve; customers routed from the table;
 * SIGTERM stops everything it started.
 */
class TryDynamoDbScriptIT {

    @TempDir
    Path dir;

    @Test
    void tryDynamoDbScript_routesImportedCustomersFromTheTable_andStopsEverythingOnSigterm() throws Exception {
        ExternalTools.require("python3", "python3");
        Path root = ExternalTools.repositoryRoot();
        assertThat(root.resolve("router").resolve(RouterProcess.JAR)).isRegularFile();
        Map<String, Integer> ports = Map.of(
                "PROXY_PORT", RouterProcess.freePort(),
                "ADMIN_PORT", RouterProcess.freePort(),
                "DYNALITE_PORT", RouterProcess.freePort(),
                "CELL1_PORT", RouterProcess.freePort(),
                "CELL2_PORT", RouterProcess.freePort());
        Path output = dir.resolve("try-dynamodb.log");
        ProcessBuilder builder = new ProcessBuilder(List.of("bash", "scripts/try-dynamodb.sh"))
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        ports.forEach((name, port) -> builder.environment().put(name, port.toString()));
        Process script = builder.start();
        HttpClient client = HttpClient.newHttpClient();
        try {
            URI readyz = URI.create("http://127.0.0.1:" + ports.get("ADMIN_PORT") + "/readyz");
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        if (!script.isAlive()) {
                            throw new IllegalStateException("the script exited: " + Files.readString(output));
                        }
                        try {
                            return client.send(
                                                    HttpRequest.newBuilder(readyz)
                                                            .build(),
                                                    HttpResponse.BodyHandlers.ofString())
                                            .statusCode()
                                    == 200;
                        } catch (IOException e) {
                            return false;
                        }
                    });
            assertThat(client.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.ofString())
                            .body())
                    .contains("\"origin\":\"store\"");
            for (String[] customer : new String[][] {{"acme", "cell-1"}, {"globex", "cell-2"}}) {
                HttpResponse<String> response = client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get("PROXY_PORT") + "/"))
                                .header("x-customer-id", customer[0])
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).contains("hello from " + customer[1]);
            }
        } finally {
            script.destroy(); // SIGTERM, as Ctrl-C's neighbour
            if (!script.waitFor(60, TimeUnit.SECONDS)) {
                script.destroyForcibly();
            }
        }
        assertThat(script.exitValue()).as(Files.readString(output)).isZero();
        for (int port : ports.values()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !accepts(port));
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
