package io.cellrouter.registry.store.dynamodb;

import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClientBuilder;

/**
 * Builds the SDK's async client for a hot path.
 *
 * <ul>
 *   <li>Every call is bounded: {@code apiCallTimeout} (retries included) and {@code
 *       apiCallAttemptTimeout} (one attempt), so a store that hangs costs a request at most the call
 *       timeout, never a pile-up of waiting requests.
 *   <li>{@link RetryMode#STANDARD}: up to three attempts with exponential backoff and full jitter,
 *       and a retry quota that stops retrying when most calls fail (AWS's advice for multi-tenant
 *       callers; ADAPTIVE would make one tenant's throttling slow down everybody's lookups).
 *   <li>A bounded connection pool; a request beyond it waits for a connection, within the call
 *       timeout.
 *   <li>Its own two Netty event-loop threads (the SDK's Netty client runs on an NIO group of its
 *       own; it is not handed the router's event loops). Futures complete on the SDK's completion
 *       executor, never on a router event loop: callers hop back to their own thread. The HTTP
 *       client is this class's, handed to the SDK built (so the SDK leaves it open), and {@link
 *       Opened#close} closes it on a thread of its own: its shutdown waits out a two-second quiet
 *       period, which every {@code cell-router registry} command and every test's store would
 *       otherwise pay at close.
 *   <li>Region and credentials from the SDK's default chains, web identity (IRSA) included: its
 *       provider needs the {@code sts} module and a sync HTTP client for its STS client
 *       ({@code url-connection-client}), both dependencies of this module, without which the
 *       chain would skip it silently. The credentials chain renews in the background ({@code
 *       asyncCredentialUpdateEnabled}): the SDK resolves credentials on the thread that starts a
 *       call, which in the router is a Netty event loop, and a renewal there (an STS or instance
 *       metadata call, seconds when they are slow) would stall every connection of that loop. Only
 *       the first resolution (the store's first call) is made on the calling thread. The client closes the
 *       provider, and with it its renewal task, when it is closed. With an {@code endpoint} (a
 *       DynamoDB-compatible server: dynalite in the tests, a local emulator) only local sources are
 *       consulted (environment, system properties, profile file), then fixed placeholder
 *       credentials, so that such a setup never reaches for instance metadata.
 * </ul>
 */
final class DynamoDbClients {

    private static final int EVENT_LOOP_THREADS = 2;

    private DynamoDbClients() {}

    /** The client and the HTTP client under it: closing closes both. */
    record Opened(DynamoDbAsyncClient client, SdkAsyncHttpClient http) implements AutoCloseable {
        @Override
        public void close() {
            try {
                client.close();
            } finally {
                closeInTheBackground(http);
            }
        }
    }

    static Opened create(DynamoDbSettings settings) {
        SdkAsyncHttpClient http = NettyNioAsyncHttpClient.builder()
                .maxConcurrency(settings.maxConnections())
                .maxPendingConnectionAcquires(10_000)
                .connectionAcquisitionTimeout(settings.callTimeout())
                .connectionTimeout(shorter(settings.attemptTimeout(), Duration.ofSeconds(2)))
                .readTimeout(settings.scanTimeout())
                .writeTimeout(settings.scanTimeout())
                .tcpKeepAlive(true)
                .eventLoopGroupBuilder(SdkEventLoopGroup.builder().numberOfThreads(EVENT_LOOP_THREADS))
                .build();
        try {
            return new Opened(client(settings, http), http);
        } catch (RuntimeException e) {
            closeInTheBackground(http);
            throw e;
        }
    }

    /** Its threads end about two seconds later; nobody waits for that. */
    private static void closeInTheBackground(SdkAsyncHttpClient http) {
        Thread closing = new Thread(http::close, "dynamodb-client-close");
        closing.setDaemon(true);
        closing.start();
    }

    private static DynamoDbAsyncClient client(DynamoDbSettings settings, SdkAsyncHttpClient http) {
        DynamoDbAsyncClientBuilder builder = DynamoDbAsyncClient.builder()
                .httpClient(http)
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallTimeout(settings.callTimeout())
                        .apiCallAttemptTimeout(settings.attemptTimeout())
                        .retryStrategy(RetryMode.STANDARD)
                        .build());
        if (settings.region() != null) {
            builder.region(Region.of(settings.region()));
        }
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
            builder.credentialsProvider(localCredentials());
            if (settings.region() == null) {
                String fromEnvironment = System.getenv("AWS_REGION");
                builder.region(Region.of(fromEnvironment == null ? "us-east-1" : fromEnvironment));
            }
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder()
                    .asyncCredentialUpdateEnabled(true)
                    .build());
        }
        return builder.build();
    }

    private static AwsCredentialsProvider localCredentials() {
        return AwsCredentialsProviderChain.builder()
                .credentialsProviders(
                        EnvironmentVariableCredentialsProvider.create(),
                        SystemPropertyCredentialsProvider.create(),
                        ProfileCredentialsProvider.create(),
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("cell-router", "cell-router")))
                .build();
    }

    private static Duration shorter(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
