package io.cellrouter.router.config;

import java.util.Set;

/**
 * One thing wrong with the configuration: the dotted key ({@code proxy.http2.maxConcurrentStreams},
 * {@code identity[0].jwt.hmacSecret}), the value found there (null when there is none to show) and
 * what is wrong with it.
 *
 * <p>Secrets are never shown: the value of a key named like a secret ({@link #isSecret}), or of a
 * key whose value came from an environment variable ({@link #redacted}), is not shown, whatever
 * the message says about it.
 */
public record ConfigProblem(String key, String value, String message, String source) {

    /**
     * The last segments of keys whose values are secrets: the admin token(s), HMAC secrets, private
     * keys (a path, unless PEM text was pasted in by mistake) and {@code jwt} itself (a secret given
     * where its map belongs).
     */
    private static final Set<String> SECRET_KEYS =
            Set.of("token", "hmacSecret", "secret", "privateKey", "clientPrivateKey", "jwt");

    /** Keys everything under which is secret: {@code admin.tokens}, whatever shape it was given in. */
    private static final String SECRET_LIST = "tokens";

    private static final String REDACTED = "<redacted>";

    /** How a value that came from an environment variable is shown: it may be a secret. */
    private static final String FROM_ENVIRONMENT = "<from the environment, not shown>";

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

    /** This problem with its value never shown: the value came from an environment variable. */
    ConfigProblem redacted() {
        return value == null ? this : new ConfigProblem(key, FROM_ENVIRONMENT, message, source);
    }

    /** True when the value at {@code key} is a secret: never printed. */
    public static boolean isSecret(String key) {
        String[] segments = key.split("\\.");
        for (String segment : segments) {
            int index = segment.indexOf('[');
            if (SECRET_LIST.equals(index < 0 ? segment : segment.substring(0, index))) {
                return true;
            }
        }
        String last = segments[segments.length - 1];
        return last.indexOf('[') < 0 && SECRET_KEYS.contains(last);
    }

    /** {@code key: message, was 'value'} (secrets as {@code <redacted>}). */
    public String describe() {
        StringBuilder line = new StringBuilder();
        if (!key.isEmpty()) {
            line.append(key).append(": ");
        }
        line.append(message);
        if (value != null) {
            if (isSecret(key)) {
                line.append(", was ").append(REDACTED);
            } else {
                line.append(", was ").append(FROM_ENVIRONMENT.equals(value) ? value : "'" + value + "'");
            }
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
