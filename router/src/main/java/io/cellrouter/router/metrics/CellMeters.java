package io.cellrouter.router.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The meters of one (cell, protocol): outcome counters are created on first use. */
final class CellMeters {
    private final PrometheusMeterRegistry registry;
    private final Tags tags;
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    final Timer total;
    final Timer routerAdded;
    final Timer cell;

    CellMeters(PrometheusMeterRegistry registry, Tags tags) {
        this.registry = registry;
        this.tags = tags;
        total = latency(
                "cellrouter.request.duration",
                "Time from the request's first byte to the response's last, through the router",
                Duration.ofNanos(50_000),
                Duration.ofSeconds(60));
        routerAdded = latency(
                "cellrouter.request.router",
                "Time the router spent before the request left for the cell: identity, routing and the"
                        + " upstream connection",
                Duration.ofNanos(1_000),
                Duration.ofSeconds(10));
        cell = latency(
                "cellrouter.request.cell",
                "Time from the request leaving for the cell to the head of the cell's answer, as the router"
                        + " sees it: the network both ways, the cell's queue and its work",
                Duration.ofNanos(10_000),
                Duration.ofSeconds(60));
    }

    /** A latency histogram of this (cell, protocol), its buckets spanning {@code min} to {@code max}. */
    private Timer latency(String name, String description, Duration min, Duration max) {
        return Timer.builder(name)
                .description(description)
                .tags(tags)
                .publishPercentileHistogram()
                .minimumExpectedValue(min)
                .maximumExpectedValue(max)
                .register(registry);
    }

    /** Takes these meters out of the registry: the cell's tags changed ({@link PerCell}). */
    void remove() {
        registry.remove(total);
        registry.remove(routerAdded);
        registry.remove(cell);
        outcomes.values().forEach(registry::remove);
    }

    Counter outcome(String outcome) {
        Counter counter = outcomes.get(outcome);
        if (counter == null) {
            counter = outcomes.computeIfAbsent(outcome, o -> Counter.builder("cellrouter.requests")
                    .description("Requests by cell, protocol and outcome (status class or router error)")
                    .tags(tags)
                    .tag("outcome", o)
                    .register(registry));
        }
        return counter;
    }
}
