package io.cellrouter.router.registry;

import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.registry.store.RejectedEdit;
import io.cellrouter.registry.store.dynamodb.DynamoDbRegistryStore;
import io.cellrouter.registry.store.dynamodb.DynamoDbSettings;
import io.cellrouter.registry.store.file.FileRegistryStore;
import io.cellrouter.registry.store.file.FileStoreOptions;
import io.cellrouter.router.config.DynamoDbConfig;
import io.cellrouter.router.config.RegistryConfig;
import java.time.Clock;
import java.util.function.Consumer;

/** Opens the registry store that the configuration names: {@code registry.file} or {@code registry.dynamodb}. */
public final class RegistryStores {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RegistryStores.class);

    private RegistryStores() {}

    /**
     * Opens the store for a command ({@code registry import}...). A file store reads its file here
     * (a missing or invalid file fails now); a DynamoDB store only builds its client.
     */
    public static RegistryStore open(RegistryConfig config, Clock clock) {
        return openStore(config, clock, edit -> {});
    }

    /**
     * Opens the store for the router: a file store refuses edits that remove more than {@code
     * registry.maxRemovalFraction} (telling {@code rejectedEdits}), and, with a snapshot configured,
     * opens even when its file is missing or invalid, answering as a store that is down (the router
     * then serves the snapshot until the file is back). A DynamoDB store only builds its client, so
     * that a router can start while the table is out of reach (and serve its snapshot).
     */
    public static RegistryStore open(RegistryConfig config, Clock clock, Consumer<RejectedEdit> rejectedEdits) {
        if (config.dynamodb() != null) {
            int connections = config.dynamodb().settings().maxConnections();
            if (connections < DynamoDbSettings.DEFAULT_MAX_CONNECTIONS) {
                LOG.warn(
                        "registry.dynamodb.maxConnections is {}, under {}: with every kind of registry read at its"
                                + " bound (misses, refreshes, re-reads), the change feed's poll can wait for a"
                                + " connection and time out (README: Static stability)",
                        connections,
                        DynamoDbSettings.DEFAULT_MAX_CONNECTIONS);
            }
        }
        return openStore(config, clock, rejectedEdits);
    }

    private static RegistryStore openStore(RegistryConfig config, Clock clock, Consumer<RejectedEdit> rejectedEdits) {
        if (config.dynamodb() != null) {
            return DynamoDbRegistryStore.open(config.dynamodb().settings(), clock);
        }
        FileStoreOptions options = FileStoreOptions.defaults()
                .withMaxRemovalFraction(config.maxRemovalFraction())
                .withRejectedEdits(rejectedEdits)
                .withStartWithoutDocument(config.snapshot() != null);
        return FileRegistryStore.open(config.file(), clock, options);
    }

    /** For the start line: {@code file:/path} or {@code dynamodb:table (region, endpoint)}. */
    public static String describe(RegistryConfig config) {
        DynamoDbConfig dynamodb = config.dynamodb();
        String store;
        if (dynamodb != null) {
            store = "dynamodb:" + dynamodb.table()
                    + (dynamodb.region() == null ? "" : " region " + dynamodb.region())
                    + (dynamodb.endpoint() == null ? "" : " endpoint " + dynamodb.endpoint());
        } else {
            store = "file:" + config.file();
        }
        return config.snapshot() == null ? store : store + " snapshot " + config.snapshot();
    }
}
