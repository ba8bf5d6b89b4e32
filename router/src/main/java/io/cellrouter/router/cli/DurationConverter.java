package io.cellrouter.router.cli;

import io.cellrouter.router.config.Durations;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Durations on the command line, in the configuration's grammar ({@link Durations}: {@code 250ms},
 * {@code 30s}, {@code 5m}, {@code 1h}, {@code 30d}), for the router's and the load test's options.
 * A bad value is a usage error (exit 2) that names the option and the value.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' " + e.getMessage());
        }
    }

    /** A duration, or {@code none} (null): a limit that may be switched off. */
    public static final class OrNone implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return "none".equals(value) ? null : new DurationConverter().convert(value);
        }
    }
}
