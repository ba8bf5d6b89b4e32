package io.cellrouter.registry.cache;

import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.store.RegistryDocuments;
import io.cellrouter.registry.store.file.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The last-known-good snapshot: what the resolver knew (cells, overrides, every cached placement with
 * its version), as a registry document in JSON, so that it is also a valid input of {@code registry
 * import}. Written atomically (temporary file, fsync, rename: {@link AtomicFiles}) and streamed, so
 * a crash mid-write leaves the previous snapshot and a large registry is never held as one string.
 * Its modification time is when it was written.
 */
final class SnapshotFile {

    private final Path file;

    SnapshotFile(Path file) {
        this.file = file.toAbsolutePath();
    }

    Path path() {
        return file;
    }

    RegistryDocument read() {
        return RegistryDocuments.read(file);
    }

    Instant writtenAt() throws IOException {
        return Files.getLastModifiedTime(file).toInstant();
    }

    void write(RegistryDocument document) throws IOException {
        Files.createDirectories(file.getParent());
        AtomicFiles.replace(file, out -> RegistryDocuments.writeJson(document, out));
    }
}
