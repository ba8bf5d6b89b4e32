package io.cellrouter.router.config;

import java.util.Set;

/**
 * One thing wrong with the configuration: the dotted key ({@code proxy.http2.maxConcurrentStreams},
 * {@code identity[0].jwt.hmacSecret}), the value found there (null when there is none to show) and
 * what is wrong with it.
 *
 * <p>Secrets are never shown: the value of a key named like a secret ({@link #isSecret}) renders as
 * {@code <redacted>}, whatever the message says about it.
 */
public record ConfigProblem(String key, String value, String message, String source) {

    /** The last segments of keys whose values are secrets: the admin token(s) and HMAC secrets. */
    private static final Set<String> SECRET_KEYS = Set.of("token", "hmacSecret", "secret");

    public ConfigProblem {
        key = key == null ? "" : key;
    }

    /** A problem of the configuration file itself (the source is given when rendering). */
    public ConfigProblem(String key, String value, String message) {
        this(key, value, message, null);
    }

    /**
     * A problem found in another file the configuration names (the registry document), whose
     * message already names that file and the key in it.
     */
    public static ConfigProblem elsewhere(String message) {
        return new ConfigProblem("", null, message, "");
    }

    /** A problem about a key as a whole (missing, unknown, duplicated): no value to show. */
    public static ConfigProblem of(String key, String message) {
        return new ConfigProblem(key, null, message);
    }

    /** This problem under a parent key: {@code http2} + {@code maxConcurrentStreams}. */
    ConfigProblem under(String parent) {
        if (parent.isEmpty()) {
            return this;
        }
        String joined = key.isEmpty() ? parent : key.startsWith("[") ? parent + key : parent + "." + key;
        return new ConfigProblem(joined, value, message, source);
    }

    /** True when the value at {@code key} is a secret: never printed. */
    public static boolean isSecret(String key) {
        int dot = Math.max(key.lastIndexOf('.'), key.lastIndexOf(']'));
        return SECRET_KEYS.contains(key.substring(dot + 1));
    }

    /** {@code key: message, was 'value'} (secrets as {@code <redacted>}). */
    public String describe() {
        StringBuilder line = new StringBuilder();
        if (!key.isEmpty()) {
            line.append(key).append(": ");
        }
        line.append(message);
        if (value != null) {
            line.append(", was ").append(isSecret(key) ? "<redacted>" : "'" + value + "'");
        }
        return line.toString();
    }

    /** One line of {@code check}'s output: {@code file: key: message, was 'value'}. */
    public String render(String configSource) {
        String file = source != null ? source : configSource;
        return file == null || file.isEmpty() ? describe() : file + ": " + describe();
    }

    @Override
    public String toString() {
        return describe();
    }
}
