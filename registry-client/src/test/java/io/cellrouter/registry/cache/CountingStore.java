package io.cellrouter.registry.cache;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import io.cellrouter.registry.store.ChangeBatch;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.registry.store.StoreUnavailableException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A store in front of a real one that counts the reads the resolver makes, can be taken down (every
 * read fails), can hold placement reads until released, and can answer the next feed read with a gap.
 */
final class CountingStore implements RegistryStore {

    private final RegistryStore delegate;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private volatile boolean down;
    private volatile boolean gapNext;
    private volatile boolean feedLost;
    private volatile CompletableFuture<Void> placementGate = CompletableFuture.completedFuture(null);

    CountingStore(RegistryStore delegate) {
        this.delegate = delegate;
    }

    int calls(String operation) {
        AtomicInteger count = calls.get(operation);
        return count == null ? 0 : count.get();
    }

    int totalCalls() {
        return calls.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    void resetCounts() {
        calls.clear();
    }

    /**
     * Feed reads from now on return no changes (the cursor still moves): as if every writer's feed
     * append had failed after its item was written.
     */
    void loseFeedEntries() {
        feedLost = true;
    }

    void down() {
        down = true;
    }

    void up() {
        down = false;
    }

    /** Placement reads from now on complete only when the returned future is completed. */
    CompletableFuture<Void> holdPlacementReads() {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        placementGate = gate;
        return gate;
    }

    void gapOnNextFeedRead() {
        gapNext = true;
    }

    @java.lang.Override
    public CompletableFuture<Optional<Placement>> placement(String customer) {
        CompletableFuture<Void> gate = placementGate;
        return read("placement", () -> gate.thenCompose(ignored -> delegate.placement(customer)));
    }

    @java.lang.Override
    public CompletableFuture<List<Placement>> placements() {
        return read("placements", delegate::placements);
    }

    @java.lang.Override
    public CompletableFuture<List<Cell>> cells() {
        return read("cells", delegate::cells);
    }

    @java.lang.Override
    public CompletableFuture<List<RoutingOverride>> overrides() {
        return read("overrides", delegate::overrides);
    }

    @java.lang.Override
    public CompletableFuture<ChangeBatch> changesSince(long cursor) {
        return read("changesSince", () -> {
            if (gapNext) {
                gapNext = false;
                return delegate.latestSequence().thenApply(head -> new ChangeBatch(List.of(), head, true));
            }
            CompletableFuture<ChangeBatch> batch = delegate.changesSince(cursor);
            return feedLost ? batch.thenApply(b -> new ChangeBatch(List.of(), b.cursor(), b.gap())) : batch;
        });
    }

    @java.lang.Override
    public CompletableFuture<Long> latestSequence() {
        return read("latestSequence", delegate::latestSequence);
    }

    @java.lang.Override
    public CompletableFuture<Placement> putPlacement(String customer, String cell, long expectedVersion) {
        return delegate.putPlacement(customer, cell, expectedVersion);
    }

    @java.lang.Override
    public CompletableFuture<Cell> putCell(Cell cell) {
        return delegate.putCell(cell);
    }

    @java.lang.Override
    public CompletableFuture<RoutingOverride> putOverride(RoutingOverride override) {
        return delegate.putOverride(override);
    }

    @java.lang.Override
    public CompletableFuture<Boolean> deleteOverride(String customer) {
        return delegate.deleteOverride(customer);
    }

    @java.lang.Override
    public CompletableFuture<List<Shadow>> shadows() {
        return read("shadows", delegate::shadows);
    }

    @java.lang.Override
    public CompletableFuture<Shadow> putShadow(Shadow shadow) {
        return delegate.putShadow(shadow);
    }

    @java.lang.Override
    public CompletableFuture<Boolean> deleteShadow(String customer) {
        return delegate.deleteShadow(customer);
    }

    @java.lang.Override
    public String kind() {
        return "counting-" + delegate.kind();
    }

    @java.lang.Override
    public void close() {
        delegate.close();
    }

    private <T> CompletableFuture<T> read(String operation, Supplier<CompletableFuture<T>> call) {
        calls.computeIfAbsent(operation, key -> new AtomicInteger()).incrementAndGet();
        if (down) {
            return CompletableFuture.failedFuture(new StoreUnavailableException("registry down (test)"));
        }
        return call.get();
    }
}
