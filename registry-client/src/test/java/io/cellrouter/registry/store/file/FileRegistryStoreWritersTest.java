package io.cellrouter.registry.store.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.model.Placement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two writers of one registry file (the router's admin API and {@code registry import}, say; here
 * two stores of one process, which take the same lock as two processes do): no write undoes
 * another's.
 */
class FileRegistryStoreWritersTest {

    @TempDir
    Path directory;

    private final List<FileRegistryStore> stores = new ArrayList<>();

    @AfterEach
    void close() {
        stores.forEach(FileRegistryStore::close);
    }

    private FileRegistryStore open(Path file) {
        FileRegistryStore store = FileRegistryStore.open(file, Clock.systemUTC());
        stores.add(store);
        return store;
    }

    @Test
    void twoStoresPlacingCustomersAtOnce_loseNoPlacement() throws Exception {
        Path file = directory.resolve("registry.yaml");
        Files.writeString(
                file,
                """
                cells:
                  - name: cell-1
                    endpoint: http://127.0.0.1:8081
                customers:
                  seed: cell-1
                """);
        FileRegistryStore admin = open(file);
        FileRegistryStore importer = open(file);

        List<CompletableFuture<Placement>> writes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            writes.add(admin.putPlacement("a" + i, "cell-1", 0));
            writes.add(importer.putPlacement("b" + i, "cell-1", 0));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        FileRegistryStore reader = open(file);
        List<Placement> placements = reader.placements().get(10, TimeUnit.SECONDS);
        assertThat(placements).hasSize(81);
    }
}
