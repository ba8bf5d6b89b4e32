package io.cellrouter.loadtest.cli;

import io.cellrouter.loadtest.jmh.RegistryFixture;
import io.cellrouter.registry.cache.Resolution;
import io.cellrouter.registry.cache.Resolver;
import io.cellrouter.registry.cache.ResolverConfig;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.registry.store.file.FileRegistryStore;
import io.cellrouter.router.cli.DurationConverter;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code heap}: how much heap N cached placements take, read as used heap after full collections,
 * one setup per run (so that nothing of one measurement lingers in the next):
 *
 * <ol>
 *   <li><b>Resolver alone</b>: the resolver preloads N placements from a store that keeps none of
 *       them (they are made on the fly, as a DynamoDB scan would), so the delta is everything the
 *       cache owns: keys, placements, Caffeine's nodes and table.
 *   <li><b>File store + resolver</b>: what a router on the file registry holds: the store's
 *       in-memory document, plus the cache, which shares the placement objects with it.
 * </ol>
 */
@Command(
        name = "heap",
        mixinStandardHelpOptions = true,
        description = "Measure the heap taken by N cached placements (run with e.g. -XX:+UseParallelGC -Xmx3g).")
public final class HeapCommand implements Callable<Integer> {

    @Option(names = "--placements", defaultValue = "1000000", description = "Customers. Default: ${DEFAULT-VALUE}.")
    int placements;

    @Option(
            names = "--prefix",
            defaultValue = "customer-",
            description = "Customer id prefix (ids are PREFIX + number). Default: ${DEFAULT-VALUE}.")
    String prefix;

    @Option(names = "--cells", defaultValue = "10", description = "Cells. Default: ${DEFAULT-VALUE}.")
    int cells;

    @Option(
            names = "--store",
            defaultValue = "none",
            description = "none: the resolver alone, over a store that keeps nothing (what the cache owns);"
                    + " file: a file store plus the resolver (what a router on the file registry holds)."
                    + " Default: ${DEFAULT-VALUE}.")
    String store;

    @Option(
            names = "--hold",
            defaultValue = "0s",
            converter = DurationConverter.class,
            description =
                    "Keep everything alive this long after measuring (for jmap -histo:live). Default: ${DEFAULT-VALUE}.")
    java.time.Duration hold;

    @Option(
            names = "--class-histogram",
            description = "Also print the top classes of the live heap (where the bytes go).")
    boolean classHistogram;

    private String[] cellNames;

    @Override
    public Integer call() throws Exception {
        if (placements < 1 || placements > 50_000_000) {
            throw new IllegalArgumentException("--placements must be in [1, 50000000]");
        }
        if (cells < 1 || cells > 1000) {
            throw new IllegalArgumentException("--cells must be in [1, 1000]");
        }
        Path dir = Files.createTempDirectory("cell-loadtest-heap");
        Path file = dir.resolve("registry.json");
        ResolverConfig config = ResolverConfig.defaults().withMaximumSize(Math.max(1_000_000L, placements));
        cellNames = new String[cells];
        for (int c = 0; c < cells; c++) {
            cellNames[c] = "cell-" + (c + 1);
        }
        try {
            boolean alone = "none".equals(store);
            if (!alone && !"file".equals(store)) {
                throw new IllegalArgumentException("--store must be none or file, was '" + store + "'");
            }
            RegistryFixture.write(file, alone ? 0 : placements, prefix, new String[cells]);
            long base = usedAfterGc();
            try (FileRegistryStore fileStore = FileRegistryStore.open(file, Clock.systemUTC());
                    Resolver resolver = Resolver.builder()
                            .store(alone ? generating(fileStore) : fileStore)
                            .config(config)
                            .build()) {
                long storeOnly = usedAfterGc() - base;
                resolver.start().join();
                check(resolver);
                long total = usedAfterGc() - base;
                System.out.printf(
                        Locale.ROOT,
                        "%d placements (ids '%s<n>', %d cells), store %s; used heap after full GCs:%n",
                        placements,
                        prefix,
                        cells,
                        alone ? "none (placements made on the fly, kept only by the cache)" : "file");
                if (!alone) {
                    System.out.printf(
                            Locale.ROOT,
                            "  file store document     %7.1f MB  %6.1f bytes/entry%n",
                            storeOnly / 1048576.0,
                            storeOnly / (double) placements);
                }
                System.out.printf(
                        Locale.ROOT,
                        "  %-22s  %7.1f MB  %6.1f bytes/entry%n",
                        alone ? "resolver (cache)" : "file store + resolver",
                        total / 1048576.0,
                        total / (double) placements);
                if (classHistogram) {
                    System.out.println(topClasses(22));
                }
                System.out.flush();
                Thread.sleep(hold.toMillis());
            }
            return 0;
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private void check(Resolver resolver) {
        Resolution r = resolver.resolve(prefix + (placements - 1), null).join();
        if (r.outcome() != Resolution.Outcome.ROUTE || resolver.cacheSize() < placements) {
            throw new IllegalStateException("not all placements cached: " + resolver.cacheSize() + ", " + r);
        }
    }

    /**
     * The cells-only file store, except that placements are made on every call and never kept: a
     * dynamic proxy, so that it follows the store interface as it grows.
     */
    private RegistryStore generating(RegistryStore cells) {
        long epoch = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond();
        return (RegistryStore) Proxy.newProxyInstance(
                RegistryStore.class.getClassLoader(), new Class<?>[] {RegistryStore.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "placements" -> {
                            List<Placement> list = new ArrayList<>(placements);
                            for (int i = 0; i < placements; i++) {
                                list.add(placement(i, epoch));
                            }
                            return CompletableFuture.completedFuture(list);
                        }
                        case "placement" -> {
                            String customer = (String) args[0];
                            int i = Integer.parseInt(customer.substring(prefix.length()));
                            return CompletableFuture.completedFuture(
                                    i < placements ? Optional.of(placement(i, epoch)) : Optional.empty());
                        }
                        default -> {
                            try {
                                return method.invoke(cells, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        }
                    }
                });
    }

    private Placement placement(int i, long epoch) {
        // A new cell-name String per placement, as the DynamoDB store parses one from every item:
        // whether the cache shares them is part of what is measured.
        return new Placement(
                prefix + i, new String(cellNames[i % cells].toCharArray()), 1, Instant.ofEpochSecond(epoch + i));
    }

    /** The first lines of the live-heap class histogram, through the DiagnosticCommand MBean (jcmd GC.class_histogram). */
    private static String topClasses(int lines) throws Exception {
        Object out = ManagementFactory.getPlatformMBeanServer()
                .invoke(
                        new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                        "gcClassHistogram",
                        new Object[] {new String[0]},
                        new String[] {String[].class.getName()});
        return String.join("\n", String.valueOf(out).lines().limit(lines).toList());
    }

    private static long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
            used = Math.min(
                    used,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
