package io.cellrouter.registry.store.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.store.Change;
import io.cellrouter.registry.store.InvalidRegistryException;
import io.cellrouter.registry.store.RegistryDocuments;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.registry.store.RegistryStoreContract;
import io.cellrouter.registry.store.StoreUnavailableException;
import io.cellrouter.registry.store.VersionConflictException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRegistryStoreTest extends RegistryStoreContract {

    private static final Duration DEBOUNCE = Duration.ofMillis(20);

    @TempDir
    Path directory;

    private final Clock clock = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);

    @java.lang.Override
    protected RegistryStore newStore(RegistryDocument seed) {
        return openSeeded(seed, FileRegistryStore.DEFAULT_FEED_CAPACITY);
    }

    @java.lang.Override
    protected RegistryStore newStoreRetaining(RegistryDocument seed, int changes) {
        return openSeeded(seed, changes);
    }

    @Test
    void editOnDisk_customerMoved_isReloadedWithoutRestart() {
        FileRegistryStore store = opened(seed());
        long generation = store.generation();

        writeFile(registryText().replace("acme: cell-1", "acme: cell-2"));

        await().until(() -> store.generation() > generation);
        assertThat(cellOf(store, "acme")).contains("cell-2");
        assertThat(result(store.changesSince(0)).changes())
                .extracting(Change::kind, Change::key)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Change.Kind.PLACEMENT, "acme"));
    }

    @Test
    void editOnDisk_fileReplacedByRename_isReloaded() throws IOException {
        FileRegistryStore store = opened(seed());
        long generation = store.generation();
        Path edited = directory.resolve("registry.yaml.swp");
        Files.writeString(edited, registryText().replace("globex: cell-2", "globex: cell-1"));

        Files.move(edited, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        await().until(() -> store.generation() > generation);
        assertThat(cellOf(store, "globex")).contains("cell-1");
    }

    @Test
    void editOnDisk_invalidDocument_isRejectedAndTheLastGoodDocumentKept() {
        FileRegistryStore store = opened(seed());

        writeFile(registryText().replace("acme: cell-1", "acme: cell-9"));

        await().until(() -> store.rejectedEdits() > 0);
        assertThat(cellOf(store, "acme")).contains("cell-1");
        assertThat(store.generation()).isZero();
    }

    @Test
    void editOnDisk_validAfterAnInvalidOne_isReloaded() {
        FileRegistryStore store = opened(seed());
        writeFile("cells: [");
        await().until(() -> store.rejectedEdits() > 0);

        writeFile(registryText().replace("acme: cell-1", "acme: cell-3"));

        await().until(() -> store.generation() > 0);
        assertThat(cellOf(store, "acme")).contains("cell-3");
    }

    @Test
    void reload_invalidEdit_failsNamingTheFileTheKeyAndTheValue() {
        FileRegistryStore store = opened(seed());
        writeFile(registryText().replace("acme: cell-1", "acme: cell-9"));

        Throwable failure = failureOf(store.reload());

        assertThat(failure)
                .isInstanceOf(InvalidRegistryException.class)
                .hasMessageContaining(file().toString())
                .hasMessageContaining("customers.acme")
                .hasMessageContaining("cell-9");
        assertThat(cellOf(store, "acme")).contains("cell-1");
    }

    @Test
    void reload_handEditedMoveWithoutVersion_bumpsTheVersionSoAStaleMoverConflicts() {
        FileRegistryStore store = opened(seed());
        writeFile(registryText().replace("acme: cell-1", "acme: cell-2"));

        result(store.reload());

        assertThat(result(store.placement("acme")).map(Placement::version)).contains(2L);
        assertThat(failureOf(store.putPlacement("acme", "cell-1", 1))).isInstanceOf(VersionConflictException.class);
    }

    @Test
    void putPlacement_afterAnEditTheWatcherHasNotSeen_keepsTheEdit() {
        FileRegistryStore store = opened(seed());
        writeFile(registryText().replace("customers:\n", "customers:\n  hooli: cell-3\n"));

        result(store.putPlacement("acme", "cell-2", 1));

        RegistryDocument onDisk = RegistryDocuments.read(file());
        assertThat(onDisk.customers()).containsEntry("hooli", "cell-3").containsEntry("acme", "cell-2");
        assertThat(cellOf(store, "hooli")).contains("cell-3");
    }

    @Test
    void putPlacement_overAnInvalidEdit_failsAndLeavesTheFileAlone() {
        FileRegistryStore store = opened(seed());
        writeFile("cells: [ half an edit");

        Throwable failure = failureOf(store.putPlacement("acme", "cell-2", 1));

        assertThat(failure).isInstanceOf(InvalidRegistryException.class).hasMessageContaining(file().toString());
        assertThat(readFile()).isEqualTo("cells: [ half an edit");
    }

    @Test
    void putPlacement_move_isWrittenInTheSimpleFormWithItsVersionBesideIt() throws IOException {
        FileRegistryStore store = opened(seed());

        result(store.putPlacement("acme", "cell-2", 1));

        assertThat(readFile())
                .contains("  acme: cell-2\n")
                .doesNotContain("versions")
                .doesNotContain("version:");
        VersionSidecar versions = VersionSidecar.read(VersionSidecar.pathFor(file()));
        assertThat(versions.placements()).isEqualTo(Map.of("acme", 2L)); // version 1 is implied, not written
        assertThat(versions.describes(Files.readAllBytes(file()))).isTrue();
    }

    @Test
    void putPlacement_manyWrites_leaveNoTemporaryFilesAndAFileThatParses() throws IOException {
        FileRegistryStore store = opened(seed());
        long version = 1;
        for (int i = 0; i < 20; i++) {
            version = result(store.putPlacement("acme", i % 2 == 0 ? "cell-2" : "cell-1", version))
                    .version();
        }

        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files)
                    .as("no temporary file: the document, its versions and the writers' lock file")
                    .containsExactlyInAnyOrder(file(), VersionSidecar.pathFor(file()), WriteLock.pathFor(file()));
        }
        RegistryDocuments.read(file());
        store.close();
        FileRegistryStore reopened = opened(FileRegistryStore.open(file(), clock));
        assertThat(result(reopened.placement("acme")).map(Placement::version)).contains(version);
    }

    @Test
    void putPlacement_whileAnotherProcessReadsTheFile_theReaderAlwaysSeesAWholeDocument() throws Exception {
        Map<String, String> customers = new LinkedHashMap<>();
        for (int i = 0; i < 2000; i++) {
            customers.put("customer-" + i, "cell-1");
        }
        RegistryDocument big = new RegistryDocument(seed().cells(), customers, List.of(), Map.of());
        FileRegistryStore store = opened(big);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            while (writing.get() || reads.get() == 0) {
                try {
                    assertThat(RegistryDocuments.read(file()).customers()).hasSize(2000);
                    reads.incrementAndGet();
                } catch (Throwable e) {
                    failures.add(e);
                }
            }
        });
        reader.start();

        for (int i = 0; i < 50; i++) {
            result(store.putPlacement("customer-" + i, "cell-2", 1));
        }
        writing.set(false);
        reader.join(10_000);

        assertThat(failures).isEmpty();
        assertThat(reads.get()).isPositive();
    }

    @Test
    void putPlacement_ownWriteSeenByTheWatcher_addsNoSecondChange() {
        FileRegistryStore store = opened(seed());

        for (int i = 0; i < 5; i++) {
            result(store.putPlacement("new-" + i, "cell-1", 0));
        }
        result(store.reload());

        assertThat(result(store.changesSince(0)).changes()).hasSize(5);
        assertThat(store.generation()).isEqualTo(5);
        assertThat(store.rejectedEdits()).isZero();
    }

    @Test
    void putPlacement_fileWithPermissions_keepsThePermissions() throws IOException {
        FileRegistryStore store = opened(seed());
        Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-r-----"));

        result(store.putPlacement("acme", "cell-2", 1));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file())))
                .isEqualTo("rw-r-----");
    }

    @Test
    void open_afterMoves_keepsPlacementAndCellVersions() {
        FileRegistryStore store = opened(seed());
        result(store.putPlacement("acme", "cell-2", 1));
        result(store.putPlacement("acme", "cell-3", 2));
        result(store.putCell(cell(store, "cell-2")));
        store.close();

        FileRegistryStore reopened = opened(FileRegistryStore.open(file(), clock));

        assertThat(result(reopened.placement("acme")).map(Placement::version)).contains(3L);
        assertThat(cell(reopened, "cell-2").version()).isEqualTo(1);
        assertThat(failureOf(reopened.putPlacement("acme", "cell-1", 2))).isInstanceOf(VersionConflictException.class);
        assertThat(result(reopened.putPlacement("acme", "cell-1", 3)).version()).isEqualTo(4);
    }

    @Test
    void open_missingFile_failsWithStoreUnavailable() {
        Path missing = directory.resolve("missing.yaml");

        assertThatThrownBy(() -> FileRegistryStore.open(missing, clock))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void open_invalidFile_failsNamingTheFile() {
        writeFile("cells: [{name: c1, endpoint: 'http://c1', colour: red}]");

        assertThatThrownBy(() -> FileRegistryStore.open(file(), clock))
                .isInstanceOf(InvalidRegistryException.class)
                .hasMessageContaining(file().toString())
                .hasMessageContaining("cells[0].colour");
    }

    @Test
    void document_afterWrites_isTheStateAsADocument() {
        FileRegistryStore store = opened(seed());

        result(store.putPlacement("acme", "cell-2", 1));

        RegistryDocument onDisk = RegistryDocuments.read(file());
        assertThat(store.document().customers()).isEqualTo(onDisk.customers());
        assertThat(store.document().overrides()).isEqualTo(onDisk.overrides());
        assertThat(store.document().cells())
                .extracting(cell -> cell.withVersion(0))
                .isEqualTo(onDisk.cells());
        assertThat(store.document().versions()).isEqualTo(Map.of("acme", 2L));
        assertThat(store.file()).isEqualTo(file().toAbsolutePath());
    }

    private final List<FileRegistryStore> extra = new ArrayList<>();

    private FileRegistryStore opened(RegistryDocument seed) {
        return (FileRegistryStore) open(seed);
    }

    private FileRegistryStore opened(FileRegistryStore store) {
        extra.add(store);
        return store;
    }

    @org.junit.jupiter.api.AfterEach
    void closeExtraStores() {
        extra.forEach(FileRegistryStore::close);
    }

    private FileRegistryStore openSeeded(RegistryDocument seed, int feedCapacity) {
        writeFile(RegistryDocuments.write(seed));
        return FileRegistryStore.open(file(), clock, feedCapacity, DEBOUNCE);
    }

    private String registryText() {
        return RegistryDocuments.write(seed());
    }

    private Path file() {
        return directory.resolve("registry.yaml");
    }

    /** Writes in place, as an editor that truncates and rewrites does. */
    private void writeFile(String text) {
        try {
            Files.writeString(file(), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String readFile() {
        try {
            return Files.readString(file());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
