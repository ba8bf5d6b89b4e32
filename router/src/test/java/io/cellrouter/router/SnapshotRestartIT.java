package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.store.dynamodb.DynamoDbRegistryStore;
import io.cellrouter.registry.store.dynamodb.DynamoDbSettings;
import io.cellrouter.registry.store.dynamodb.Tables;
import io.cellrouter.registry.testing.Dynalite;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router as users run it (the fat jar) on DynamoDB: it writes its last-known-good snapshot; when
 * restarted while the store is down it starts from that snapshot, says so in its log and on
 * {@code /readyz}, routes the snapshot's customers, and catches up when the store returns.
 */
class SnapshotRestartIT {

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void restartWhileTheStoreIsDown_routesFromTheSnapshotThenCatchesUp() throws Exception {
        try (Dynalite dynalite = Dynalite.startPersistent(dir.resolve("dynalite"));
                TestCell cell1 = TestCell.start("cell-1");
                TestCell cell2 = TestCell.start("cell-2")) {
            DynamoDbSettings table =
                    Tables.settings(dynalite.endpoint(), "snapshot-it").forBulkWork();
            try (DynamoDbRegistryStore admin = DynamoDbRegistryStore.open(table, Clock.systemUTC())) {
                admin.createTable().join();
                admin.importDocument(new RegistryDocument(
                                List.of(
                                        new Cell("cell-1", URI.create(cell1.endpoint()), CellState.ACTIVE),
                                        new Cell("cell-2", URI.create(cell2.endpoint()), CellState.ACTIVE)),
                                Map.of("acme", "cell-1", "globex", "cell-2"),
                                List.of(),
                                Map.of()))
                        .join();
            }
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
                      dynamodb:
                        table: snapshot-it
                        endpoint: %s
                      snapshot: state/snapshot.json
                    overrides:
                      pollInterval: 200ms
                    """
                            .formatted(proxyPort, adminPort, dynalite.endpoint()));
            Path snapshot = dir.resolve("state/snapshot.json");

            try (RouterProcess first = RouterProcess.start(dir, List.of(), "serve", "--config", "config.yaml")) {
                first.awaitReady(adminPort);
                await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(snapshot));
                assertThat(readyz(adminPort).body()).contains("\"origin\":\"store\"");
                first.process().destroy();
                assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            dynalite.stop();

            try (RouterProcess second = RouterProcess.start(dir, List.of(), "serve", "--config", "config.yaml")) {
                second.awaitReady(adminPort);

                HttpResponse<String> ready = readyz(adminPort);
                assertThat(ready.body()).contains("\"origin\":\"snapshot\"", "\"storeReachable\":false");
                assertThat(servedBy(proxyPort, "acme")).isEqualTo("cell-1");
                assertThat(servedBy(proxyPort, "globex")).isEqualTo("cell-2");
                assertThat(second.stderr()).contains("last-known-good snapshot").contains("snapshot.json");

                dynalite.start();

                await().atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> readyz(adminPort).body().contains("\"origin\":\"store\""));
                assertThat(second.stderr()).contains("caught up with the store");
                assertThat(servedBy(proxyPort, "acme")).isEqualTo("cell-1");
            }
        }
    }

    private HttpResponse<String> readyz(int adminPort) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String servedBy(int proxyPort, String customer) throws Exception {
        return client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/x"))
                                .header("x-customer-id", customer)
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .headers()
                .firstValue("x-served-by")
                .orElse(null);
    }
}
