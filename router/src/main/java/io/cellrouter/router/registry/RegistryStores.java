package io.cellrouter.router.registry;

import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.registry.store.dynamodb.DynamoDbRegistryStore;
import io.cellrouter.registry.store.file.FileRegistryStore;
import io.cellrouter.router.config.RouterConfig;
import java.time.Clock;

/** Opens the registry store that the configuration names: {@code registry.file} or {@code registry.dynamodb}. */
public final class RegistryStores {

    private RegistryStores() {}

    /**
     * Opens the store. A file store reads its file here (a missing or invalid file fails now); a
     * DynamoDB store only builds its client, so that a router can start while the table is out of
     * reach (and serve its snapshot).
     */
    public static RegistryStore open(RouterConfig.Registry config, Clock clock) {
        if (config.dynamodb() != null) {
            return DynamoDbRegistryStore.open(config.dynamodb().settings(), clock);
        }
        return FileRegistryStore.open(config.file(), clock);
    }

    /** For the start line: {@code file:/path} or {@code dynamodb:table (region, endpoint)}. */
    public static String describe(RouterConfig.Registry config) {
        RouterConfig.DynamoDb dynamodb = config.dynamodb();
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
