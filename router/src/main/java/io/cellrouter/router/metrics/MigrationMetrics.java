package io.cellrouter.router.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The meters of migration safety (README "Migration runbook"): misroutes corrected or not, and
 * shadow traffic compared with the primary's.
 *
 * <pre>
 * cellrouter_misroutes_total{cell, outcome}               cell: the cell that answered 421
 * cellrouter_shadow_requests_total{cell, result}          cell: the shadow's target; match | mismatch | error
 * cellrouter_shadow_duration_seconds{cell}                the shadow's time to its last byte
 * cellrouter_shadow_shed_total{cell}                      shadows not sent: over the budget, or the cell busy
 * </pre>
 *
 * <p>Meters are created on first use and cached by cell, then by outcome, so that a recording
 * allocates nothing. Concurrency: recorded from every event loop.
 */
public final class MigrationMetrics {

    private final MeterRegistry registry;
    private final Map<String, Map<String, Counter>> misroutes = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Counter>> shadows = new ConcurrentHashMap<>();
    private final Map<String, Timer> shadowDurations = new ConcurrentHashMap<>();
    private final Map<String, Counter> shed = new ConcurrentHashMap<>();

    public MigrationMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One 421 from {@code cell} and what became of it. */
    public void misroute(String cell, String outcome) {
        Counter counter = cached(misroutes, cell, outcome);
        if (counter == null) {
            counter = cache(
                    misroutes,
                    cell,
                    outcome,
                    Counter.builder("cellrouter.misroutes")
                            .description("Answers 421 (customer not served here) from a cell, by what the router"
                                    + " did: corrected, not_replayable, unconfirmed, repeated, refused,"
                                    + " registry_unavailable")
                            .tag("cell", cell)
                            .tag("outcome", outcome)
                            .register(registry));
        }
        counter.increment();
    }

    /** One shadow request to {@code cell}: {@code result} match, mismatch or error, after {@code nanos}. */
    public void shadow(String cell, String result, long nanos) {
        Counter counter = cached(shadows, cell, result);
        if (counter == null) {
            counter = cache(
                    shadows,
                    cell,
                    result,
                    Counter.builder("cellrouter.shadow.requests")
                            .description(
                                    "Shadow requests by target cell and how their status compared with the primary's")
                            .tag("cell", cell)
                            .tag("result", result)
                            .register(registry));
        }
        counter.increment();
        Timer timer = shadowDurations.get(cell);
        if (timer == null) {
            timer = shadowDurations.computeIfAbsent(cell, c -> Timer.builder("cellrouter.shadow.duration")
                    .description("Time from sending a shadow request to the last byte of its (discarded) answer")
                    .tag("cell", c)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(50_000))
                    .maximumExpectedValue(Duration.ofSeconds(60))
                    .register(registry));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A shadow to {@code cell} that was not sent, so as not to take room from primary requests. */
    public void shadowShed(String cell) {
        Counter counter = shed.get(cell);
        if (counter == null) {
            counter = shed.computeIfAbsent(cell, c -> Counter.builder("cellrouter.shadow.shed")
                    .description("Shadow requests not sent: the cell's shadow budget was full or the cell busy")
                    .tag("cell", c)
                    .register(registry));
        }
        counter.increment();
    }

    private static Counter cached(Map<String, Map<String, Counter>> meters, String cell, String value) {
        Map<String, Counter> byValue = meters.get(cell);
        return byValue == null ? null : byValue.get(value);
    }

    /** Registering twice returns the same meter: a race here costs nothing. */
    private static Counter cache(Map<String, Map<String, Counter>> meters, String cell, String value, Counter counter) {
        meters.computeIfAbsent(cell, k -> new ConcurrentHashMap<>()).put(value, counter);
        return counter;
    }
}
