package io.cellrouter.router.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.List;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads the YAML text of a configuration file into a tree, reporting a key given twice in one map
 * as a problem (YAML parsers keep the last one silently) and going on, so that a duplicate is one
 * problem among the others rather than the only one. A text that is not YAML at all ends the
 * reading with one problem that names the line and column (never the line's text: it may hold a
 * secret).
 */
final class YamlTree {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private YamlTree() {}

    /** The document's tree ({} for an empty text), or null when the text is not YAML. */
    static ObjectNode read(String text, List<ConfigProblem> problems) {
        try (JsonParser parser = YAML.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null || first == JsonToken.VALUE_NULL) {
                return NODES.objectNode();
            }
            if (first != JsonToken.START_OBJECT) {
                problems.add(ConfigProblem.of("", "must be a map of keys (proxy, admin, registry, ...)"));
                return null;
            }
            ObjectNode root = object(parser, "", problems);
            if (parser.nextToken() != null) {
                problems.add(ConfigProblem.of("", "holds more than one YAML document"));
                return null;
            }
            return root;
        } catch (JsonProcessingException e) {
            problems.add(ConfigProblem.of("", "not valid YAML: " + describe(e)));
            return null;
        } catch (IOException e) {
            problems.add(ConfigProblem.of("", "cannot be read: " + e.getMessage()));
            return null;
        }
    }

    private static ObjectNode object(JsonParser parser, String at, List<ConfigProblem> problems) throws IOException {
        ObjectNode node = NODES.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            String key = at.isEmpty() ? name : at + "." + name;
            int line = parser.currentLocation().getLineNr();
            parser.nextToken();
            JsonNode value = value(parser, key, problems);
            if (node.has(name)) {
                problems.add(ConfigProblem.of(key, "is given more than once (again on line " + line + ")"));
            } else {
                node.set(name, value);
            }
        }
        return node;
    }

    private static JsonNode value(JsonParser parser, String key, List<ConfigProblem> problems) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            return object(parser, key, problems);
        }
        if (token == JsonToken.START_ARRAY) {
            ArrayNode array = NODES.arrayNode();
            int index = 0;
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                array.add(value(parser, key + "[" + index++ + "]", problems));
            }
            return array;
        }
        return YAML.readTree(parser); // a scalar, typed as YAML types it
    }

    /** The problem and where it is: SnakeYAML's own message spans lines and quotes the line. */
    private static String describe(JsonProcessingException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
                return yaml.getProblem() + " (line " + (yaml.getProblemMark().getLine() + 1) + ", column "
                        + (yaml.getProblemMark().getColumn() + 1) + ")";
            }
        }
        return e.getOriginalMessage().lines().findFirst().orElse("")
                + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")");
    }
}
