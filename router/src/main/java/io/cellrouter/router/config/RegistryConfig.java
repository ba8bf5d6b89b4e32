package io.cellrouter.router.config;

import java.nio.file.Path;

/**
 * {@code registry}: where placements live, {@code file} or {@code dynamodb} (exactly one); the
 * last-known-good {@code snapshot} (optional); and how much of the placements one edit of the
 * registry file may remove before it is refused ({@code maxRemovalFraction}).
 */
public record RegistryConfig(Path file, DynamoDbConfig dynamodb, Path snapshot, double maxRemovalFraction) {
    public RegistryConfig {
        Check.that()
                .rule(
                        file == null || dynamodb == null,
                        "file",
                        file,
                        "cannot be used with registry.dynamodb: choose one store")
                .rule(file != null || dynamodb != null, "dynamodb", null, "or registry.file is required")
                .range("maxRemovalFraction", maxRemovalFraction, 0, 1)
                .done();
    }
}
