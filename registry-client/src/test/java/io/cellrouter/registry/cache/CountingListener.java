package io.cellrouter.registry.cache;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts lookups by kind. */
final class CountingListener implements ResolverListener {

    private final Map<LookupKind, AtomicInteger> lookups = new EnumMap<>(LookupKind.class);

    CountingListener() {
        for (LookupKind kind : LookupKind.values()) {
            lookups.put(kind, new AtomicInteger());
        }
    }

    @Override
    public void lookup(LookupKind kind) {
        lookups.get(kind).incrementAndGet();
    }

    int count(LookupKind kind) {
        return lookups.get(kind).get();
    }
}
