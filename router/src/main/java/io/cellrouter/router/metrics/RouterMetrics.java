package io.cellrouter.router.metrics;

import io.cellrouter.registry.cache.LookupKind;
import io.cellrouter.registry.cache.ResolverListener;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.store.RejectedEdit;
import io.cellrouter.router.transport.Buffers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocatorMetric;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The router's meters (README "Operations"), registered once and cached per cell so that recording a
 * request costs a map lookup and two atomic adds, never a registration.
 *
 * <p>The cell (with its region and tier) is a tag on every request meter; customers never are:
 * cells are few, customers are many.
 *
 * <p>Concurrency: recorded from every event loop; all state is in concurrent maps and meters.
 */
public final class RouterMetrics {

    /** The cell tag of requests refused before a cell was chosen. */
    public static final String NO_CELL = "none";

    private final PrometheusMeterRegistry registry;
    /** Per cell, the meters of each protocol ({@link PerCell}: re-tagged when the cell's region or tier changes). */
    private final PerCell<Map<String, CellMeters>> cells = new PerCell<>(
            (cell, old) -> new ConcurrentHashMap<>(), old -> old.values().forEach(CellMeters::remove));

    private final PerCell<CountGauge> upstreamConnections = new PerCell<>(
            (cell, old) -> countGauge(cell, old, "cellrouter.upstream.connections", "Open connections to a cell"),
            this::remove);
    private final PerCell<CountGauge> websocketTunnels = new PerCell<>(
            (cell, old) -> countGauge(
                    cell, old, "cellrouter.websocket.tunnels", "WebSocket tunnels open (or being opened) to a cell"),
            this::remove);
    private final PerCell<CountGauge> cellRequests = new PerCell<>(
            (cell, old) -> countGauge(
                    cell, old, "cellrouter.cell.requests.active", "Requests forwarded to a cell and not ended yet"),
            this::remove);
    private final PerCell<Timer> tunnelDurations = new PerCell<>(this::tunnelTimer, this::remove);
    private final Map<LookupKind, Counter> lookups = new EnumMap<>(LookupKind.class);
    private final AtomicInteger activeRequests = new AtomicInteger();
    private final Counter accessLogDropped;
    private final Counter connectionsRefused;
    private final Map<RejectedEdit.Reason, Counter> rejectedEdits = new EnumMap<>(RejectedEdit.Reason.class);

    public RouterMetrics() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        for (LookupKind kind : LookupKind.values()) {
            lookups.put(
                    kind,
                    Counter.builder("cellrouter.registry.lookups")
                            .description(
                                    "Placement lookups by source: cache hit, miss, stale serve, error, busy refusal")
                            .tag("source", kind.name().toLowerCase(java.util.Locale.ROOT))
                            .register(registry));
        }
        Gauge.builder("cellrouter.requests.active", activeRequests, AtomicInteger::get)
                .description("Requests being forwarded now")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        ByteBufAllocatorMetric allocator = Buffers.ALLOCATOR.metric();
        Gauge.builder("cellrouter.netty.memory.used", allocator, ByteBufAllocatorMetric::usedDirectMemory)
                .description("Direct memory held by Netty's buffer allocator")
                .baseUnit("bytes")
                .tag("area", "direct")
                .register(registry);
        Gauge.builder("cellrouter.netty.memory.used", allocator, ByteBufAllocatorMetric::usedHeapMemory)
                .description("Heap memory held by Netty's buffer allocator")
                .baseUnit("bytes")
                .tag("area", "heap")
                .register(registry);
        connectionsRefused = Counter.builder("cellrouter.connections.refused")
                .description("Client connections closed on accept: too many open, or the heap nearly full")
                .register(registry);
        accessLogDropped = Counter.builder("cellrouter.accesslog.dropped")
                .description("Access-log lines dropped because the writer fell behind")
                .register(registry);
        // Registered at start so that they read 0, not "absent", until the first refusal or failure.
        for (RejectedEdit.Reason reason : RejectedEdit.Reason.values()) {
            rejectedEdits.put(
                    reason,
                    Counter.builder("cellrouter.registry.rejected.edits")
                            .description("Edits of the registry file refused (the last good registry stayed in force)")
                            .tag("reason", reason.tag())
                            .register(registry));
        }
    }

    /** An edit of the registry file that the store refused. */
    public void registryEditRejected(RejectedEdit edit) {
        rejectedEdits.get(edit.reason()).increment();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }

    /**
     * Counts one finished request and its latencies. {@code cell} is null when none was chosen;
     * {@code totalNanos} is negative for a WebSocket tunnel (see {@link #tunnelEnded}); {@code routerNanos}
     * and {@code cellNanos} are negative when the request never left for a cell or no answer came.
     */
    public void requestCompleted(
            Cell cell, String protocol, String outcome, long totalNanos, long routerNanos, long cellNanos) {
        CellMeters meters = cellMeters(cell, protocol);
        meters.outcome(outcome).increment();
        if (totalNanos >= 0) {
            meters.total.record(totalNanos, TimeUnit.NANOSECONDS);
        }
        if (routerNanos >= 0) {
            meters.routerAdded.record(routerNanos, TimeUnit.NANOSECONDS);
        }
        if (cellNanos >= 0) {
            meters.cell.record(cellNanos, TimeUnit.NANOSECONDS);
        }
    }

    public void requestStarted() {
        activeRequests.incrementAndGet();
    }

    public void requestEnded() {
        activeRequests.decrementAndGet();
    }

    /** Client connections closed on accept by the overload guard. */
    public void connectionsRefused(int count) {
        connectionsRefused.increment(count);
    }

    /** The admin listener's meters ({@link AdminMeters}). */
    public AdminMeters admin() {
        return new AdminMeters(registry);
    }

    /**
     * Connections the listener of {@code listener} ({@code proxy}, {@code proxy.tls}, {@code admin})
     * could not accept: {@code cellrouter_accept_failures_total{listener}}. Registered when the
     * listener binds, so that it reads 0, not "absent", until the first failure.
     */
    public Counter acceptFailures(String listener) {
        return Counter.builder("cellrouter.accept.failures")
                .description("Accepts that failed on a listener (out of file descriptors, mostly);"
                        + " each pauses accepting on it for 1 s")
                .tag("listener", listener)
                .register(registry);
    }

    public void accessLogDropped() {
        accessLogDropped.increment();
    }

    /**
     * Requests forwarded to {@code cell} and not ended yet (streams and tunnels included): +1 when
     * one leaves for the cell, -1 at its end. {@code cellrouter_requests_active} counts them all,
     * routed or not.
     */
    public AtomicInteger cellRequestsActive(Cell cell) {
        return cellRequests.get(cell).count();
    }

    /** Pooled and leased connections to a cell: +1 on connect, -1 on close. */
    public AtomicInteger upstreamConnections(Cell cell) {
        return upstreamConnections.get(cell).count();
    }

    /** A count and its gauge; the count goes on when the gauge is re-tagged ({@link PerCell}). */
    private record CountGauge(AtomicInteger count, Gauge gauge) {}

    private CountGauge countGauge(Cell cell, CountGauge old, String name, String description) {
        AtomicInteger count = old == null ? new AtomicInteger() : old.count();
        Gauge gauge = Gauge.builder(name, count, AtomicInteger::get)
                .description(description)
                .tags(cellTags(cell))
                .register(registry);
        return new CountGauge(count, gauge);
    }

    private void remove(CountGauge old) {
        registry.remove(old.gauge());
    }

    private Timer tunnelTimer(Cell cell, Timer old) {
        return Timer.builder("cellrouter.websocket.tunnel.duration")
                .description("How long WebSocket tunnels stayed open")
                .tags(cellTags(cell))
                .register(registry);
    }

    private void remove(Timer old) {
        registry.remove(old);
    }

    /**
     * WebSocket connections open, or being opened, to a cell: +1 when a handshake starts, -1 when
     * its connection closes. Also the count that {@code proxy.websocket.maxTunnelsPerCell} bounds.
     */
    public AtomicInteger websocketTunnels(Cell cell) {
        return websocketTunnels.get(cell).count();
    }

    /**
     * A WebSocket tunnel to {@code cell} ended after {@code nanos}: how long tunnels live, apart
     * from {@code cellrouter_request_duration_seconds}, whose latencies they would drown.
     */
    public void tunnelEnded(Cell cell, long nanos) {
        tunnelDurations.get(cell).record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Static stability at a glance: 1 while the router serves its last-known-good snapshot (the
     * store was unreachable at start), 1 while the store is known down (misses fail fast).
     *
     * <p>Micrometer holds a gauge's state object weakly; the suppliers here are lambdas that nothing
     * else references, so every gauge over one is registered with a strong reference (otherwise it
     * reads NaN after the first collection, and an alert on it can never fire).
     */
    public void registryState(BooleanSupplier servingSnapshot, BooleanSupplier storeDown) {
        // Micrometer holds a gauge's state object weakly unless told otherwise: these suppliers are
        // lambdas that nothing else holds, collected at the next GC (the gauge then reads NaN).
        Gauge.builder("cellrouter.registry.snapshot.serving", servingSnapshot, s -> s.getAsBoolean() ? 1 : 0)
                .description("1 while routing from the last-known-good snapshot because the store was unreachable")
                .strongReference(true)
                .register(registry);
        Gauge.builder("cellrouter.registry.store.down", storeDown, s -> s.getAsBoolean() ? 1 : 0)
                .description("1 while the registry store is known down: misses answer registry_unavailable at once")
                .strongReference(true)
                .register(registry);
    }

    /**
     * Client connections open on the proxy listeners, those closing in stages included: what {@code
     * proxy.maxConnections} is counted against ({@code cellrouter_client_connections}).
     */
    public void clientConnections(IntSupplier open) {
        Gauge.builder("cellrouter.client.connections", open, o -> o.getAsInt())
                .description(
                        "Client connections open on the proxy listeners; beyond proxy.maxConnections new ones are refused")
                .strongReference(true) // a method reference: held only by the gauge (see registryState)
                .register(registry);
    }

    /** 1 while {@code /readyz} answers 200: the registry is loaded and the router is not draining. */
    public void readiness(BooleanSupplier ready) {
        Gauge.builder("cellrouter.ready", ready, r -> r.getAsBoolean() ? 1 : 0)
                .description("1 while /readyz answers 200 (registry loaded, not draining), 0 otherwise")
                .strongReference(true)
                .register(registry);
    }

    /**
     * Failed writes of the last-known-good snapshot, as the resolver counts them: {@code
     * cellrouter_registry_snapshot_failures_total}. Registered when the resolver is built, so it
     * reads 0 from the first scrape (an alert on it needs the series to exist).
     */
    public <T> void snapshotFailures(T resolver, java.util.function.ToDoubleFunction<T> failures) {
        FunctionCounter.builder("cellrouter.registry.snapshot.failures", resolver, failures)
                .description("Writes of the last-known-good snapshot that failed")
                .register(registry);
    }

    /**
     * What the registry store worked around, for the operator: writes whose change-feed entry was
     * lost (routers follow them late) and items a whole read skipped because they do not read.
     */
    public <T> void registryStoreProblems(
            T store,
            java.util.function.ToDoubleFunction<T> lostFeedAppends,
            java.util.function.ToDoubleFunction<T> skippedItems) {
        FunctionCounter.builder("cellrouter.registry.feed.appends.lost", store, lostFeedAppends)
                .description("Registry writes whose change-feed entry could not be appended")
                .register(registry);
        FunctionCounter.builder("cellrouter.registry.items.skipped", store, skippedItems)
                .description("Registry items skipped by whole reads because they do not read")
                .register(registry);
    }

    /** Exposes the resolver's cache size and counts its lookups and store calls. */
    public ResolverListener resolverListener(Supplier<Long> cacheSize) {
        Gauge.builder("cellrouter.cache.size", cacheSize, s -> s.get().doubleValue())
                .description("Cached placements (placed customers; not placed answers apart)")
                .strongReference(true) // a lambda: held only by the gauge (see registryState)
                .register(registry);
        Map<String, Timer> storeTimers = new ConcurrentHashMap<>();
        Counter hintOverruled = Counter.builder("cellrouter.token.hint.overruled")
                .description("Requests whose token names another cell than the registry's placement (the registry"
                        + " wins; the customer moved and its SDK should get a new token)")
                .register(registry);
        return new ResolverListener() {
            @Override
            public void lookup(LookupKind kind) {
                lookups.get(kind).increment();
            }

            @Override
            public void hintOverruled(String hintedCell, String placedCell) {
                hintOverruled.increment();
            }

            @Override
            public void storeCall(String operation, long nanos, boolean success) {
                storeTimers
                        .computeIfAbsent(operation + (success ? "/ok" : "/error"), key -> Timer.builder(
                                        "cellrouter.registry.latency")
                                .description("Registry store calls")
                                .tag("operation", operation)
                                .tag("result", success ? "ok" : "error")
                                .publishPercentileHistogram()
                                .maximumExpectedValue(Duration.ofSeconds(10))
                                .register(registry))
                        .record(nanos, TimeUnit.NANOSECONDS);
            }
        };
    }

    private CellMeters cellMeters(Cell cell, String protocol) {
        // Two lookups rather than one on a concatenated key: nothing is allocated per request.
        Map<String, CellMeters> byProtocol = cells.get(cell);
        CellMeters meters = byProtocol.get(protocol);
        if (meters == null) {
            meters = byProtocol.computeIfAbsent(
                    protocol, p -> new CellMeters(registry, cellTags(cell).and("protocol", p)));
        }
        return meters;
    }

    static Tags cellTags(Cell cell) {
        if (cell == null) {
            return Tags.of("cell", NO_CELL, "region", "", "tier", "");
        }
        return Tags.of(
                "cell", cell.name(),
                "region", cell.region() == null ? "" : cell.region(),
                "tier", cell.tier() == null ? "" : cell.tier());
    }
}
