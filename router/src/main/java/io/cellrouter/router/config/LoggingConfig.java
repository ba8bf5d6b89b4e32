package io.cellrouter.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code logging.format}: readable text lines (the default) or one JSON object per line. */
public record LoggingConfig(Format format) {
    public enum Format {
        @JsonProperty("text")
        TEXT,
        @JsonProperty("json")
        JSON
    }

    public LoggingConfig {
        Check.that().required("format", format).done();
    }
}
