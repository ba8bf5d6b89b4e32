package io.cellrouter.registry.cache;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.store.RegistryDocuments;
import io.cellrouter.registry.store.file.FileRegistryStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** The file registries the resolver's tests start from. */
final class TestRegistries {

    private TestRegistries() {}

    /** One active cell, cell-1, holding acme. */
    static RegistryDocument oneCell() {
        return new RegistryDocument(
                List.of(new Cell("cell-1", URI.create("http://cell-1:8080"), CellState.ACTIVE)),
                Map.of("acme", "cell-1"),
                List.of(),
                Map.of());
    }

    /** Writes {@code seed} to {@code registry.yaml} in {@code directory} and opens a file store on it. */
    static FileRegistryStore open(Path directory, RegistryDocument seed, Clock clock) throws IOException {
        Path file = directory.resolve("registry.yaml");
        Files.writeString(file, RegistryDocuments.write(seed));
        return FileRegistryStore.open(file, clock);
    }
}
