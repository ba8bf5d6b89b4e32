package io.cellrouter.registry.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import io.cellrouter.registry.store.ChangeBatch;
import io.cellrouter.registry.store.RegistryStore;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The resolver's view of the store: the reads it makes, each timed and reported to the listener,
 * and each turned into a failed future if the store throws instead of failing its future (so that
 * nothing above has to guard against both). Every outcome also feeds {@link StoreHealth}.
 */
final class MeteredStore {

    private final RegistryStore store;
    private final ResolverListener listener;
    private final Ticker ticker;
    private final StoreHealth health;

    MeteredStore(RegistryStore store, ResolverListener listener, Ticker ticker, StoreHealth health) {
        this.store = store;
        this.listener = listener;
        this.ticker = ticker;
        this.health = health;
    }

    StoreHealth health() {
        return health;
    }

    CompletableFuture<Optional<Placement>> placement(String customer) {
        return call("placement", () -> store.placement(customer));
    }

    CompletableFuture<List<Placement>> placements() {
        return call("placements", store::placements);
    }

    CompletableFuture<List<Cell>> cells() {
        return call("cells", store::cells);
    }

    CompletableFuture<List<RoutingOverride>> overrides() {
        return call("overrides", store::overrides);
    }

    CompletableFuture<List<Shadow>> shadows() {
        return call("shadows", store::shadows);
    }

    CompletableFuture<ChangeBatch> changesSince(long cursor) {
        return call("changesSince", () -> store.changesSince(cursor));
    }

    CompletableFuture<Long> latestSequence() {
        return call("latestSequence", store::latestSequence);
    }

    String kind() {
        return store.kind();
    }

    private <T> CompletableFuture<T> call(String operation, Supplier<CompletableFuture<T>> call) {
        long start = ticker.read();
        CompletableFuture<T> future;
        try {
            future = call.get();
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        if (future == null) {
            future = CompletableFuture.failedFuture(new IllegalStateException(operation + " returned no future"));
        }
        return future.whenComplete((value, error) -> {
            health.record(error);
            report(operation, ticker.read() - start, error == null);
        });
    }

    private void report(String operation, long nanos, boolean success) {
        try {
            listener.storeCall(operation, nanos, success);
        } catch (RuntimeException e) {
            // A broken metrics listener must not break routing.
        }
    }
}
