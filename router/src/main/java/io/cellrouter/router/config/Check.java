package io.cellrouter.router.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Validation for the configuration records' compact constructors, in Caffeine's manner (the key,
 * the rule, the value) but collecting: a record reports every bad value it holds at once, so that
 * {@code check} lists them all. {@link #done()} throws {@link InvalidConfigException} if anything
 * was wrong.
 *
 * <pre>
 * Check.that()
 *     .range("maxConcurrentStreams", maxConcurrentStreams, 1, 10_000)
 *     .positive("connectTimeout", connectTimeout)
 *     .done();
 * </pre>
 */
final class Check {

    private final List<ConfigProblem> problems = new ArrayList<>();

    private Check() {}

    static Check that() {
        return new Check();
    }

    Check range(String key, long value, long min, long max) {
        return rule(value >= min && value <= max, key, value, "must be between " + min + " and " + max);
    }

    Check range(String key, double value, double min, double max) {
        return rule(
                value >= min && value <= max,
                key,
                format(value),
                "must be between " + format(min) + " and " + format(max));
    }

    /** Present and longer than zero. */
    Check positive(String key, Duration value) {
        return present(key, value)
                ? rule(!value.isZero() && !value.isNegative(), key, show(value), "must be longer than 0")
                : this;
    }

    /** Present and not negative (zero usually means "off"; the README says so per key). */
    Check notNegative(String key, Duration value) {
        return present(key, value) ? rule(!value.isNegative(), key, show(value), "must not be negative") : this;
    }

    Check atMost(String key, Duration value, Duration max) {
        return value == null ? this : rule(value.compareTo(max) <= 0, key, show(value), "must be at most " + show(max));
    }

    Check required(String key, Object value) {
        if (value == null) {
            problems.add(ConfigProblem.of(key, "is required"));
        }
        return this;
    }

    /** A rule about one key; {@code value} is shown unless the key names a secret. */
    Check rule(boolean holds, String key, Object value, String message) {
        if (!holds) {
            problems.add(new ConfigProblem(key, value == null ? null : String.valueOf(value), message));
        }
        return this;
    }

    /** A rule whose message must not carry the value (a secret), shown as {@code <redacted>}. */
    Check secret(boolean holds, String key, String message) {
        if (!holds) {
            problems.add(new ConfigProblem(key, "", message));
        }
        return this;
    }

    boolean ok() {
        return problems.isEmpty();
    }

    void done() {
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
    }

    private boolean present(String key, Object value) {
        required(key, value);
        return value != null;
    }

    static String show(Duration duration) {
        return Durations.format(duration);
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? Long.toString((long) value)
                : Double.toString(value);
    }
}
