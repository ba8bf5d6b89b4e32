package io.cellrouter.registry.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileChangeWatcherTest {

    private static final Duration DEBOUNCE = Duration.ofMillis(20);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void kubernetesStyleSymlinkSwap_isNoticed() throws Exception {
        // A mounted secret: tls.crt -> ..data/tls.crt, ..data -> ..v1; an update swaps ..data.
        Files.createDirectory(dir.resolve("..v1"));
        Files.writeString(dir.resolve("..v1/tls.crt"), "one");
        Files.createSymbolicLink(dir.resolve("..data"), Path.of("..v1"));
        Files.createSymbolicLink(dir.resolve("tls.crt"), Path.of("..data/tls.crt"));
        AtomicInteger calls = new AtomicInteger();
        try (FileChangeWatcher ignored = FileChangeWatcher.start(
                "test-watch", List.of(dir.resolve("tls.crt")), DEBOUNCE, null, calls::incrementAndGet)) {
            Files.createDirectory(dir.resolve("..v2"));
            Files.writeString(dir.resolve("..v2/tls.crt"), "two");
            Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..v2"));
            Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

            await().atMost(WAIT).until(() -> calls.get() > 0);
        }
        assertThat(Files.readString(dir.resolve("tls.crt"))).isEqualTo("two");
    }

    @Test
    void filesInTwoFolders_changeInEitherIsNoticed() throws Exception {
        Path a = Files.createDirectory(dir.resolve("a")).resolve("cert.pem");
        Path b = Files.createDirectory(dir.resolve("b")).resolve("key.pem");
        Files.writeString(a, "a");
        Files.writeString(b, "b");
        AtomicInteger calls = new AtomicInteger();
        try (FileChangeWatcher ignored =
                FileChangeWatcher.start("test-watch", List.of(a, b), DEBOUNCE, null, calls::incrementAndGet)) {
            Files.writeString(b, "b2");
            await().atMost(WAIT).until(() -> calls.get() == 1);

            Files.writeString(a, "a2");
            await().atMost(WAIT).until(() -> calls.get() == 2);
        }
    }

    @Test
    void concerns_otherNamesInTheFolder_areIgnored() throws Exception {
        Path file = dir.resolve("registry.yaml");
        Files.writeString(file, "x");
        AtomicInteger calls = new AtomicInteger();
        try (FileChangeWatcher ignored = FileChangeWatcher.start(
                "test-watch",
                List.of(file),
                name -> name.equals(file.getFileName()),
                DEBOUNCE,
                null,
                calls::incrementAndGet)) {
            Files.writeString(dir.resolve("other.tmp"), "y");
            // Nothing for ten debounce periods: the unrelated write did not count.
            await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> calls.get() == 0);

            Files.writeString(file, "x2");
            await().atMost(WAIT).until(() -> calls.get() == 1);
        }
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void recheck_callsBackWithoutAnyEvent() throws Exception {
        Path file = dir.resolve("keys.json");
        Files.writeString(file, "{}");
        AtomicInteger calls = new AtomicInteger();
        try (FileChangeWatcher ignored = FileChangeWatcher.start(
                "test-watch", List.of(file), DEBOUNCE, Duration.ofMillis(50), calls::incrementAndGet)) {
            await().atMost(WAIT).until(() -> calls.get() >= 2);
        }
    }

    @Test
    void close_stopsTheThread() throws Exception {
        Path file = dir.resolve("keys.json");
        Files.writeString(file, "{}");
        AtomicInteger calls = new AtomicInteger();
        FileChangeWatcher watcher =
                FileChangeWatcher.start("test-watch-closing", List.of(file), DEBOUNCE, null, calls::incrementAndGet);
        watcher.close();

        await().atMost(WAIT).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("test-watch-closing")));
    }
}
