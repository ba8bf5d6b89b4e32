package io.cellrouter.registry.store.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.Shadow;
import io.cellrouter.registry.store.Change;
import io.cellrouter.registry.store.RegistryDocuments;
import io.cellrouter.registry.store.RejectedEdit;
import io.cellrouter.registry.store.StoreUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry file belongs to its operator: the store's writes keep the document's own form, and
 * an edit that would silently empty the fleet is refused.
 */
class FileRegistryStoreEditsTest {

    private static final Duration DEBOUNCE = Duration.ofMillis(20);

    /** Written as an operator would: customers first, {@code state: active} spelt out, metadata after. */
    private static final String OPERATOR_DOCUMENT =
            """
            customers:
              acme: cell-1
              globex: cell-2
            cells:
              - name: cell-1
                state: active
                endpoint: http://10.0.1.10:8080
                tier: prod
              - name: cell-2
                endpoint: http://10.0.2.10:8080
                region: eu-west-1
            """;

    @TempDir
    Path directory;

    private final Clock clock = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);
    private final List<FileRegistryStore> stores = new ArrayList<>();

    @AfterEach
    void close() {
        stores.forEach(FileRegistryStore::close);
    }

    @Test
    void move_keepsTheOperatorsFieldsAndOrder_andWritesNoVersions() throws Exception {
        write(OPERATOR_DOCUMENT);
        FileRegistryStore store = open();

        join(store.putPlacement("acme", "cell-2", 1));

        assertThat(read()).isEqualTo(OPERATOR_DOCUMENT.replace("acme: cell-1", "acme: cell-2"));
    }

    @Test
    void move_versionSurvivesAReopen_withoutAVersionsBlockInTheDocument() throws Exception {
        write(OPERATOR_DOCUMENT);
        FileRegistryStore store = open();
        join(store.putPlacement("acme", "cell-2", 1));
        join(store.putPlacement("acme", "cell-1", 2));
        store.close();

        FileRegistryStore reopened = open();

        assertThat(join(reopened.placement("acme")).map(Placement::version)).contains(3L);
        assertThat(read()).doesNotContain("versions").doesNotContain("version:");
    }

    @Test
    void write_dropsExpiredOverrides() throws Exception {
        write(
                OPERATOR_DOCUMENT
                        + """
                overrides:
                  - customer: globex
                    freeze: true
                    expiresAt: 2026-05-01T00:00:00Z
                  - customer: acme
                    cell: cell-2
                    expiresAt: 2026-07-01T00:00:00Z
                """);
        FileRegistryStore store = open();

        join(store.putPlacement("hooli", "cell-1", 0));

        assertThat(RegistryDocuments.read(file()).overrides())
                .extracting(override -> override.customer())
                .containsExactly("acme");
        assertThat(read()).doesNotContain("globex\n    freeze");
    }

    @Test
    void putShadow_isWrittenAsAShadowsBlock_survivesAReopen_andExpiredOnesAreDroppedWhenWriting() throws Exception {
        write(OPERATOR_DOCUMENT);
        FileRegistryStore store = open();
        Shadow active = new Shadow("acme", "cell-2", 0.5, null, Instant.parse("2026-07-01T00:00:00Z"), "check");
        Shadow expired = new Shadow(
                "globex", "cell-1", 1.0, List.of("GET", "POST"), Instant.parse("2026-05-01T00:00:00Z"), null);
        join(store.putShadow(active));
        join(store.putShadow(expired)); // the store's clock is past it: dropped by the write itself

        assertThat(read())
                .isEqualTo(
                        OPERATOR_DOCUMENT
                                + """
                        shadows:
                          - customer: acme
                            toCell: cell-2
                            fraction: 0.5
                            expiresAt: 2026-07-01T00:00:00Z
                            reason: check
                        """);
        store.close();
        FileRegistryStore reopened = open();
        assertThat(join(reopened.shadows())).containsExactly(active);
        assertThat(RegistryDocuments.read(file()).shadows()).containsExactly(active);
    }

    @Test
    void editOnDisk_addingAShadow_isAFeedChangeOfKindShadow() throws Exception {
        write(OPERATOR_DOCUMENT);
        FileRegistryStore store = open();
        long start = join(store.latestSequence());

        write(OPERATOR_DOCUMENT
                + "shadows:\n  - {customer: acme, toCell: cell-2, fraction: 0.2, expiresAt: 2026-07-01T00:00:00Z}\n");

        await().atMost(Duration.ofSeconds(5))
                .until(() -> !join(store.changesSince(start)).changes().isEmpty());
        assertThat(join(store.changesSince(start)).changes())
                .extracting(Change::kind, Change::key)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Change.Kind.SHADOW, "acme"));
        assertThat(join(store.shadows())).extracting(Shadow::fraction).containsExactly(0.2);
    }

    @Test
    void editOnDisk_removingMostPlacements_isRefusedAndTheLastGoodDocumentStays() throws Exception {
        StringBuilder many = new StringBuilder("cells:\n  - name: cell-1\n    endpoint: http://10.0.1.10:8080\n");
        many.append("customers:\n");
        for (int i = 0; i < 20; i++) {
            many.append("  c").append(i).append(": cell-1\n");
        }
        write(many.toString());
        FileRegistryStore store = open();

        write("cells:\n  - name: cell-1\n    endpoint: http://10.0.1.10:8080\ncustomers:\n  c0: cell-1\n");

        await().atMost(Duration.ofSeconds(5)).until(() -> store.rejectedEdits() > 0);
        assertThat(join(store.placements())).hasSize(20);
        assertThat(join(store.placement("c7"))).isPresent();
    }

    @Test
    void editOnDisk_removingACellThatStillHoldsCustomers_isRefused() throws Exception {
        write(OPERATOR_DOCUMENT);
        FileRegistryStore store = open();

        write(
                """
                customers:
                  acme: cell-1
                cells:
                  - name: cell-1
                    endpoint: http://10.0.1.10:8080
                """);

        await().atMost(Duration.ofSeconds(5)).until(() -> store.rejectedEdits() > 0);
        assertThat(join(store.cells())).extracting(cell -> cell.name()).containsExactly("cell-1", "cell-2");
        assertThat(join(store.placement("globex"))).isPresent();
    }

    @Test
    void refusedEdit_isKeptWithItsReason_andToldToTheListenerOnce() throws Exception {
        write(OPERATOR_DOCUMENT);
        List<RejectedEdit> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        FileRegistryStore store = open(FileStoreOptions.defaults().withRejectedEdits(told::add));

        write("cells:\n  - name: cell-1\n    endpoint: http://10.0.1.10:8080\ncustomers:\n  acme: cell-1\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> !told.isEmpty());
        join(store.reload().exceptionally(e -> null)); // the same edit seen again

        assertThat(told).singleElement().satisfies(edit -> {
            assertThat(edit.reason()).isEqualTo(RejectedEdit.Reason.CELL_IN_USE);
            assertThat(edit.message()).contains(file().toString()).contains("cell-2");
        });
        assertThat(store.lastRejectedEdit()).contains(told.get(0));
        assertThat(store.rejectedEdits()).isEqualTo(1);
    }

    @Test
    void replaceDocument_fromAnotherStore_isTakenUpByTheStoreThatRefusedTheEdit() throws Exception {
        write(OPERATOR_DOCUMENT);
        FileRegistryStore router = open();
        String smaller = "customers:\n  acme: cell-1\ncells:\n  - name: cell-1\n    endpoint: http://10.0.1.10:8080\n";
        write(smaller);
        await().atMost(Duration.ofSeconds(5)).until(() -> router.rejectedEdits() > 0);

        FileRegistryStore importer = open();
        join(importer.replaceDocument(RegistryDocuments.parse(smaller, "smaller.yaml")));

        await().atMost(Duration.ofSeconds(5)).until(() -> join(router.cells()).size() == 1);
        assertThat(join(router.placement("globex"))).isEmpty();
        assertThat(join(router.placement("acme"))).isPresent();
    }

    @Test
    void mergeOnTopOfARefusedHandEdit_doesNotCarryItPastTheGuard() throws Exception {
        StringBuilder many = new StringBuilder("cells:\n  - name: cell-1\n    endpoint: http://10.0.1.10:8080\n");
        many.append("customers:\n");
        for (int i = 0; i < 20; i++) {
            many.append("  c").append(i).append(": cell-1\n");
        }
        write(many.toString());
        FileRegistryStore router = open();
        write("cells:\n  - name: cell-1\n    endpoint: http://10.0.1.10:8080\ncustomers:\n  c0: cell-1\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> router.rejectedEdits() == 1);

        FileRegistryStore importer = open(); // another process: it reads the hand edit as it is
        join(importer.importDocument(RegistryDocuments.parse(
                "cells:\n  - name: cell-1\n    endpoint: http://10.0.1.10:8080\ncustomers:\n  c99: cell-1\n",
                "m.yaml")));

        await().atMost(Duration.ofSeconds(5)).until(() -> router.rejectedEdits() == 2);
        assertThat(join(router.placements())).hasSize(20);
        assertThat(join(router.placement("c99"))).isEmpty();
    }

    @Test
    void maxRemovalFractionOne_allowsAnyRemovalOfPlacements() throws Exception {
        write(OPERATOR_DOCUMENT);
        FileRegistryStore store = open(FileStoreOptions.defaults().withMaxRemovalFraction(1));
        long generation = store.generation();

        write(OPERATOR_DOCUMENT.replace("  globex: cell-2\n", ""));

        await().atMost(Duration.ofSeconds(5)).until(() -> store.generation() > generation);
        assertThat(join(store.placement("globex"))).isEmpty();
    }

    @Test
    void open_withoutADocument_answersAsDownUntilTheFileIsWritten() throws Exception {
        FileRegistryStore store = open(FileStoreOptions.defaults().withStartWithoutDocument(true));

        assertThat(store.cells())
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(StoreUnavailableException.class);
        write(OPERATOR_DOCUMENT);

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(join(store.cells())).hasSize(2));
        assertThat(join(store.placement("acme")).map(Placement::cell)).contains("cell-1");
    }

    @Test
    void json_document_staysJson_andKeepsItsOrder() throws Exception {
        write("{\"customers\": {\"acme\": \"cell-1\"}, \"cells\": [{\"name\": \"cell-1\", \"endpoint\":"
                + " \"http://10.0.1.10:8080\", \"state\": \"active\"}]}");
        FileRegistryStore store = open();

        join(store.putPlacement("hooli", "cell-1", 0));

        assertThat(read()).startsWith("{").contains("\"state\" : \"active\"");
        assertThat(read().indexOf("customers")).isLessThan(read().indexOf("cells"));
        assertThat(RegistryDocuments.read(file()).customers()).containsOnlyKeys("acme", "hooli");
    }

    @Test
    void olderReleasesVersions_areReadThenMovedOutOfTheDocument() throws Exception {
        write(OPERATOR_DOCUMENT + "versions:\n  acme: 7\n");
        FileRegistryStore store = open();

        Placement moved = join(store.putPlacement("acme", "cell-2", 7));

        assertThat(moved.version()).isEqualTo(8);
        assertThat(read()).doesNotContain("versions");
    }

    private FileRegistryStore open(FileStoreOptions options) {
        FileRegistryStore store =
                FileRegistryStore.open(file(), clock, options, FileRegistryStore.DEFAULT_FEED_CAPACITY, DEBOUNCE);
        stores.add(store);
        return store;
    }

    private FileRegistryStore open() {
        FileRegistryStore store =
                FileRegistryStore.open(file(), clock, FileRegistryStore.DEFAULT_FEED_CAPACITY, DEBOUNCE);
        stores.add(store);
        return store;
    }

    private Path file() {
        return directory.resolve("registry.yaml");
    }

    private void write(String text) throws IOException {
        Files.writeString(file(), text);
    }

    private String read() throws IOException {
        return Files.readString(file());
    }

    private static <T> T join(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }
}
