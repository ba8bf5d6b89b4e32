package io.cellrouter.router.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one environment step: {@code ${NAME}} in any value of the tree is replaced by the variable
 * NAME, before anything is bound (so a substituted value is checked like a written one). An unset
 * variable is a problem naming the key and the variable; the key then takes its default.
 */
final class Environment {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private Environment() {}

    static void substitute(JsonNode tree, Function<String, String> env, List<ConfigProblem> problems) {
        walk(tree, "", env, problems);
    }

    private static void walk(JsonNode node, String at, Function<String, String> env, List<ConfigProblem> problems) {
        if (node instanceof ObjectNode object) {
            List<String> unset = new ArrayList<>();
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                String key = at.isEmpty() ? field.getKey() : at + "." + field.getKey();
                if (field.getValue().isTextual()) {
                    String replaced = replace(field.getValue().textValue(), key, env, problems);
                    if (replaced == null) {
                        unset.add(field.getKey());
                    } else {
                        field.setValue(TextNode.valueOf(replaced));
                    }
                } else {
                    walk(field.getValue(), key, env, problems);
                }
            }
            unset.forEach(object::remove);
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                String key = at + "[" + i + "]";
                if (array.get(i).isTextual()) {
                    String replaced = replace(array.get(i).textValue(), key, env, problems);
                    array.set(i, replaced == null ? TextNode.valueOf("") : TextNode.valueOf(replaced));
                } else {
                    walk(array.get(i), key, env, problems);
                }
            }
        }
    }

    /** The text with its references replaced, or null when a variable is not set. */
    private static String replace(String text, String key, Function<String, String> env, List<ConfigProblem> problems) {
        Matcher matcher = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            String value = env.apply(name);
            if (value == null) {
                problems.add(ConfigProblem.of(key, "environment variable " + name + " is not set"));
                return null;
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
