package io.cellrouter.router.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The defaults of {@code defaults.yaml}, laid under an operator's tree: maps merge key by key, a
 * value the file gives (even a list) replaces the default, and a key left empty ({@code token:})
 * keeps its default. Optional sections ({@code proxy.tls}, {@code registry.dynamodb}, each {@code
 * jwt} identity source) get their own defaults only when the file gives them; {@code registry.file}
 * is the default store only when {@code registry.dynamodb} is not given.
 */
final class ConfigDefaults {

    private static final ObjectNode DEFAULTS;
    private static final ObjectNode OPTIONAL_SECTIONS;

    static {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (InputStream in = ConfigDefaults.class.getResourceAsStream("defaults.yaml");
                MappingIterator<ObjectNode> documents =
                        yaml.readerFor(ObjectNode.class).readValues(in)) {
            DEFAULTS = documents.next();
            OPTIONAL_SECTIONS = documents.next();
        } catch (IOException e) {
            throw new UncheckedIOException("defaults.yaml is missing from the jar", e);
        }
    }

    private ConfigDefaults() {}

    /**
     * What binding goes on with after a record at some key failed (its problems are recorded): the
     * default of a section that always exists (and of the whole configuration), nothing for an
     * optional section, a harmless identity source of the same kind for a failed one (Jackson refuses
     * a stand-in of another type, and the rest of the file would go unchecked). With nothing, Jackson
     * skips the keys of that map it had not read yet. A configuration holding a stand-in is never
     * used: it only lets the rest of the file be checked in the same run.
     */
    static Object standIn(Class<?> type) {
        return StandIns.BY_TYPE.get(type);
    }

    /** The defaults bound once, on first use (binding needs the records, which need nothing here). */
    private static final class StandIns {
        static final Map<Class<?>, Object> BY_TYPE;

        static {
            List<ConfigProblem> problems = new ArrayList<>();
            RouterConfig defaults = ConfigMapper.bind(under(identityOfEveryKind()), Path.of(""), problems);
            if (defaults == null || !problems.isEmpty()) {
                throw new IllegalStateException("defaults.yaml does not bind: " + problems);
            }
            Map<Class<?>, Object> byType = new HashMap<>();
            byType.put(RouterConfig.class, defaults);
            byType.put(RouterConfig.Proxy.class, defaults.proxy());
            byType.put(RouterConfig.Limits.class, defaults.proxy().limits());
            byType.put(RouterConfig.Http2.class, defaults.proxy().http2());
            byType.put(RouterConfig.Upstream.class, defaults.proxy().upstream());
            byType.put(RouterConfig.WebSocket.class, defaults.proxy().websocket());
            byType.put(AdminConfig.class, defaults.admin());
            byType.put(RegistryConfig.class, defaults.registry());
            byType.put(CacheConfig.class, defaults.cache());
            byType.put(OverridesConfig.class, defaults.overrides());
            byType.put(AccessLogConfig.class, defaults.accessLog());
            byType.put(LoggingConfig.class, defaults.logging());
            defaults.identity().forEach(source -> byType.put(source.getClass(), source));
            for (Class<?> kind : IdentitySpec.class.getPermittedSubclasses()) {
                if (!byType.containsKey(kind)) {
                    throw new IllegalStateException("no stand-in for the identity source " + kind.getSimpleName());
                }
            }
            BY_TYPE = Map.copyOf(byType);
        }

        /**
         * The defaults with one valid identity source of each kind. The jwt one's secret verifies no
         * token anyone holds, and a configuration holding it is never used.
         */
        private static ObjectNode identityOfEveryKind() {
            ObjectNode tree = JsonNodeFactory.instance.objectNode();
            ArrayNode sources = tree.putArray("identity");
            sources.addObject().put("header", "x-customer-id");
            sources.addObject().put("host", "^(?<customer>[^.]+)\\.");
            sources.addObject().put("path", "^/(?<customer>[^/]+)/");
            sources.addObject().put("query", "customer");
            sources.addObject().putObject("jwt").put("hmacSecret", "stand-in for a jwt source that failed to bind");
            return tree;
        }
    }

    /** A new tree: {@code file} over the defaults. {@code file} is not changed. */
    static ObjectNode under(ObjectNode file) {
        ObjectNode merged = DEFAULTS.deepCopy();
        if (file.path("registry").hasNonNull("dynamodb")) {
            ((ObjectNode) merged.get("registry")).remove("file");
        }
        merge(merged, file);
        optional(merged.path("proxy"), "tls", "proxy.tls");
        optional(merged.path("registry"), "dynamodb", "registry.dynamodb");
        for (JsonNode source : merged.path("identity")) {
            optional(source, "jwt", "identity[].jwt");
        }
        return merged;
    }

    private static void merge(ObjectNode into, ObjectNode from) {
        for (Map.Entry<String, JsonNode> field : from.properties()) {
            JsonNode mine = into.get(field.getKey());
            JsonNode theirs = field.getValue();
            if (theirs.isNull()) {
                continue; // "key:" with nothing after it: the default stands
            }
            if (mine instanceof ObjectNode base && theirs instanceof ObjectNode given) {
                merge(base, given);
            } else {
                into.set(field.getKey(), theirs.deepCopy());
            }
        }
    }

    private static void optional(JsonNode parent, String name, String template) {
        if (parent instanceof ObjectNode object && object.get(name) instanceof ObjectNode given) {
            ObjectNode section = ((ObjectNode) OPTIONAL_SECTIONS.get(template)).deepCopy();
            merge(section, given);
            object.set(name, section);
        }
    }
}
