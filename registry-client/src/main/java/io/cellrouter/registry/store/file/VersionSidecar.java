package io.cellrouter.registry.store.file;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.Placement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versions of the file store's cells and placements, kept beside the registry file ({@code
 * registry.yaml.versions.json}) rather than in it, so that the operator's document stays as the
 * operator wrote it. Versions are what make a move conditional; they must survive a restart.
 *
 * <p>{@code document} is the SHA-256 of the registry file the versions belong to. When the file on
 * disk has that hash it was written by a store (this process, another router's store, {@code
 * registry import}) and the versions are exact; otherwise the file was edited by hand and the store
 * works the versions out against what it held before. {@code checked} says that the writer built on
 * a state a guard had passed (or that the operator vouched for it: {@code --allow-removals}): only
 * such a document is taken up without the guard, so that a write on top of an unchecked hand edit
 * cannot carry the hand edit past a router's guard.
 *
 * @param document the SHA-256 (hex) of the registry file these versions belong to
 * @param checked the document's content was checked, or vouched for
 * @param cells every cell's version (cells written by a store have one)
 * @param placements the versions above 1 (version 1 is implied)
 */
record VersionSidecar(String document, boolean checked, Map<String, Long> cells, Map<String, Long> placements) {

    private static final Logger log = LoggerFactory.getLogger(VersionSidecar.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    VersionSidecar {
        cells = cells == null ? Map.of() : Map.copyOf(cells);
        placements = placements == null ? Map.of() : Map.copyOf(placements);
    }

    static Path pathFor(Path registryFile) {
        return registryFile.resolveSibling(registryFile.getFileName() + ".versions.json");
    }

    /** The versions of {@code state}, for the registry file {@code content}. */
    static VersionSidecar of(Snapshot state, byte[] content, boolean checked) {
        Map<String, Long> cells = new LinkedHashMap<>();
        for (Cell cell : state.cells().values()) {
            if (cell.version() > 0) {
                cells.put(cell.name(), cell.version());
            }
        }
        Map<String, Long> placements = new LinkedHashMap<>();
        for (Placement placement : state.placements().values()) {
            if (placement.version() > 1) {
                placements.put(placement.customer(), placement.version());
            }
        }
        return new VersionSidecar(sha256(content), checked, cells, placements);
    }

    /** The sidecar at {@code path}, or null when there is none or it cannot be used (logged). */
    static VersionSidecar read(Path path) {
        try {
            return JSON.readValue(Files.readAllBytes(path), VersionSidecar.class);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            log.warn("{}: cannot read the versions ({}); they are worked out from the document", path, e.getMessage());
            return null;
        }
    }

    byte[] toBytes() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize versions", e);
        }
    }

    boolean describes(byte[] content) {
        return document != null && document.equals(sha256(content));
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
