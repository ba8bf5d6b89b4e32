package io.cellrouter.router.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one environment step: {@code ${NAME}} in any value of the tree is replaced by the variable
 * NAME, before anything is bound (so a substituted value is checked like a written one). An unset
 * variable is a problem naming the key and the variable; the key then takes its default. The keys
 * that took a variable's value are returned: secrets come that way, so a problem there never shows
 * its value.
 */
final class Environment {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private Environment() {}

    static Set<String> substitute(JsonNode tree, Function<String, String> env, List<ConfigProblem> problems) {
        Set<String> substituted = new HashSet<>();
        walk(tree, "", env, new Found(problems, substituted));
        return substituted;
    }

    /** Where a walk reports: the problems, and the keys that took a variable's value. */
    private record Found(List<ConfigProblem> problems, Set<String> substituted) {}

    private static void walk(JsonNode node, String at, Function<String, String> env, Found found) {
        if (node instanceof ObjectNode object) {
            List<String> unset = new ArrayList<>();
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                String key = at.isEmpty() ? field.getKey() : at + "." + field.getKey();
                if (field.getValue().isTextual()) {
                    String replaced = replace(field.getValue().textValue(), key, env, found);
                    if (replaced == null) {
                        unset.add(field.getKey());
                    } else {
                        field.setValue(TextNode.valueOf(replaced));
                    }
                } else {
                    walk(field.getValue(), key, env, found);
                }
            }
            unset.forEach(object::remove);
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                String key = at + "[" + i + "]";
                if (array.get(i).isTextual()) {
                    String replaced = replace(array.get(i).textValue(), key, env, found);
                    array.set(i, replaced == null ? TextNode.valueOf("") : TextNode.valueOf(replaced));
                } else {
                    walk(array.get(i), key, env, found);
                }
            }
        }
    }

    /** The text with its references replaced, or null when a variable is not set. */
    private static String replace(String text, String key, Function<String, String> env, Found found) {
        Matcher matcher = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            String value = env.apply(name);
            if (value == null) {
                found.problems().add(ConfigProblem.of(key, "environment variable " + name + " is not set"));
                return null;
            }
            found.substituted().add(key);
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
