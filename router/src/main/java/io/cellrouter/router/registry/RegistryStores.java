package io.cellrouter.router.registry;

import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.registry.store.file.FileRegistryStore;
import io.cellrouter.router.config.RouterConfig;
import java.time.Clock;

/** Opens the registry store that the configuration names. */
public final class RegistryStores {

    private RegistryStores() {}

    public static RegistryStore open(RouterConfig.Registry config, Clock clock) {
        return FileRegistryStore.open(config.file(), clock);
    }

    /** For the start line: {@code file:/path} or {@code dynamodb:table}. */
    public static String describe(RouterConfig.Registry config) {
        return "file:" + config.file();
    }
}
