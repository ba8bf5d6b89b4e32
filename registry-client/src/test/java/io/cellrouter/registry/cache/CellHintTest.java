package io.cellrouter.registry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.cache.Resolution.Outcome;
import io.cellrouter.registry.cache.Resolution.Source;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.store.RegistryDocuments;
import io.cellrouter.registry.store.file.FileRegistryStore;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token's cell hint (README: How a request is routed): it routes customers the registry does not know, and
 * routes them while the registry cannot be reached; when the registry places the customer
 * elsewhere, the registry wins and the listener is told.
 */
class CellHintTest {

    private static final Instant START = Instant.parse("2026-06-01T00:00:00Z");
    private static final ResolverConfig CONFIG = ResolverConfig.defaults().withPollInterval(Duration.ofHours(1));

    @TempDir
    Path directory;

    private final AtomicInteger overruled = new AtomicInteger();
    private final ResolverListener listener = new ResolverListener() {
        @java.lang.Override
        public void hintOverruled(String hintedCell, String placedCell) {
            assertThat(hintedCell).isEqualTo("cell-2");
            assertThat(placedCell).isEqualTo("cell-1");
            overruled.incrementAndGet();
        }
    };
    private FileRegistryStore files;
    private CountingStore store;
    private CachingResolver resolver;

    @BeforeEach
    void openRegistry() throws Exception {
        Path file = directory.resolve("registry.yaml");
        Files.writeString(
                file,
                RegistryDocuments.write(new RegistryDocument(
                        List.of(
                                new Cell("cell-1", URI.create("http://cell-1:8080"), CellState.ACTIVE),
                                new Cell("cell-2", URI.create("http://cell-2:8080"), CellState.ACTIVE)),
                        Map.of("acme", "cell-1"),
                        List.of(),
                        Map.of())));
        files = FileRegistryStore.open(file, new MutableClock(START));
        store = new CountingStore(files);
    }

    @AfterEach
    void close() {
        if (resolver != null) {
            resolver.close();
        }
        files.close();
    }

    private void start(ResolverConfig config) throws Exception {
        resolver = CachingResolver.builder()
                .store(store)
                .config(config)
                .clock(new MutableClock(START))
                .ticker(new FakeTicker())
                .listener(listener)
                .buildCaching();
        resolver.start().get(10, TimeUnit.SECONDS);
    }

    private Resolution resolve(String customer, String hint) throws Exception {
        return resolver.resolve(customer, hint).get(10, TimeUnit.SECONDS);
    }

    @Test
    void hint_routesACustomerTheRegistryDoesNotKnow() throws Exception {
        start(CONFIG);

        Resolution resolution = resolve("newco", "cell-2");

        assertThat(resolution.outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(resolution.cell().name()).isEqualTo("cell-2");
        assertThat(resolution.source()).isEqualTo(Source.TOKEN);
        assertThat(resolve("newco", null).outcome()).isEqualTo(Outcome.UNKNOWN_CUSTOMER);
    }

    @Test
    void hint_routesWhileTheRegistryIsUnreachable() throws Exception {
        start(CONFIG.withPreload(false));
        store.down();

        Resolution resolution = resolve("newco", "cell-2");

        assertThat(resolution.outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(resolution.cell().name()).isEqualTo("cell-2");
        assertThat(resolution.source()).isEqualTo(Source.TOKEN);
        assertThat(resolve("other", null).outcome()).isEqualTo(Outcome.REGISTRY_UNAVAILABLE);
    }

    @Test
    void registryPlacementElsewhere_winsOverTheHint_andIsCountedOnEveryRequest() throws Exception {
        start(CONFIG.withPreload(false));

        Resolution fromRegistry = resolve("acme", "cell-2");
        Resolution fromCache = resolve("acme", "cell-2");

        assertThat(fromRegistry.cell().name()).isEqualTo("cell-1");
        assertThat(fromRegistry.source()).isEqualTo(Source.REGISTRY);
        assertThat(fromCache.cell().name()).isEqualTo("cell-1");
        assertThat(fromCache.source()).isEqualTo(Source.CACHE);
        assertThat(overruled).hasValue(2);
    }

    @Test
    void hintThatAgreesWithTheRegistry_isNotCounted() throws Exception {
        start(CONFIG);

        assertThat(resolve("acme", "cell-1").cell().name()).isEqualTo("cell-1");
        assertThat(resolve("acme", null).cell().name()).isEqualTo("cell-1");

        assertThat(overruled).hasValue(0);
    }
}
