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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A store in front of a real one that counts the reads the resolver makes, can be taken down (every
 * read fails), can hold placement reads until released, can answer the next feed read with a gap or
 * a batch of its own, can fail the placement reads of chosen customers, and can answer placement
 * reads from another thread while counting those in flight (failing any beyond a bound, as a client
 * whose connection pool overflows would), and can make every read wait for one of a few shared
 * connections (as the DynamoDB client's pool does).
 */
final class CountingStore implements RegistryStore {

    private final RegistryStore delegate;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private volatile boolean down;
    private volatile boolean gapNext;
    private volatile boolean feedLost;
    private volatile CompletableFuture<Void> placementGate = CompletableFuture.completedFuture(null);
    private volatile CompletableFuture<Void> overridesGate = CompletableFuture.completedFuture(null);
    private volatile ChangeBatch nextBatch;
    private volatile boolean failOverridesNext;
    private final Set<String> failingPlacements = ConcurrentHashMap.newKeySet();
    private final AtomicInteger placementsInFlight = new AtomicInteger();
    private final AtomicInteger maxPlacementsInFlight = new AtomicInteger();
    private volatile ExecutorService placementThread;
    private volatile int placementBound = Integer.MAX_VALUE;
    private volatile Connections connections;

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

    /** Reads of the overrides from now on complete only when the returned future is completed. */
    CompletableFuture<Void> holdOverridesReads() {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        overridesGate = gate;
        return gate;
    }

    void gapOnNextFeedRead() {
        gapNext = true;
    }

    /** The next feed read answers {@code batch}, whatever the feed holds. */
    /** The next read of the overrides fails as unavailable; other reads still answer. */
    void failNextOverridesRead() {
        failOverridesNext = true;
    }

    void answerNextFeedRead(ChangeBatch batch) {
        nextBatch = batch;
    }

    /** Placement reads of {@code customer} fail (unavailable) from now on. */
    void failPlacementReadsOf(String customer) {
        failingPlacements.add(customer);
    }

    /**
     * Placement reads from now on are answered from another thread, and fail when {@code bound} are
     * already in flight.
     */
    void answerPlacementReadsLater(int bound) {
        placementBound = bound;
        placementThread = Executors.newSingleThreadExecutor();
    }

    /**
     * Every read from now on (placements, the feed, the overrides...) first waits for one of {@code
     * count} connections, in turn, and holds it until it is answered: a held placement read holds
     * its connection, and the reads after it queue, as behind the DynamoDB client's pool.
     */
    void shareConnections(int count) {
        connections = new Connections(count);
    }

    /** The most placement reads that were in flight at once (those answered later only). */
    int maxPlacementReadsInFlight() {
        return maxPlacementsInFlight.get();
    }

    @java.lang.Override
    public CompletableFuture<Optional<Placement>> placement(String customer) {
        CompletableFuture<Void> gate = placementGate;
        return read("placement", () -> {
            if (failingPlacements.contains(customer)) {
                return CompletableFuture.failedFuture(new StoreUnavailableException("read of " + customer + " (test)"));
            }
            ExecutorService later = placementThread;
            if (later == null) {
                return gate.thenCompose(ignored -> delegate.placement(customer));
            }
            int inFlight = placementsInFlight.incrementAndGet();
            maxPlacementsInFlight.accumulateAndGet(inFlight, Math::max);
            if (inFlight > placementBound) {
                placementsInFlight.decrementAndGet();
                return CompletableFuture.failedFuture(new StoreUnavailableException("too many reads in flight (test)"));
            }
            CompletableFuture<Optional<Placement>> answer = new CompletableFuture<>();
            later.execute(() -> {
                Optional<Placement> placement = delegate.placement(customer).join();
                placementsInFlight.decrementAndGet();
                answer.complete(placement);
            });
            return answer;
        });
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
        return read("overrides", () -> {
            if (failOverridesNext) {
                failOverridesNext = false;
                return CompletableFuture.failedFuture(new StoreUnavailableException("the store is throttling"));
            }
            return overridesGate.thenCompose(ignored -> delegate.overrides());
        });
    }

    @java.lang.Override
    public CompletableFuture<ChangeBatch> changesSince(long cursor) {
        return read("changesSince", () -> {
            if (gapNext) {
                gapNext = false;
                return delegate.latestSequence().thenApply(head -> new ChangeBatch(List.of(), head, true));
            }
            ChangeBatch answer = nextBatch;
            if (answer != null) {
                nextBatch = null;
                return CompletableFuture.completedFuture(answer);
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
        ExecutorService later = placementThread;
        if (later != null) {
            later.shutdownNow();
        }
        delegate.close();
    }

    private <T> CompletableFuture<T> read(String operation, Supplier<CompletableFuture<T>> call) {
        calls.computeIfAbsent(operation, key -> new AtomicInteger()).incrementAndGet();
        if (down) {
            return CompletableFuture.failedFuture(new StoreUnavailableException("registry down (test)"));
        }
        Connections pool = connections;
        if (pool == null) {
            return call.get();
        }
        return pool.acquire().thenCompose(ignored -> call.get()).whenComplete((value, error) -> pool.release());
    }

    /** A pool of connections with a queue of reads waiting for one, served in turn. */
    private static final class Connections {
        private final java.util.ArrayDeque<CompletableFuture<Void>> waiting = new java.util.ArrayDeque<>();
        private int free;

        Connections(int count) {
            this.free = count;
        }

        CompletableFuture<Void> acquire() {
            synchronized (this) {
                if (free > 0) {
                    free--;
                    return CompletableFuture.completedFuture(null);
                }
                CompletableFuture<Void> turn = new CompletableFuture<>();
                waiting.add(turn);
                return turn;
            }
        }

        void release() {
            CompletableFuture<Void> next;
            synchronized (this) {
                next = waiting.poll();
                if (next == null) {
                    free++;
                    return;
                }
            }
            next.complete(null); // the connection passes to the next read, outside the lock
        }
    }
}
