package io.cellrouter.router.testing;

import io.cellrouter.registry.cache.Resolution;
import io.cellrouter.registry.cache.Resolver;
import io.cellrouter.registry.model.Cell;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A resolver with fixed answers, for handler tests on EmbeddedChannel where the registry is a
 * collaborator, not the thing under test.
 */
public final class StubResolver implements Resolver {

    private final Map<String, CompletableFuture<Resolution>> answers = new ConcurrentHashMap<>();
    private volatile boolean ready = true;

    public StubResolver answer(String customer, Resolution resolution) {
        answers.put(customer, CompletableFuture.completedFuture(resolution));
        return this;
    }

    public StubResolver answer(String customer, CompletableFuture<Resolution> resolution) {
        answers.put(customer, resolution);
        return this;
    }

    public void ready(boolean value) {
        ready = value;
    }

    @Override
    public CompletableFuture<Resolution> resolve(String customer, String cellHint) {
        return answers.getOrDefault(
                customer,
                CompletableFuture.completedFuture(
                        new Resolution(Resolution.Outcome.UNKNOWN_CUSTOMER, null, Resolution.Source.NONE, null, null)));
    }

    @Override
    public Collection<Cell> cells() {
        return List.of();
    }

    @Override
    public long cacheSize() {
        return answers.size();
    }

    @Override
    public boolean isReady() {
        return ready;
    }

    @Override
    public void invalidate(String customer) {}

    @Override
    public void close() {}
}
