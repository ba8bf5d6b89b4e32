package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.RouterProcess;
import io.cellrouter.router.testing.TestCell;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file store and the last-known-good snapshot, as the README promises for every store: a router
 * that starts while its registry file cannot be read serves the snapshot, and takes the file up
 * again once it is back.
 */
class FileSnapshotIT {

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void restartWithTheRegistryFileGone_routesFromTheSnapshotThenTakesTheFileUpAgain() throws Exception {
        try (TestCell cell1 = TestCell.start("cell-1");
                TestCell cell2 = TestCell.start("cell-2")) {
            String registry = "cells:\n  - name: cell-1\n    endpoint: " + cell1.endpoint() + "\n  - name: cell-2\n"
                    + "    endpoint: " + cell2.endpoint() + "\ncustomers:\n  acme: cell-1\n  globex: cell-2\n";
            Files.writeString(dir.resolve("registry.yaml"), registry);
            int proxyPort = RouterProcess.freePort();
            int adminPort = RouterProcess.freePort();
            Files.writeString(
                    dir.resolve("config.yaml"),
                    """
                    proxy:
                      listen: 127.0.0.1:%d
                    admin:
                      listen: 127.0.0.1:%d
                    registry:
                      file: registry.yaml
                      snapshot: state/snapshot.json
                    overrides:
                      pollInterval: 200ms
                    """
                            .formatted(proxyPort, adminPort));
            Path snapshot = dir.resolve("state/snapshot.json");

            try (RouterProcess first = RouterProcess.start(dir, List.of(), "serve", "--config", "config.yaml")) {
                first.awaitReady(adminPort);
                await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(snapshot));
                first.process().destroy();
                assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            Files.delete(dir.resolve("registry.yaml"));

            try (RouterProcess second = RouterProcess.start(dir, List.of(), "serve", "--config", "config.yaml")) {
                second.awaitReady(adminPort);

                assertThat(readyz(adminPort)).contains("\"origin\":\"snapshot\"", "\"storeReachable\":false");
                assertThat(servedBy(proxyPort, "acme")).isEqualTo("cell-1");
                assertThat(servedBy(proxyPort, "globex")).isEqualTo("cell-2");
                assertThat(second.stderr()).contains("last-known-good snapshot").contains("registry.yaml");

                Files.writeString(dir.resolve("registry.yaml"), registry.replace("acme: cell-1", "acme: cell-2"));

                await().atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> readyz(adminPort).contains("\"origin\":\"store\""));
                assertThat(servedBy(proxyPort, "acme")).isEqualTo("cell-2");
            }
        }
    }

    private String readyz(int adminPort) throws Exception {
        return client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private String servedBy(int proxyPort, String customer) throws Exception {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/x"))
                        .header("x-customer-id", customer)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        // Not served by a cell: the router's own answer, whole, so that a failure says why.
        return response.headers()
                .firstValue("x-served-by")
                .orElse(response.statusCode() + " " + response.headers().map() + " " + response.body());
    }
}
