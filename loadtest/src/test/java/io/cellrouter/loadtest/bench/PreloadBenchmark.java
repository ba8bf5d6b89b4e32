package io.cellrouter.loadtest.bench;

import io.cellrouter.registry.cache.Resolver;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.store.dynamodb.DynamoDbRegistryStore;
import io.cellrouter.registry.store.dynamodb.DynamoDbSettings;
import io.cellrouter.registry.store.dynamodb.Tables;
import io.cellrouter.registry.testing.Dynalite;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A benchmark, not a test: how long a router takes to preload N placements from dynalite (a
 * parallel Scan through the resolver), and how much heap the cached placements take.
 *
 * <pre>
 * java -cp "$(cat cp.txt):target/classes:target/test-classes" \
 *     io.cellrouter.loadtest.bench.PreloadBenchmark 100000   (in loadtest/)
 * </pre>
 */
public final class PreloadBenchmark {

    private PreloadBenchmark() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        try (Dynalite dynalite = Dynalite.startInMemory()) {
            DynamoDbSettings settings = Tables.settings(dynalite.endpoint(), "preload-bench");
            Map<String, String> customers = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                customers.put("customer-" + i, i % 2 == 0 ? "cell-1" : "cell-2");
            }
            long loadStart = System.nanoTime();
            Tables.createAndLoad(
                    settings,
                    new RegistryDocument(
                            List.of(
                                    new Cell("cell-1", URI.create("http://cell-1:8080"), CellState.ACTIVE),
                                    new Cell("cell-2", URI.create("http://cell-2:8080"), CellState.ACTIVE)),
                            customers,
                            List.of(),
                            Map.of()));
            System.out.printf("loaded %d placements into dynalite in %d ms%n", count, millisSince(loadStart));
            customers = null;
            for (int round = 1; round <= 3; round++) {
                long heapBefore = usedHeapAfterGc();
                try (DynamoDbRegistryStore store =
                                DynamoDbRegistryStore.open(settings.forBulkWork(), Clock.systemUTC());
                        Resolver resolver = Resolver.builder().store(store).build()) {
                    long start = System.nanoTime();
                    resolver.start().join();
                    long took = millisSince(start);
                    long heapAfter = usedHeapAfterGc();
                    System.out.printf(
                            "round %d: preloaded %d placements in %d ms (%.0f/s); heap held by the cache %.1f MiB"
                                    + " (%d bytes per placement)%n",
                            round,
                            resolver.cacheSize(),
                            took,
                            resolver.cacheSize() * 1000.0 / took,
                            (heapAfter - heapBefore) / 1048576.0,
                            (heapAfter - heapBefore) / Math.max(1, resolver.cacheSize()));
                }
            }
        }
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100); // a benchmark, not a test: let the collector settle
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
