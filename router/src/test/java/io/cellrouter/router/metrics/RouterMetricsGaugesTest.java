package io.cellrouter.router.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The gauges whose value comes from a lambda (store down, snapshot serving, ready, cache size)
 * keep reporting after a garbage collection. Micrometer holds a gauge's state object weakly by
 * default; a lambda that nothing else holds is collected and the gauge then reads NaN, which no
 * alert rule ({@code == 1}) ever matches.
 */
class RouterMetricsGaugesTest {

    @Test
    void lambdaBackedGauges_stillReadTheirValue_afterGarbageCollection() {
        RouterMetrics metrics = new RouterMetrics();
        // Capturing lambdas, as the router passes them (a non-capturing one is a constant that is
        // never collected).
        AtomicBoolean state = new AtomicBoolean(true);
        AtomicLong size = new AtomicLong(42);
        metrics.registryState(() -> state.get(), () -> state.get());
        metrics.readiness(() -> state.get());
        metrics.resolverListener(() -> size.get());

        collectGarbage();

        String scrape = metrics.scrape();
        assertThat(value(scrape, "cellrouter_registry_store_down")).isEqualTo("1.0");
        assertThat(value(scrape, "cellrouter_registry_snapshot_serving")).isEqualTo("1.0");
        assertThat(value(scrape, "cellrouter_ready")).isEqualTo("1.0");
        assertThat(value(scrape, "cellrouter_cache_size")).isEqualTo("42.0");
    }

    /** What the registry store worked around reaches the scrape as two counters. */
    @Test
    void registryStoreProblems_areCounters() {
        RouterMetrics metrics = new RouterMetrics();
        AtomicLong lost = new AtomicLong(2);
        AtomicLong skipped = new AtomicLong(5);
        metrics.registryStoreProblems(this, ignored -> lost.get(), ignored -> skipped.get());

        String scrape = metrics.scrape();
        assertThat(value(scrape, "cellrouter_registry_feed_appends_lost_total")).isEqualTo("2.0");
        assertThat(value(scrape, "cellrouter_registry_items_skipped_total")).isEqualTo("5.0");
    }

    /** Runs full collections until a weakly held probe is gone (so weak references were cleared). */
    private static void collectGarbage() {
        WeakReference<Object> probe = new WeakReference<>(new Object());
        for (int i = 0; i < 50 && probe.get() != null; i++) {
            System.gc();
        }
        assertThat(probe.get()).as("a full collection ran").isNull();
    }

    private static String value(String scrape, String name) {
        List<String> lines =
                scrape.lines().filter(l -> l.startsWith(name + " ")).toList();
        assertThat(lines).as(name).hasSize(1);
        return lines.get(0).substring(name.length() + 1);
    }
}
