package io.cellrouter.registry.cache;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts lookups by kind, keeps the customers it was told were rerouted, counts the unknown changes. */
final class CountingListener implements ResolverListener {

    private final Map<LookupKind, AtomicInteger> lookups = new EnumMap<>(LookupKind.class);
    private final java.util.List<String> rerouted = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicInteger unknownChanges = new AtomicInteger();
    private final java.util.List<String> operations = new java.util.concurrent.CopyOnWriteArrayList<>();

    CountingListener() {
        for (LookupKind kind : LookupKind.values()) {
            lookups.put(kind, new AtomicInteger());
        }
    }

    @Override
    public void lookup(LookupKind kind) {
        lookups.get(kind).incrementAndGet();
    }

    @Override
    public void routingChanged(String customer) {
        rerouted.add(customer);
    }

    @Override
    public void storeCall(String operation, long nanos, boolean success) {
        operations.add(operation);
    }

    /** The store calls made, in the order they ended. */
    java.util.List<String> operations() {
        return operations;
    }

    @Override
    public void routingMayHaveChanged() {
        unknownChanges.incrementAndGet();
    }

    /** How often the listener heard that anyone's routing may have changed. */
    int unknownChanges() {
        return unknownChanges.get();
    }

    java.util.List<String> rerouted() {
        return rerouted;
    }

    int count(LookupKind kind) {
        return lookups.get(kind).get();
    }
}
