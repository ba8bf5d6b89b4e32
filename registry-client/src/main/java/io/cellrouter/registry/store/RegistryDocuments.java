package io.cellrouter.registry.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.cellrouter.registry.model.RegistryDocument;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads and writes the registry document (README "The registry document"), as YAML or JSON.
 *
 * <pre>
 * cells:
 *   - name: cell-1
 *     endpoint: http://10.0.1.10:8080
 *     state: active            # optional: active (default) | draining | offline
 *     region: us-east-1        # optional
 *     tier: prod               # optional
 *     labels: {cloud: aws}     # optional, string values
 *     version: 3               # optional, written by the stores: how often the cell was written
 * customers:
 *   acme: cell-1
 * overrides:
 *   - customer: acme
 *     cell: cell-2             # or freeze: true
 *     expiresAt: 2026-12-01T00:00:00Z
 *     reason: moving           # optional
 * versions:                    # optional, written by the file store
 *   acme: 4
 * shadows:                     # optional: shadow traffic before a move (README "Migration runbook")
 *   - customer: acme
 *     toCell: cell-2
 *     fraction: 0.5            # above 0, at most 1
 *     methods: [GET, HEAD]     # optional, the default
 *     expiresAt: 2026-12-01T00:00:00Z
 *     reason: check cell-2     # optional
 * </pre>
 *
 * <p><b>Placement versions.</b> {@code customers} stays the plain {@code customer: cell} map that
 * people write by hand. The version of each placement lives in the separate optional {@code
 * versions} map; a customer missing from it is at version 1, and the file store writes only the
 * versions above 1, so a hand-written file never needs one. Keeping the versions in the file is what
 * lets a conditional move (expected version) survive a reload or a restart.
 *
 * <p><b>Strictness.</b> An unknown key, a wrongly typed value (a number where a name is expected:
 * quote it), a duplicate key, a duplicate cell, a name that does not match {@link
 * io.cellrouter.registry.model.Cell#NAME} or a reference to a cell that is not in {@code cells} is
 * an {@link InvalidRegistryException} whose message names the source, the key and the bad value. An
 * empty text is an error too (a truncated file must not become an empty registry); {@code {}} is
 * the empty registry.
 */
public final class RegistryDocuments {

    /** SnakeYAML's default limit is 3 MB; a registry of millions of customers is larger. */
    private static final int MAX_CODE_POINTS = Integer.MAX_VALUE;

    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .loaderOptions(loaderOptions())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build());

    /** JSON goes through Jackson's JSON parser: stricter and much faster than YAML for big documents. */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(SerializationFeature.INDENT_OUTPUT);

    private RegistryDocuments() {}

    /** Parses and validates a document; {@code source} (a file path) names it in error messages. */
    public static RegistryDocument parse(String text, String source) {
        return parse(text.getBytes(StandardCharsets.UTF_8), source);
    }

    /** Parses and validates a document given as UTF-8 bytes. */
    public static RegistryDocument parse(byte[] content, String source) {
        JsonNode root = readTree(content, source);
        return new DocumentParser(source, false).parse(root);
    }

    /**
     * Parses a document to be merged into a registry ({@code registry import}): like {@link #parse},
     * except that customers and overrides may name cells that the document does not list (the
     * registry it is merged into must have them: {@link RegistryImport#checkReferences}).
     */
    public static RegistryDocument parsePartial(byte[] content, String source) {
        return new DocumentParser(source, true).parse(readTree(content, source));
    }

    /**
     * Parses a document and keeps the tree it was read from, as the file store does: its writes
     * change the operator's tree rather than print a new document.
     */
    public static Parsed parseKeepingTree(byte[] content, String source) {
        JsonNode root = readTree(content, source);
        return new Parsed(new DocumentParser(source, false).parse(root), root, looksLikeJson(content));
    }

    /** A document, the tree it was read from, and whether it was JSON (else YAML). */
    public record Parsed(RegistryDocument document, JsonNode tree, boolean json) {}

    /** A tree in the format {@link #parse} reads: JSON (indented) or YAML, as the file was. */
    public static byte[] render(JsonNode tree, boolean json) {
        try {
            String text = (json ? JSON : YAML).writeValueAsString(tree);
            return (json ? text + "\n" : text).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a registry document", e);
        }
    }

    /**
     * Reads and validates a file. A file that cannot be read is a {@link StoreUnavailableException};
     * a file that is not a valid document is an {@link InvalidRegistryException}.
     */
    public static RegistryDocument read(Path file) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new StoreUnavailableException(file + ": cannot read the registry file: " + e, e);
        }
        return parse(content, file.toString());
    }

    /**
     * Checks the references of a document built in code (every customer and override names a
     * listed cell, no duplicate cells, valid names and versions), as {@link #parse} does for text.
     */
    public static RegistryDocument validate(RegistryDocument document, String source) {
        return parse(toJson(document), source);
    }

    /** The document as YAML, in the format {@link #parse} reads. */
    public static String write(RegistryDocument document) {
        return render(YAML, document);
    }

    /** The document as JSON, in the format {@link #parse} reads. */
    public static String toJson(RegistryDocument document) {
        return render(JSON, document);
    }

    /**
     * Streams the document as JSON (the format {@link #parse} reads), without building it in memory
     * first: for snapshots of millions of placements.
     */
    public static void writeJson(RegistryDocument document, OutputStream out) throws IOException {
        try (JsonGenerator json = JSON.getFactory().createGenerator(out)) {
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.writeStartObject();
            json.writeArrayFieldStart("cells");
            for (var cell : document.cells()) {
                JSON.writeTree(json, DocumentWriter.cell(cell));
            }
            json.writeEndArray();
            json.writeObjectFieldStart("customers");
            for (var entry : document.customers().entrySet()) {
                json.writeStringField(entry.getKey(), entry.getValue());
            }
            json.writeEndObject();
            json.writeArrayFieldStart("overrides");
            for (var override : document.overrides()) {
                JSON.writeTree(json, DocumentWriter.override(override));
            }
            json.writeEndArray();
            json.writeObjectFieldStart("versions");
            for (var entry : document.versions().entrySet()) {
                json.writeNumberField(entry.getKey(), entry.getValue());
            }
            json.writeEndObject();
            if (!document.shadows().isEmpty()) {
                json.writeArrayFieldStart("shadows");
                for (var shadow : document.shadows()) {
                    JSON.writeTree(json, DocumentWriter.shadow(shadow));
                }
                json.writeEndArray();
            }
            json.writeEndObject();
        }
    }

    private static String render(ObjectMapper mapper, RegistryDocument document) {
        try {
            return mapper.writeValueAsString(DocumentWriter.toTree(document));
        } catch (JsonProcessingException e) {
            // A tree of strings, numbers and booleans always serializes; this is a bug, not input.
            throw new IllegalStateException("cannot serialize a registry document", e);
        }
    }

    private static JsonNode readTree(byte[] content, String source) {
        if (isBlank(content)) {
            throw new InvalidRegistryException(source + ": the document is empty (write {} for an empty registry)");
        }
        ObjectMapper mapper = looksLikeJson(content) ? JSON : YAML;
        try (JsonParser parser = mapper.createParser(content)) {
            JsonNode root = mapper.readTree(parser);
            if (parser.nextToken() != null) {
                throw new InvalidRegistryException(source + ": more than one document in the file");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new InvalidRegistryException(
                    source + ": not a valid " + (mapper == JSON ? "JSON" : "YAML") + " document: " + describe(e), e);
        } catch (IOException e) {
            throw new InvalidRegistryException(source + ": cannot parse the document: " + e, e);
        }
    }

    /** One line: the problem and where it is. SnakeYAML's own message spans lines and draws a caret. */
    private static String describe(JsonProcessingException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
                String context = yaml.getContext() == null ? "" : yaml.getContext() + ": ";
                return context + yaml.getProblem() + " (line "
                        + (yaml.getProblemMark().getLine() + 1) + ", column "
                        + (yaml.getProblemMark().getColumn() + 1) + ")";
            }
        }
        return e.getOriginalMessage()
                + (e.getLocation() == null
                        ? ""
                        : " (line " + e.getLocation().getLineNr() + ", column "
                                + e.getLocation().getColumnNr() + ")");
    }

    private static boolean isBlank(byte[] content) {
        for (byte b : content) {
            if (!Character.isWhitespace(b)) {
                return false;
            }
        }
        return true;
    }

    private static boolean looksLikeJson(byte[] content) {
        for (byte b : content) {
            if (!Character.isWhitespace(b)) {
                return b == '{';
            }
        }
        return false;
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_CODE_POINTS);
        return options;
    }
}
