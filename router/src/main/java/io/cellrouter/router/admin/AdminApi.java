package io.cellrouter.router.admin;

import io.cellrouter.registry.cache.Resolver;
import io.cellrouter.registry.store.RegistryStore;
import java.time.Clock;

/**
 * The writable part of the admin API, one per router instance (shared by every admin connection,
 * so that idempotency keys are kept across connections).
 */
record AdminApi(
        CustomerEndpoints customers,
        MoveEndpoint moves,
        CellEndpoints cells,
        OverrideEndpoints overrides,
        ListingEndpoints listings,
        AdminWrites writes,
        ShadowEndpoints shadows) {

    /** {@code written}: told each write's action and result, for {@code cellrouter_admin_writes_total}. */
    static AdminApi create(
            RegistryStore store,
            Resolver resolver,
            Clock clock,
            java.util.function.BiConsumer<String, String> written) {
        CellCounts counts = new CellCounts(store, clock::instant);
        LocalCatchUp catchUp = new LocalCatchUp(resolver, counts);
        return new AdminApi(
                new CustomerEndpoints(store, clock, catchUp),
                new MoveEndpoint(store, clock, catchUp),
                new CellEndpoints(store, catchUp),
                new OverrideEndpoints(store, clock, catchUp),
                new ListingEndpoints(store, clock, counts),
                new AdminWrites(new AuditLog(store, clock, written)),
                new ShadowEndpoints(store, clock, catchUp));
    }
}
