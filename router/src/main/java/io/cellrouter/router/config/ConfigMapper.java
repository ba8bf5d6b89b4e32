package io.cellrouter.router.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.cellrouter.registry.token.TokenAlgorithm;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Binds a configuration tree onto {@link RouterConfig} with Jackson: unknown keys are problems,
 * scalars are read by the configuration's own grammars (durations, {@code host:port}, paths
 * relative to the file, regular expressions, token algorithms), and every problem is collected by
 * a {@link ProblemCollector} instead of stopping at the first.
 */
final class ConfigMapper {

    private ConfigMapper() {}

    /** Binds {@code tree}; problems go to {@code problems}, the result is null when the root failed. */
    static RouterConfig bind(JsonNode tree, Path baseDir, List<ConfigProblem> problems) {
        ProblemCollector collector = new ProblemCollector(problems);
        ObjectMapper mapper = new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(DeserializationFeature.WRAP_EXCEPTIONS)
                .registerModule(scalars(baseDir).setDeserializerModifier(new Guard(collector)))
                .addHandler(collector);
        identitySources(tree, problems);
        try {
            RouterConfig config = mapper.treeToValue(tree, RouterConfig.class);
            return collector.rootFailed() ? null : config;
        } catch (IOException | IllegalArgumentException e) {
            collector.unexpected(e);
            return null;
        }
    }

    /**
     * Each identity source is a map with one key, its kind ({@code - header: x-customer-id}); more
     * keys in one item (a missing {@code -}) is a problem of that item, and binding goes on with the
     * first key (Jackson's own error would end it, naming no key).
     */
    private static void identitySources(JsonNode tree, List<ConfigProblem> problems) {
        JsonNode identity = tree.path("identity");
        for (int i = 0; i < identity.size(); i++) {
            JsonNode source = identity.get(i);
            if (source instanceof com.fasterxml.jackson.databind.node.ObjectNode item && item.size() > 1) {
                problems.add(new ConfigProblem(
                        "identity[" + i + "]",
                        String.join(", ", (Iterable<String>) item::fieldNames),
                        "each identity source is a map with exactly one key: jwt, header, host, path or query"));
                String first = item.fieldNames().next();
                item.retain(first);
            } else if (!source.isObject()) {
                problems.add(new ConfigProblem(
                        "identity[" + i + "]",
                        source.isValueNode() ? source.asText() : null,
                        "must be a map with one key: jwt, header, host, path or query"));
                ((com.fasterxml.jackson.databind.node.ArrayNode) identity)
                        .set(
                                i,
                                JsonNodeFactory.instance
                                        .objectNode()
                                        .put("header", "x-customer-id")); // a stand-in: the problem is recorded
            }
        }
    }

    private static SimpleModule scalars(Path baseDir) {
        return new SimpleModule("cell-router-config")
                .addDeserializer(Duration.class, new Scalar<>(Duration.class, Durations::parse))
                .addDeserializer(InetSocketAddress.class, new Scalar<>(InetSocketAddress.class, Addresses::parse))
                .addDeserializer(Path.class, new Scalar<>(Path.class, text -> baseDir.resolve(text)))
                .addDeserializer(Pattern.class, new Scalar<>(Pattern.class, ConfigMapper::regex))
                .addDeserializer(TokenAlgorithm.class, new Scalar<>(TokenAlgorithm.class, TokenAlgorithm::parse))
                .addDeserializer(Cidr.class, new Scalar<>(Cidr.class, Cidr::parse))
                .addDeserializer(
                        RouterConfig.ProxyProtocol.class,
                        new Scalar<>(RouterConfig.ProxyProtocol.class, RouterConfig.ProxyProtocol::parse))
                .addDeserializer(int.class, new WholeNumber<>(int.class, 32))
                .addDeserializer(Integer.class, new WholeNumber<>(Integer.class, 32))
                .addDeserializer(long.class, new WholeNumber<>(long.class, 64))
                .addDeserializer(Long.class, new WholeNumber<>(Long.class, 64));
    }

    /**
     * Records built from one scalar (the identity sources: {@code header: x-customer-id}) refuse
     * their value from a delegating creator, which Jackson does not hand to a problem handler: their
     * deserializers are wrapped so that the refusal is collected like any other.
     */
    private static final class Guard extends BeanDeserializerModifier {
        private static final long serialVersionUID = 1L;
        private final transient ProblemCollector collector;

        Guard(ProblemCollector collector) {
            this.collector = collector;
        }

        @Override
        public JsonDeserializer<?> modifyDeserializer(
                DeserializationConfig config, BeanDescription description, JsonDeserializer<?> deserializer) {
            Class<?> type = description.getBeanClass();
            return IdentitySpec.class.isAssignableFrom(type) && type.isRecord()
                    ? new Guarded(deserializer, type, collector)
                    : deserializer;
        }
    }

    private static final class Guarded extends DelegatingDeserializer {
        private static final long serialVersionUID = 1L;
        private final Class<?> type;
        private final transient ProblemCollector collector;

        Guarded(JsonDeserializer<?> delegate, Class<?> type, ProblemCollector collector) {
            super(delegate);
            this.type = type;
            this.collector = collector;
        }

        @Override
        protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegate) {
            return new Guarded(delegate, type, collector);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            try {
                return super.deserialize(p, ctxt);
            } catch (ValueInstantiationException e) {
                return collector.handleInstantiationProblem(ctxt, type, null, e);
            }
        }
    }

    private static Pattern regex(String text) {
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("not a valid regular expression: " + e.getDescription());
        }
    }

    /**
     * A value written as one scalar and read by {@code parse}, whose IllegalArgumentException
     * message says what is wrong; the problem goes to the collector with the key and the value.
     */
    static class Scalar<T> extends StdScalarDeserializer<T> {
        private static final long serialVersionUID = 1L;
        private final transient Function<String, T> parse;

        Scalar(Class<T> type, Function<String, T> parse) {
            super(type);
            this.parse = parse;
        }

        @Override
        @SuppressWarnings("unchecked")
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.currentToken().isScalarValue()) {
                return (T) ctxt.handleUnexpectedToken(handledType(), p);
            }
            String text = p.getValueAsString();
            if (text == null || text.isBlank()) {
                return null;
            }
            try {
                return parse.apply(text.strip());
            } catch (IllegalArgumentException e) {
                return (T) ctxt.handleWeirdStringValue(handledType(), text, e.getMessage());
            }
        }
    }

    /**
     * A whole number ({@code 1_000} and a quoted {@code "1000"} too, as an environment variable gives
     * it): one that does not fit the key's type is a problem of that key, not the end of binding
     * (Jackson's own coercion throws past the problem handler).
     */
    static final class WholeNumber<T extends Number> extends StdScalarDeserializer<T> {
        private static final long serialVersionUID = 1L;
        private final int bits;

        WholeNumber(Class<T> type, int bits) {
            super(type);
            this.bits = bits;
        }

        @Override
        @SuppressWarnings("unchecked")
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            java.math.BigInteger value;
            if (p.currentToken() == com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT) {
                value = p.getBigIntegerValue();
            } else if (p.currentToken() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                String text = p.getText().strip().replace("_", "");
                try {
                    value = new java.math.BigInteger(text);
                } catch (NumberFormatException e) {
                    return (T) ctxt.handleWeirdStringValue(handledType(), p.getText(), "must be a whole number");
                }
            } else {
                return (T) ctxt.handleUnexpectedToken(handledType(), p);
            }
            if (value.bitLength() >= bits) {
                return (T) ctxt.handleWeirdNumberValue(handledType(), value, "out of range");
            }
            // Not a conditional expression: it would unbox both and hand an int key a Long.
            if (bits == 32) {
                return (T) Integer.valueOf(value.intValue());
            }
            return (T) Long.valueOf(value.longValue());
        }
    }

    /** A duration, or {@code none} for no limit (null): {@code identity[].jwt.maxLifetime}. */
    static final class DurationOrNone extends Scalar<Duration> {
        private static final long serialVersionUID = 1L;

        DurationOrNone() {
            super(Duration.class, text -> "none".equals(text) ? null : Durations.parse(text));
        }

        @Override
        public Duration getNullValue(DeserializationContext ctxt) throws JsonMappingException {
            return null;
        }
    }

    /** For the collector: a short description of what a key expects. */
    static String expected(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "must be a whole number";
        } else if (type == double.class || type == Double.class) {
            return "must be a number";
        } else if (type == boolean.class || type == Boolean.class) {
            return "must be true or false";
        } else if (type == String.class || type == Duration.class || type == Path.class || type == Pattern.class) {
            return "must be a single value";
        } else if (List.class.isAssignableFrom(type) || java.util.Set.class.isAssignableFrom(type)) {
            return "must be a list";
        } else if (type.isRecord()) {
            return "must be a map of keys";
        }
        return "must be a single value";
    }
}
