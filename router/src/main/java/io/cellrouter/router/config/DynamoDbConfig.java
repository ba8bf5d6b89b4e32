package io.cellrouter.router.config;

import io.cellrouter.registry.model.Endpoints;
import io.cellrouter.registry.store.dynamodb.DynamoDbSettings;
import java.net.URI;
import java.time.Duration;

/**
 * {@code registry.dynamodb}: the table, where it is, and the client's bounds on the hot path.
 * {@code region} and {@code endpoint} may be null (the SDK's default chain; AWS's endpoint).
 */
public record DynamoDbConfig(
        String table,
        String region,
        String endpoint,
        Duration callTimeout,
        Duration attemptTimeout,
        int maxConnections,
        int preloadSegments) {

    public DynamoDbConfig {
        Check check = Check.that()
                .rule(
                        table != null && table.matches("[A-Za-z0-9_.-]{3,255}"),
                        "table",
                        table,
                        "a table name is 3-255 letters, digits, '_', '-' or '.'")
                .rule(
                        region == null || region.matches("[a-z0-9-]+"),
                        "region",
                        region,
                        "not a region name (like us-east-1)")
                .rule(
                        endpoint == null || Endpoints.problem(endpoint, Endpoints.HTTP) == null,
                        "endpoint",
                        endpoint,
                        endpoint == null ? "" : String.valueOf(Endpoints.problem(endpoint, Endpoints.HTTP)))
                .positive("callTimeout", callTimeout)
                .positive("attemptTimeout", attemptTimeout)
                .range("maxConnections", maxConnections, 1, 10_000)
                .range("preloadSegments", preloadSegments, 1, 1_000);
        if (check.ok() && attemptTimeout.compareTo(callTimeout) > 0) {
            check.rule(
                    false,
                    "attemptTimeout",
                    Check.show(attemptTimeout),
                    "must not be longer than callTimeout (" + Check.show(callTimeout) + ")");
        }
        check.done();
    }

    /** The store's settings. */
    public DynamoDbSettings settings() {
        return DynamoDbSettings.of(table)
                .withRegion(region)
                .withEndpoint(endpoint == null ? null : URI.create(endpoint))
                .withTimeouts(callTimeout, attemptTimeout)
                .withMaxConnections(maxConnections)
                .withScanSegments(preloadSegments);
    }
}
