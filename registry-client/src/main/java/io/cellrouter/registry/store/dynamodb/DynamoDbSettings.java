package io.cellrouter.registry.store.dynamodb;

import static java.util.Objects.requireNonNull;

import io.cellrouter.registry.model.Cell;
import java.net.URI;
import java.time.Duration;

/**
 * How the {@link DynamoDbRegistryStore} reaches its table and follows its feed. Validated here, once;
 * messages name the field and the bad value.
 *
 * @param table the table name
 * @param region the AWS region, or null for the SDK's default chain ({@code AWS_REGION}, profile,
 *     instance metadata)
 * @param endpoint a DynamoDB-compatible endpoint instead of AWS's, or null
 * @param callTimeout the bound on one store call, retries included: what a request of a customer
 *     that is not cached can wait for the registry before it gets {@code registry_unavailable}
 * @param attemptTimeout the bound on one HTTP attempt of a call
 * @param scanTimeout the call timeout of one page (up to 1 MB) of the preload scan
 * @param maxConnections the HTTP connection pool's bound (requests beyond it wait for a connection,
 *     within the call timeout)
 * @param scanSegments how many segments the preload scan reads in parallel
 * @param feedBucketSize feed sequences per feed partition ({@code FEED#<n>}): a reader queries one
 *     partition per poll, a writer moves to the next partition every this many entries
 * @param feedRetainBuckets how many feed partitions are kept behind the newest; older ones are
 *     pruned, and a reader whose cursor is in a pruned partition reloads everything (a gap)
 */
public record DynamoDbSettings(
        String table,
        String region,
        URI endpoint,
        Duration callTimeout,
        Duration attemptTimeout,
        Duration scanTimeout,
        int maxConnections,
        int scanSegments,
        int feedBucketSize,
        int feedRetainBuckets) {

    public static final String DEFAULT_TABLE = "cell-router";

    public DynamoDbSettings {
        requireNonNull(table, "table");
        if (!table.matches("[A-Za-z0-9_.-]{3,255}")) {
            throw new IllegalArgumentException(
                    "table must be 3-255 characters of letters, digits, '_', '-', '.', was '" + table + "'");
        }
        if (region != null && !region.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("region must look like us-east-1, was '" + region + "'");
        }
        if (endpoint != null
                && (endpoint.getScheme() == null
                        || !(endpoint.getScheme().equals("http")
                                || endpoint.getScheme().equals("https"))
                        || endpoint.getHost() == null)) {
            throw new IllegalArgumentException("endpoint must be an http:// or https:// URL, was '" + endpoint + "'");
        }
        requirePositive("callTimeout", callTimeout);
        requirePositive("attemptTimeout", attemptTimeout);
        requirePositive("scanTimeout", scanTimeout);
        if (attemptTimeout.compareTo(callTimeout) > 0) {
            throw new IllegalArgumentException("attemptTimeout (" + attemptTimeout
                    + ") must not be longer than callTimeout (" + callTimeout + ")");
        }
        requireBetween("maxConnections", maxConnections, 1, 10_000);
        requireBetween("scanSegments", scanSegments, 1, 1_000);
        requireBetween("feedBucketSize", feedBucketSize, 3, 1_000_000);
        requireBetween("feedRetainBuckets", feedRetainBuckets, 1, 1_000_000);
    }

    /** {@link #of}'s connection pool bound. */
    public static final int DEFAULT_MAX_CONNECTIONS = 100;

    /**
     * The defaults: a 1 s call bound of up to three 300 ms attempts, 100 connections, 4 scan
     * segments. 100 connections: more than the resolver's own bounds on concurrent reads together
     * (misses, refreshes, the feed's re-reads, misroute re-reads) plus the feed's poll and table
     * reads and the preload's segments, so the feed never waits for a connection behind them.
     */
    public static DynamoDbSettings of(String table) {
        return new DynamoDbSettings(
                table,
                null,
                null,
                Duration.ofSeconds(1),
                Duration.ofMillis(300),
                Duration.ofSeconds(30),
                DEFAULT_MAX_CONNECTIONS,
                4,
                1_000,
                100);
    }

    public DynamoDbSettings withRegion(String value) {
        return new DynamoDbSettings(
                table,
                value,
                endpoint,
                callTimeout,
                attemptTimeout,
                scanTimeout,
                maxConnections,
                scanSegments,
                feedBucketSize,
                feedRetainBuckets);
    }

    public DynamoDbSettings withEndpoint(URI value) {
        return new DynamoDbSettings(
                table,
                region,
                value,
                callTimeout,
                attemptTimeout,
                scanTimeout,
                maxConnections,
                scanSegments,
                feedBucketSize,
                feedRetainBuckets);
    }

    public DynamoDbSettings withTimeouts(Duration call, Duration attempt) {
        return new DynamoDbSettings(
                table,
                region,
                endpoint,
                call,
                attempt,
                scanTimeout,
                maxConnections,
                scanSegments,
                feedBucketSize,
                feedRetainBuckets);
    }

    /**
     * For bulk work off the hot path (import, export, create-table): at least a 30 s call of 10 s
     * attempts, so that a busy table slows the job down rather than failing it.
     */
    public DynamoDbSettings forBulkWork() {
        Duration call = callTimeout.compareTo(Duration.ofSeconds(30)) < 0 ? Duration.ofSeconds(30) : callTimeout;
        Duration attempt =
                attemptTimeout.compareTo(Duration.ofSeconds(10)) < 0 ? Duration.ofSeconds(10) : attemptTimeout;
        return withTimeouts(call, attempt);
    }

    public DynamoDbSettings withMaxConnections(int value) {
        return new DynamoDbSettings(
                table,
                region,
                endpoint,
                callTimeout,
                attemptTimeout,
                scanTimeout,
                value,
                scanSegments,
                feedBucketSize,
                feedRetainBuckets);
    }

    public DynamoDbSettings withScanSegments(int value) {
        return new DynamoDbSettings(
                table,
                region,
                endpoint,
                callTimeout,
                attemptTimeout,
                scanTimeout,
                maxConnections,
                value,
                feedBucketSize,
                feedRetainBuckets);
    }

    /** The feed's partitioning and retention (see the package documentation). */
    public DynamoDbSettings withFeed(int bucketSize, int retainBuckets) {
        return new DynamoDbSettings(
                table,
                region,
                endpoint,
                callTimeout,
                attemptTimeout,
                scanTimeout,
                maxConnections,
                scanSegments,
                bucketSize,
                retainBuckets);
    }

    private static void requirePositive(String field, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(field + " must be positive, was " + value);
        }
    }

    private static void requireBetween(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    static boolean isName(String value) {
        return value != null && Cell.NAME.matcher(value).matches();
    }
}
