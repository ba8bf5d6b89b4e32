package io.cellrouter.router.admin;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.admin.Answer.Refusal;
import io.cellrouter.router.config.Durations;
import io.cellrouter.router.error.ErrorCode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A strictly read admin request body: a JSON object whose fields are all known (an unknown or
 * duplicated field is 400, so a typo never silently does less than asked), with typed accessors
 * that refuse a wrong type with 400 naming the field.
 */
final class JsonBody {

    /** Duplicate fields and anything after the one object (a second object, garbage) are refused. */
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final ObjectNode node;

    private JsonBody(ObjectNode node) {
        this.node = node;
    }

    static JsonBody parse(String text, Set<String> allowed) {
        JsonNode tree;
        try {
            tree = JSON.readTree(text.isBlank() ? "{}" : text);
        } catch (JsonProcessingException e) {
            throw bad("body is not valid JSON: " + e.getOriginalMessage());
        }
        if (tree == null || !tree.isObject()) {
            throw bad("body must be a JSON object");
        }
        for (var names = tree.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw bad("unknown field '" + name + "'; allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
        return new JsonBody((ObjectNode) tree);
    }

    boolean has(String field) {
        return node.hasNonNull(field);
    }

    /** True when the body names the field at all, even as {@code null}. */
    boolean names(String field) {
        return node.has(field);
    }

    boolean isEmpty() {
        return node.isEmpty();
    }

    /** A cell or customer name ({@link Cell#NAME}). */
    String name(String field) {
        String value = text(field);
        if (value == null || !Cell.NAME.matcher(value).matches()) {
            throw bad(field + " must be a name matching " + Cell.NAME.pattern());
        }
        return value;
    }

    String text(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw bad(field + " must be a string");
        }
        return value.asText();
    }

    String requiredText(String field) {
        String value = text(field);
        if (value == null || value.isBlank()) {
            throw bad(field + " is required");
        }
        return value;
    }

    Long positiveLong(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
            throw bad(field + " must be a non-negative integer");
        }
        return value.asLong();
    }

    /** A number, or null when the field is absent. */
    Double number(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw bad(field + " must be a number");
        }
        return value.asDouble();
    }

    /** A list of strings, or null when the field is absent. */
    java.util.List<String> texts(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw bad(field + " must be a list of strings");
        }
        java.util.List<String> texts = new java.util.ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw bad(field + " must be a list of strings");
            }
            texts.add(item.asText());
        }
        return texts;
    }

    /** A duration written like the configuration's ({@code 30s}, {@code 10m}), positive and at most {@code max}. */
    Duration duration(String field, Duration max) {
        String value = text(field);
        if (value == null) {
            return null;
        }
        Duration d;
        try {
            d = Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw bad(field + " " + e.getMessage() + ", was '" + value + "'");
        }
        if (d.isZero() || d.compareTo(max) > 0) {
            throw bad(field + " must be positive and at most " + Durations.format(max));
        }
        return d;
    }

    boolean bool(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw bad(field + " must be true or false");
        }
        return value.asBoolean();
    }

    Map<String, String> labels(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Map.of();
        }
        if (!value.isObject()) {
            throw bad(field + " must be an object of strings");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : value.properties()) {
            if (!entry.getValue().isTextual()) {
                throw bad(field + "." + entry.getKey() + " must be a string");
            }
            labels.put(entry.getKey(), entry.getValue().asText());
        }
        return labels;
    }

    static Refusal bad(String message) {
        return new Refusal(ErrorCode.BAD_REQUEST, message);
    }
}
