package io.cellrouter.registry.store.file;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.store.RegistryDocuments;
import io.cellrouter.registry.store.StoreUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry file and its {@link VersionSidecar} on disk: what the file store reads after an edit
 * and writes after a change. A write replaces the sidecar first, then the document, each atomically
 * (temporary file, fsync, rename): a reader that sees the new document finds its versions already
 * there.
 */
final class RegistryFile {

    /**
     * A state of the file: the document (versions applied), its tree and format, and whether a store
     * wrote it ({@code exact}: the versions are exact) after checking what it built on ({@code trusted}:
     * the edit guard need not look at it).
     */
    record Loaded(RegistryDocument document, JsonNode tree, boolean json, boolean exact, boolean trusted) {}

    private final Path file;

    RegistryFile(Path file) {
        this.file = file;
    }

    /** The registry file as configured: a symbolic link stays one, read through at every read. */
    Path path() {
        return file;
    }

    /**
     * The file the registry's bytes are in: {@link #path()}, or where it links to. A Kubernetes
     * config map's file links through {@code ..data}, which a swap points elsewhere, so this is
     * asked anew each time.
     */
    Path target() {
        try {
            return AtomicFiles.followed(file);
        } catch (IOException e) {
            return file; // a link that cannot be read: reading the file says so
        }
    }

    /** The versions beside the file they describe: beside the link's target when it is a link. */
    Path sidecar() {
        return VersionSidecar.pathFor(target());
    }

    /** The file's bytes, or null when it does not exist. */
    byte[] read() {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new StoreUnavailableException(file + ": cannot read the registry file (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Parses {@code content} and applies the sidecar's versions. On the first load of a file that a
     * store did not write last (a hand edit while no store watched it), every version is raised by
     * one: a version read before the edit must not match any more.
     *
     * @throws io.cellrouter.registry.store.InvalidRegistryException naming the key and the value
     */
    Loaded parse(byte[] content, boolean firstLoad) {
        RegistryDocuments.Parsed parsed = RegistryDocuments.parseKeepingTree(content, file.toString());
        VersionSidecar versions = VersionSidecar.read(sidecar());
        boolean exact = versions != null && versions.describes(content);
        long bump = firstLoad && versions != null && !exact ? 1 : 0;
        return new Loaded(
                withVersions(parsed.document(), versions, bump),
                parsed.tree(),
                parsed.json(),
                exact,
                exact && versions.checked());
    }

    /** Writes the sidecar, then the document. */
    void write(byte[] content, VersionSidecar versions) {
        try {
            AtomicFiles.replace(sidecar(), versions.toBytes());
            AtomicFiles.replace(file, content);
        } catch (IOException e) {
            throw new StoreUnavailableException(file + ": cannot write the registry file (" + e.getMessage() + ")", e);
        }
    }

    /** The document's own versions (older releases wrote them into it) raised to the sidecar's, plus {@code bump}. */
    private static RegistryDocument withVersions(RegistryDocument document, VersionSidecar versions, long bump) {
        if (versions == null) {
            return document;
        }
        List<Cell> cells = new ArrayList<>(document.cells().size());
        for (Cell cell : document.cells()) {
            cells.add(
                    cell.withVersion(Math.max(cell.version(), versions.cells().getOrDefault(cell.name(), 0L)) + bump));
        }
        Map<String, Long> placements = new LinkedHashMap<>();
        document.customers().keySet().forEach(customer -> {
            long version = Math.max(
                            document.versions().getOrDefault(customer, 1L),
                            versions.placements().getOrDefault(customer, 1L))
                    + bump;
            if (version > 1) {
                placements.put(customer, version);
            }
        });
        return new RegistryDocument(cells, document.customers(), document.overrides(), placements, document.shadows());
    }
}
