package io.cellrouter.loadtest.cli;

import io.cellrouter.loadtest.report.Durations;
import java.time.Duration;
import picocli.CommandLine;

/** {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
