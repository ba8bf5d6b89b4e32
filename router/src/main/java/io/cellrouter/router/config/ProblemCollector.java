package io.cellrouter.router.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.ValueInstantiator;
import com.fasterxml.jackson.databind.jsontype.TypeIdResolver;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Turns every binding failure into a {@link ConfigProblem} with its dotted key and lets binding go
 * on, so that one run finds every problem of the file. A value that could not be read is replaced
 * by null (or zero) and its record then fails too: only the first problem of a key is kept, and a
 * record that fails only because a part of it already failed adds nothing.
 *
 * <p>Jackson calls it on the binding thread; it is used for one load and thrown away.
 */
final class ProblemCollector extends DeserializationProblemHandler {

    private final List<ConfigProblem> problems;
    private boolean rootFailed;

    ProblemCollector(List<ConfigProblem> problems) {
        this.problems = problems;
    }

    /** Whether {@link RouterConfig} itself failed: binding went on with a stand-in that must not be used. */
    boolean rootFailed() {
        return rootFailed;
    }

    @Override
    public boolean handleUnknownProperty(
            DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer, Object bean, String name)
            throws IOException {
        Collection<Object> known = deserializer == null ? null : deserializer.getKnownPropertyNames();
        String hint = known == null || known.isEmpty() ? "" : " (known keys here: " + join(known) + ")";
        add(ConfigProblem.of(key(p.getParsingContext()), "unknown key" + hint));
        p.skipChildren();
        return true;
    }

    @Override
    public Object handleWeirdStringValue(DeserializationContext ctxt, Class<?> type, String value, String message) {
        // Jackson's own messages name Java types (`int`); ours say what the key expects.
        String why = type.isEnum()
                ? "must be " + choices(type)
                : message == null || message.contains("`") || type.isPrimitive() || type == Boolean.class
                        ? ConfigMapper.expected(type)
                        : message;
        add(new ConfigProblem(key(ctxt.getParser().getParsingContext()), value, why));
        return neutral(type);
    }

    @Override
    public Object handleWeirdNumberValue(DeserializationContext ctxt, Class<?> type, Number value, String message) {
        long max = type == int.class || type == Integer.class ? Integer.MAX_VALUE : Long.MAX_VALUE;
        add(new ConfigProblem(
                key(ctxt.getParser().getParsingContext()),
                String.valueOf(value),
                "is too large (at most " + max + ")"));
        return neutral(type);
    }

    @Override
    public Object handleUnexpectedToken(
            DeserializationContext ctxt, JavaType type, JsonToken token, JsonParser p, String message)
            throws IOException {
        String value = token != null && token.isScalarValue() ? p.getText() : null;
        add(new ConfigProblem(key(p.getParsingContext()), value, ConfigMapper.expected(type.getRawClass())));
        p.skipChildren();
        return neutral(type.getRawClass());
    }

    @Override
    public Object handleMissingInstantiator(
            DeserializationContext ctxt, Class<?> type, ValueInstantiator instantiator, JsonParser p, String message)
            throws IOException {
        JsonToken token = p.currentToken();
        String value = token != null && token.isScalarValue() ? p.getText() : null;
        add(new ConfigProblem(key(p.getParsingContext()), value, ConfigMapper.expected(type)));
        p.skipChildren();
        return null;
    }

    @Override
    public JavaType handleUnknownTypeId(
            DeserializationContext ctxt, JavaType base, String id, TypeIdResolver resolver, String message) {
        String known = resolver.getDescForKnownTypeIds();
        add(ConfigProblem.of(
                key(ctxt.getParser().getParsingContext()),
                "unknown identity source '" + id + "'; expected one of " + known.replaceAll("[\\[\\]]", "")));
        return ctxt.constructType(Void.class);
    }

    @Override
    public Object handleInstantiationProblem(DeserializationContext ctxt, Class<?> type, Object argument, Throwable t)
            throws IOException {
        String at = recordKey(ctxt.getParser());
        Throwable cause = t;
        while (!(cause instanceof InvalidConfigException) && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof InvalidConfigException invalid) {
            invalid.problems().stream()
                    .map(problem -> problem.under(at))
                    .filter(problem -> !hasProblemUnder(problem.key()))
                    .forEach(this::add);
        } else if (!hasProblemUnder(at)) {
            add(ConfigProblem.of(at, String.valueOf(t.getMessage())));
        }
        // Binding goes on with a stand-in, so that the rest of the file is checked too.
        if (type == RouterConfig.class) {
            rootFailed = true;
        }
        return ConfigDefaults.standIn(type);
    }

    /**
     * The key of the record being built. Jackson builds a record as soon as it has every parameter,
     * on the key that follows the last one ({@code bogusKey} after the defaults' keys): the parser is
     * then on that key, inside the record's own map.
     */
    private static String recordKey(JsonParser p) {
        JsonStreamContext context = p.getParsingContext();
        return p.currentToken() == JsonToken.FIELD_NAME ? key(context.getParent()) : key(context);
    }

    /** A failure that escaped the handlers (a bug, or input Jackson could not go on with). */
    void unexpected(Exception e) {
        if (problems.isEmpty()) {
            String at = e instanceof JsonMappingException mapping ? path(mapping) : "";
            add(ConfigProblem.of(at, e.getMessage() == null ? e.toString() : firstLine(e.getMessage())));
        }
    }

    private void add(ConfigProblem problem) {
        for (ConfigProblem existing : problems) {
            if (existing.key().equals(problem.key())) {
                return; // the first problem of a key is the one that says what happened
            }
        }
        problems.add(problem);
    }

    private boolean hasProblemUnder(String key) {
        return problems.stream()
                .anyMatch(problem -> key.isEmpty()
                        || problem.key().equals(key)
                        || problem.key().startsWith(key + ".")
                        || problem.key().startsWith(key + "["));
    }

    /** The dotted key of a parsing context: {@code identity[0].jwt.hmacSecret}. */
    static String key(JsonStreamContext context) {
        java.util.ArrayDeque<String> segments = new java.util.ArrayDeque<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                segments.push("[" + Math.max(0, c.getCurrentIndex()) + "]");
            } else if (c.getCurrentName() != null) {
                segments.push(c.getCurrentName());
            }
        }
        StringBuilder key = new StringBuilder();
        for (String segment : segments) {
            if (key.length() > 0 && !segment.startsWith("[")) {
                key.append('.');
            }
            key.append(segment);
        }
        return key.toString();
    }

    private static String path(JsonMappingException e) {
        StringBuilder key = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                key.append(key.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                key.append('[').append(ref.getIndex()).append(']');
            }
        }
        return key.toString();
    }

    private static Object neutral(Class<?> type) {
        if (type == int.class) {
            return 0;
        } else if (type == long.class) {
            return 0L;
        } else if (type == double.class) {
            return 0.0;
        } else if (type == boolean.class) {
            return false;
        }
        return null;
    }

    /** An enum's values as the file writes them ({@code @JsonProperty} names): "a, b or c". */
    private static String choices(Class<?> type) {
        List<String> names = new java.util.ArrayList<>();
        for (java.lang.reflect.Field field : type.getFields()) {
            if (field.isEnumConstant()) {
                com.fasterxml.jackson.annotation.JsonProperty property =
                        field.getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
                names.add(property != null ? property.value() : field.getName());
            }
        }
        if (names.size() < 2) {
            return String.join("", names);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }

    private static String join(Collection<Object> names) {
        TreeSet<String> sorted = new TreeSet<>();
        names.forEach(name -> sorted.add(String.valueOf(name)));
        return String.join(", ", sorted);
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
