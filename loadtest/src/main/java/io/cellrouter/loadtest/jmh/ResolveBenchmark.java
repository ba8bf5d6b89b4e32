package io.cellrouter.loadtest.jmh;

import io.cellrouter.registry.cache.Resolution;
import io.cellrouter.registry.cache.Resolver;
import io.cellrouter.registry.store.file.FileRegistryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The router's routing step on a cache hit: {@code Resolver.resolve(customer, null)} over a
 * {@code FileRegistryStore} whose placements were preloaded, cycling through 4096 customers of a
 * registry of {@code customers}. Target (issue 7): at most 100 ns and no allocation (look at
 * {@code gc.alloc.rate.norm} with {@code -prof gc}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ResolveBenchmark {

    private static final int N = 4096;

    @State(Scope.Benchmark)
    public static class Registry {
        @Param({"100000"})
        public int customers;

        Path dir;
        FileRegistryStore store;
        Resolver resolver;
        String[] keys;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            dir = Files.createTempDirectory("resolve-bench");
            Path file = dir.resolve("registry.json");
            RegistryFixture.write(file, customers, "customer-", new String[] {null, null});
            store = FileRegistryStore.open(file, Clock.systemUTC());
            resolver = Resolver.builder().store(store).build();
            resolver.start().join();
            keys = new String[N];
            int step = Math.max(1, customers / N);
            for (int i = 0; i < N; i++) {
                // New String objects, as the identity step would produce: no identity-equality shortcut.
                keys[i] = new String(("customer-" + (i * step) % customers).toCharArray());
            }
            Resolution check = resolver.resolve(keys[1], null).join();
            if (check.outcome() != Resolution.Outcome.ROUTE) {
                throw new IllegalStateException("fixture does not route: " + check);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            resolver.close();
            store.close();
            Files.deleteIfExists(dir.resolve("registry.json"));
            Files.deleteIfExists(dir);
        }
    }

    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Benchmark
    @Threads(1)
    public CompletableFuture<Resolution> resolveHit(Registry registry, Cursor cursor) {
        return registry.resolver.resolve(registry.keys[cursor.next++ & (N - 1)], null);
    }

    @Benchmark
    @Threads(2)
    public CompletableFuture<Resolution> resolveHitTwoThreads(Registry registry, Cursor cursor) {
        return registry.resolver.resolve(registry.keys[cursor.next++ & (N - 1)], null);
    }
}
