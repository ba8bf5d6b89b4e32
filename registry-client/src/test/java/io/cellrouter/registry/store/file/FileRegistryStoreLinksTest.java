package io.cellrouter.registry.store.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.registry.model.Placement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry file that is a symbolic link: the way Kubernetes mounts a config map, and the way an
 * operator points a fixed path at a file kept elsewhere. Edits behind the link are followed, and
 * the store's own writes go to the file the link names, leaving the link in place.
 */
class FileRegistryStoreLinksTest {

    private static final Duration DEBOUNCE = Duration.ofMillis(20);

    private static final String REGISTRY =
            """
            cells:
              - name: cell-1
                endpoint: http://127.0.0.1:8081
              - name: cell-2
                endpoint: http://127.0.0.1:8082
            customers:
              acme: cell-1
            """;

    @TempDir
    Path directory;

    private final Clock clock = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);

    private FileRegistryStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void configMapUpdate_dataLinkSwapped_isReloaded() throws IOException {
        Path mount = Files.createDirectories(directory.resolve("mount"));
        Files.writeString(
                Files.createDirectories(mount.resolve("..2026_06_01_a")).resolve("registry.yaml"), REGISTRY);
        Files.createSymbolicLink(mount.resolve("..data"), Path.of("..2026_06_01_a"));
        Path file = Files.createSymbolicLink(mount.resolve("registry.yaml"), Path.of("..data/registry.yaml"));
        store = FileRegistryStore.open(file, clock, FileStoreOptions.defaults(), 1000, DEBOUNCE);
        long generation = store.generation();

        swap(mount, "..2026_06_01_a", "..2026_06_01_b", REGISTRY.replace("acme: cell-1", "acme: cell-2"));

        await().until(() -> store.generation() > generation);
        assertThat(cellOf("acme")).contains("cell-2");

        // The old folder is gone (the watch on it with it); the next update is followed all the same.
        long second = store.generation();
        swap(
                mount,
                "..2026_06_01_b",
                "..2026_06_01_c",
                REGISTRY.replace("acme: cell-1", "acme: cell-1\n  globex: cell-2"));

        await().until(() -> store.generation() > second);
        assertThat(cellOf("globex")).contains("cell-2");
    }

    /**
     * What the kubelet does: the new content in a new timestamped folder, a new link beside {@code
     * ..data} renamed over it, then the old folder removed.
     */
    private static void swap(Path mount, String old, String next, String content) throws IOException {
        Files.writeString(Files.createDirectories(mount.resolve(next)).resolve("registry.yaml"), content);
        Files.createSymbolicLink(mount.resolve("..data_tmp"), Path.of(next));
        Files.move(mount.resolve("..data_tmp"), mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
        try (Stream<Path> files = Files.walk(mount.resolve(old))) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @Test
    void linkToAFileElsewhere_writeGoesToThatFileAndTheLinkStays() throws IOException {
        Path kept = directory.resolve("data/registry.yaml");
        Path file = openedThroughALinkTo(kept);

        store.putPlacement("acme", "cell-2", 1).join();

        assertThat(Files.isSymbolicLink(file)).isTrue();
        assertThat(Files.readString(kept)).contains("acme: cell-2");
        assertThat(VersionSidecar.pathFor(kept)).exists();
        assertThat(directory.resolve("etc")).isDirectoryNotContaining(path -> !path.equals(file));
    }

    @Test
    void linkToAFileNotThereYet_firstWriteCreatesItThere() throws IOException {
        Path kept = directory.resolve("data/registry.yaml");
        Files.createDirectories(kept.getParent());
        Path link = Files.createSymbolicLink(
                Files.createDirectories(directory.resolve("etc")).resolve("registry.yaml"),
                Path.of("../data/registry.yaml"));

        AtomicFiles.replace(link, REGISTRY.getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(kept)).isEqualTo(REGISTRY);
    }

    @Test
    void linkToAFileElsewhere_editThere_isReloaded() throws IOException {
        Path kept = directory.resolve("data/registry.yaml");
        openedThroughALinkTo(kept);
        long generation = store.generation();

        Files.writeString(kept, REGISTRY.replace("acme: cell-1", "acme: cell-2"));

        await().until(() -> store.generation() > generation);
        assertThat(cellOf("acme")).contains("cell-2");
    }

    /** Writes the registry to {@code kept}, links etc/registry.yaml to it and opens the store on the link. */
    private Path openedThroughALinkTo(Path kept) throws IOException {
        Files.writeString(Files.createDirectories(kept.getParent()).resolve(kept.getFileName()), REGISTRY);
        Path file = Files.createSymbolicLink(
                Files.createDirectories(directory.resolve("etc")).resolve("registry.yaml"), kept);
        store = FileRegistryStore.open(file, clock, FileStoreOptions.defaults(), 1000, DEBOUNCE);
        return file;
    }

    private Optional<String> cellOf(String customer) {
        return store.placement(customer).join().map(Placement::cell);
    }
}
