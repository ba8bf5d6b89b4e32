package io.cellrouter.registry.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.store.file.FileRegistryStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order of an import through a store's own writes, and what a stopped import says. The store
 * is a real file store behind a proxy that records the writes and can make one unavailable.
 */
class RegistryImportTest {

    private static final Instant EXPIRY = Instant.parse("2099-01-01T00:00:00Z");

    @TempDir
    Path dir;

    private FileRegistryStore files;
    private final List<String> writes = new CopyOnWriteArrayList<>();
    private final AtomicInteger placementWrites = new AtomicInteger();
    /** The placement write (1-based) that fails as unavailable; 0 for none. */
    private volatile int unavailableAt;

    private RegistryStore store;

    @BeforeEach
    void open() throws Exception {
        Path file = dir.resolve("registry.yaml");
        Files.writeString(
                file,
                """
                cells:
                  - name: cell-1
                    endpoint: http://127.0.0.1:8081
                  - name: cell-2
                    endpoint: http://127.0.0.1:8082
                customers:
                  acme: cell-1
                  globex: cell-1
                  hooli: cell-1
                """);
        files = FileRegistryStore.open(file, Clock.systemUTC());
        store = (RegistryStore) Proxy.newProxyInstance(
                RegistryStore.class.getClassLoader(), new Class<?>[] {RegistryStore.class}, (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.equals("importDocument")) { // through the writes below, as a store without its own import
                        return RegistryImport.upsert((RegistryStore) proxy, (RegistryDocument) args[0]);
                    }
                    if (name.startsWith("put")) {
                        writes.add(name + " " + key(args[0]));
                        if (name.equals("putPlacement") && placementWrites.incrementAndGet() == unavailableAt) {
                            return CompletableFuture.failedFuture(
                                    new StoreUnavailableException("the store is not answering"));
                        }
                    }
                    try {
                        return method.invoke(files, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @AfterEach
    void close() {
        files.close();
    }

    private static String key(Object item) {
        if (item instanceof RoutingOverride override) {
            return override.customer();
        }
        if (item instanceof Cell cell) {
            return cell.name();
        }
        return String.valueOf(item);
    }

    /** Customers moved under a freeze: the freeze is in force before any of them moves, as in a move. */
    @Test
    void movesUnderAFreeze_writeTheFreezeBeforeThePlacement() throws Exception {
        RegistryDocument document = new RegistryDocument(
                List.of(new Cell("cell-3", URI.create("http://127.0.0.1:8083"), CellState.ACTIVE)),
                Map.of("acme", "cell-3"),
                List.of(RoutingOverride.freeze("acme", EXPIRY, "moving to cell-3")),
                Map.of());

        ImportResult result = store.importDocument(document).get(10, TimeUnit.SECONDS);

        assertThat(result.failed()).isZero();
        assertThat(writes).containsExactly("putCell cell-3", "putOverride acme", "putPlacement acme");
    }

    @Test
    void anImportStoppedByTheStore_saysWhatWasWrittenBeforeItStopped() {
        unavailableAt = 3;
        RegistryDocument document = new RegistryDocument(
                List.of(),
                Map.of("acme", "cell-2", "globex", "cell-2", "hooli", "cell-2"),
                List.of(RoutingOverride.toCell("acme", "cell-2", EXPIRY.minus(Duration.ofDays(1)), "drill")),
                Map.of());

        CompletableFuture<ImportResult> imported = store.importDocument(document);

        assertThat(imported)
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(StoreUnavailableException.class)
                .withMessageContaining("the store is not answering")
                .withMessageContaining("written before it stopped: 0 cells, 1 overrides, 2 placements")
                .withMessageContaining("importing the document again writes only what still differs");
    }
}
