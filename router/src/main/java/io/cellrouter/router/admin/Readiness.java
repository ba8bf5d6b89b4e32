package io.cellrouter.router.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellrouter.registry.cache.RegistryHealth;
import io.cellrouter.registry.cache.Resolver;
import io.cellrouter.registry.store.RegistryStore;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * {@code /readyz}: ready or not, and the registry's state: where the routing data comes from
 * ({@code store}, or {@code snapshot} when the store was unreachable at start: the router routes on
 * its last-known-good snapshot and catches up when the store returns), whether the store is
 * reachable now, when the snapshot was written, and the last edit of the registry that the store
 * refused ({@code lastRejectedEdit}: the last good registry stayed in force).
 */
final class Readiness {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BooleanSupplier ready;
    private final Resolver resolver;
    private final RegistryStore store;

    /** {@code store} may be null (no registry details beyond the resolver's). */
    Readiness(BooleanSupplier ready, Resolver resolver, RegistryStore store) {
        this.ready = ready;
        this.resolver = resolver;
        this.store = store;
    }

    boolean ready() {
        return ready.getAsBoolean();
    }

    ObjectNode body(boolean isReady) {
        ObjectNode body = JSON.createObjectNode().put("ready", isReady).put("registryLoaded", resolver.isReady());
        ObjectNode registry = JSON.createObjectNode();
        RegistryHealth health = resolver.health();
        registry.put("origin", health.origin().name().toLowerCase(Locale.ROOT))
                .put("storeReachable", health.storeReachable());
        health.snapshotWrittenAt().ifPresent(at -> registry.put("snapshotWrittenAt", at.toString()));
        if (store != null) {
            store.lastRejectedEdit().ifPresent(edit -> registry.putObject("lastRejectedEdit")
                    .put("at", edit.at().toString())
                    .put("reason", edit.reason().tag())
                    .put("message", edit.message()));
        }
        if (!registry.isEmpty()) {
            body.set("registry", registry);
        }
        return body;
    }
}
